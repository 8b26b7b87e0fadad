package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.run.FilterField.KeyedTable;
import dev.canopy.api.run.FilterToken.Kind;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks a parsed comparison against the rules of its field and converts its literals to the values SQL binds.
 *
 * <ul>
 *   <li>Metrics take numbers only, and no {@code like}/{@code ilike}.
 *   <li>Params and tags take strings ({@code = != like ilike in, not in}) or numbers ({@code = != < <= > >= in, not
 *       in}), which compare the values that are numbers; an {@code in} list may not mix the two.
 *   <li>Attributes take quoted strings and the operators of their {@link RunAttribute.Type}: statuses and kinds
 *       (case-insensitive, bound upper-case), text, run ids (UUIDs), and ISO-8601 timestamps or dates (bound as UTC
 *       {@link OffsetDateTime}s, a date meaning its midnight UTC).
 *   <li>Every field takes {@code is null} and {@code is not null}, except status, kind and id.
 * </ul>
 */
final class ComparisonRules {

    /** A comparison as parsed; {@code fieldText} is the field as the client wrote it. */
    record Draft(
            FilterField field,
            String fieldText,
            FilterToken operatorToken,
            FilterOperator operator,
            List<FilterToken> literals) {}

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final String source;

    ComparisonRules(String source) {
        this.source = source;
    }

    FilterExpr.Comparison check(Draft draft) {
        if (draft.operator().isPattern()
                && endsWithLoneBackslash(draft.literals().get(0).text())) {
            // PostgreSQL refuses such a pattern when the query runs.
            throw error(
                    draft.literals().get(0),
                    "a pattern cannot end with a lone backslash: \\ escapes the character after it (\\% and \\_"
                            + " match % and _; write \\\\ for a backslash)");
        }
        List<Object> values = draft.field() instanceof FilterField.Keyed keyed
                ? keyedValues(keyed.table(), draft)
                : attributeValues((RunAttribute) draft.field(), draft);
        return new FilterExpr.Comparison(draft.field(), draft.operator(), values);
    }

    private List<Object> keyedValues(KeyedTable table, Draft draft) {
        if (draft.operator().isNullCheck()) {
            return List.of();
        } else if (table == KeyedTable.METRICS) {
            checkMetric(draft);
        }
        boolean numeric = isNumeric(draft.literals());
        String operator = shown(draft.operatorToken());
        if (numeric && draft.operator().isPattern()) {
            throw error(draft.operatorToken(), operator + " matches text: quote the pattern");
        } else if (!numeric && draft.operator().isOrdering()) {
            throw error(draft.literals().get(0), operator + " compares numbers: write a number, not a string");
        }
        List<Object> values = new ArrayList<>();
        for (FilterToken literal : draft.literals()) {
            values.add(numeric ? Double.valueOf(literal.text()) : literal.text());
        }
        return values;
    }

    private void checkMetric(Draft draft) {
        if (draft.operator().isPattern()) {
            String operator = shown(draft.operatorToken());
            throw error(
                    draft.operatorToken(),
                    "metrics are numbers: " + operator + " does not apply to " + draft.fieldText());
        }
        for (FilterToken literal : draft.literals()) {
            if (!literal.is(Kind.NUMBER)) {
                throw error(literal, "metrics are numbers: compare " + draft.fieldText() + " with a number");
            }
        }
    }

    private static boolean endsWithLoneBackslash(String pattern) {
        int trailing = 0;
        for (int i = pattern.length() - 1; i >= 0 && pattern.charAt(i) == '\\'; i--) {
            trailing++;
        }
        return trailing % 2 == 1;
    }

    private boolean isNumeric(List<FilterToken> literals) {
        boolean numeric = literals.get(0).is(Kind.NUMBER);
        for (FilterToken literal : literals) {
            if (literal.is(Kind.NUMBER) != numeric) {
                throw error(literal, "the list mixes numbers and strings");
            }
        }
        return numeric;
    }

    private List<Object> attributeValues(RunAttribute attribute, Draft draft) {
        Set<FilterOperator> allowed = attribute.type().operators();
        if (!allowed.contains(draft.operator())) {
            String symbols = allowed.stream().map(FilterOperator::symbol).collect(Collectors.joining(", "));
            throw error(draft.operatorToken(), attribute.fieldName() + " can be compared with " + symbols);
        }
        List<Object> values = new ArrayList<>();
        for (FilterToken literal : draft.literals()) {
            values.add(attributeValue(attribute, literal));
        }
        return values;
    }

    private Object attributeValue(RunAttribute attribute, FilterToken literal) {
        if (literal.is(Kind.NUMBER)) {
            String number = FilterErrors.excerpt(source, literal.start(), literal.end());
            throw error(literal, attribute.fieldName() + " takes a quoted string, not the number " + number);
        }
        return switch (attribute.type()) {
            case STATUS, KIND -> choice(attribute, literal);
            case TEXT -> literal.text();
            case UUID -> uuid(literal);
            case TIMESTAMP -> timestamp(literal);
        };
    }

    private String choice(RunAttribute attribute, FilterToken literal) {
        String value = literal.text().toUpperCase(Locale.ROOT);
        List<String> choices = attribute.type().choices();
        if (!choices.contains(value)) {
            throw error(
                    literal,
                    FilterErrors.quote(literal.text()) + " is not a " + attribute.fieldName() + "; use "
                            + String.join(", ", choices));
        }
        return value;
    }

    private UUID uuid(FilterToken literal) {
        if (!UUID_TEXT.matcher(literal.text()).matches()) {
            throw error(literal, FilterErrors.quote(literal.text()) + " is not a run id (a UUID)");
        }
        return UUID.fromString(literal.text());
    }

    private OffsetDateTime timestamp(FilterToken literal) {
        String text = literal.text();
        OffsetDateTime instant;
        try {
            instant = text.length() == 10
                    ? LocalDate.parse(text).atStartOfDay().atOffset(ZoneOffset.UTC)
                    : OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw error(
                    literal,
                    FilterErrors.quote(text) + " is not a timestamp; use ISO-8601 such as 2026-01-02T03:04:05Z"
                            + " or 2026-01-02");
        }
        if (instant.getYear() < 1 || instant.getYear() > 9999) {
            throw error(literal, FilterErrors.quote(text) + " is out of range: years run from 1 to 9999");
        }
        return instant;
    }

    private String shown(FilterToken token) {
        return FilterErrors.quote(source, token.start(), token.end());
    }

    private InvalidRequest error(FilterToken token, String problem) {
        return FilterErrors.at(source, token.start(), problem);
    }
}
