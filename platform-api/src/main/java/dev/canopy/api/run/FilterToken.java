package dev.canopy.api.run;

/**
 * One token of a run filter. {@code text} is a word, number or comparator as written, or the content of a quoted
 * string or key without its quotes; {@code start} and {@code end} are its char indexes in the filter (end exclusive).
 */
record FilterToken(Kind kind, String text, int start, int end) {

    enum Kind {
        /** A field name or keyword: {@code [A-Za-z_][A-Za-z0-9_.\-/:]*}. */
        WORD,
        NUMBER,
        /** Quoted with {@code '}: a string. */
        STRING,
        /** Quoted with {@code "}: a string, or a key right after {@code metrics.}, {@code params.}, {@code tags.}. */
        DOUBLE_QUOTED,
        /** Quoted with backticks: a key. */
        BACKTICKED,
        COMPARATOR,
        LEFT_PAREN,
        RIGHT_PAREN,
        COMMA,
        END
    }

    boolean is(Kind expected) {
        return kind == expected;
    }

    boolean isKeyword(String keyword) {
        return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
    }

    boolean isLiteral() {
        return kind == Kind.NUMBER || kind == Kind.STRING || kind == Kind.DOUBLE_QUOTED;
    }
}
