package dev.canopy.api.run;

/** The comparison operators of the filter language, each with how clients write it and its SQL. */
enum FilterOperator {
    EQUAL("=", "="),
    NOT_EQUAL("!=", "<>"),
    LESS("<", "<"),
    LESS_OR_EQUAL("<=", "<="),
    GREATER(">", ">"),
    GREATER_OR_EQUAL(">=", ">="),
    LIKE("like", "LIKE"),
    ILIKE("ilike", "ILIKE"),
    IN("in", "IN"),
    NOT_IN("not in", "NOT IN"),
    IS_NULL("is null", "IS NULL"),
    IS_NOT_NULL("is not null", "IS NOT NULL");

    private final String symbol;
    private final String sql;

    FilterOperator(String symbol, String sql) {
        this.symbol = symbol;
        this.sql = sql;
    }

    /** The operator of a comparator token: one of {@code = != <> < <= > >=}. */
    static FilterOperator comparator(String token) {
        if (token.equals("<>")) {
            return NOT_EQUAL;
        }
        for (FilterOperator operator : values()) {
            if (operator.symbol.equals(token)) {
                return operator;
            }
        }
        throw new IllegalArgumentException("not a comparator: " + token);
    }

    String symbol() {
        return symbol;
    }

    String sql() {
        return sql;
    }

    /** {@code is null} and {@code is not null}, which take no value. */
    boolean isNullCheck() {
        return this == IS_NULL || this == IS_NOT_NULL;
    }

    /** {@code in} and {@code not in}, which take a parenthesised list of values. */
    boolean isList() {
        return this == IN || this == NOT_IN;
    }

    /** {@code < <= > >=}, which only make sense for numbers and timestamps. */
    boolean isOrdering() {
        return this == LESS || this == LESS_OR_EQUAL || this == GREATER || this == GREATER_OR_EQUAL;
    }

    /** {@code like} and {@code ilike}, which match text against a pattern. */
    boolean isPattern() {
        return this == LIKE || this == ILIKE;
    }
}
