package dev.canopy.api.run;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** The attributes of a run that filters and orderings may name, with their columns in the search query. */
enum RunAttribute implements FilterField {
    STATUS("status", "r.status", Type.STATUS, false),
    EXPERIMENT("experiment", "e.name", Type.TEXT, false),
    RECIPE("recipe", "r.recipe", Type.TEXT, true),
    NAME("name", "r.name", Type.TEXT, false),
    KIND("kind", "r.kind", Type.KIND, false),
    ID("id", "r.id", Type.UUID, false),
    CREATED_AT("createdAt", "r.created_at", Type.TIMESTAMP, false),
    STARTED_AT("startedAt", "r.started_at", Type.TIMESTAMP, true),
    ENDED_AT("endedAt", "r.ended_at", Type.TIMESTAMP, true);

    /** The optional prefix of attribute names, as in MLflow's {@code attributes.status}. */
    static final String PREFIX = "attributes.";

    private final String fieldName;
    private final String column;
    private final Type type;
    private final boolean nullable;

    RunAttribute(String fieldName, String column, Type type, boolean nullable) {
        this.fieldName = fieldName;
        this.column = column;
        this.type = type;
        this.nullable = nullable;
    }

    /** The attribute that clients call {@code name}, with or without {@link #PREFIX}; names are case-sensitive. */
    static Optional<RunAttribute> named(String name) {
        String bare = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
        for (RunAttribute attribute : values()) {
            if (attribute.fieldName.equals(bare)) {
                return Optional.of(attribute);
            }
        }
        return Optional.empty();
    }

    String fieldName() {
        return fieldName;
    }

    /** The column, qualified with {@code r} (runs) or {@code e} (experiments). */
    String column() {
        return column;
    }

    Type type() {
        return type;
    }

    boolean nullable() {
        return nullable;
    }

    /** What values an attribute holds, and so which operators and literals it takes. */
    enum Type {
        STATUS(
                EnumSet.of(FilterOperator.EQUAL, FilterOperator.NOT_EQUAL, FilterOperator.IN, FilterOperator.NOT_IN),
                names(RunStatus.values())),
        KIND(
                EnumSet.of(FilterOperator.EQUAL, FilterOperator.NOT_EQUAL, FilterOperator.IN, FilterOperator.NOT_IN),
                names(RunKind.values())),
        TEXT(EnumSet.complementOf(EnumSet.of(
                FilterOperator.LESS,
                FilterOperator.LESS_OR_EQUAL,
                FilterOperator.GREATER,
                FilterOperator.GREATER_OR_EQUAL))),
        UUID(EnumSet.of(FilterOperator.EQUAL, FilterOperator.NOT_EQUAL, FilterOperator.IN, FilterOperator.NOT_IN)),
        TIMESTAMP(EnumSet.complementOf(
                EnumSet.of(FilterOperator.LIKE, FilterOperator.ILIKE, FilterOperator.IN, FilterOperator.NOT_IN)));

        private final Set<FilterOperator> operators;
        private final List<String> choices;

        Type(Set<FilterOperator> operators) {
            this(operators, List.of());
        }

        Type(Set<FilterOperator> operators, List<String> choices) {
            this.operators = Collections.unmodifiableSet(operators);
            this.choices = choices;
        }

        private static List<String> names(Enum<?>[] constants) {
            return Stream.of(constants).map(Enum::name).toList();
        }

        /** The operators the type allows, in declaration order. */
        Set<FilterOperator> operators() {
            return operators;
        }

        /** The upper-case values an enumerated type allows; empty for the others. */
        List<String> choices() {
            return choices;
        }
    }
}
