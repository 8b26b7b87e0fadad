package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;

/** Builds the errors of the {@code filter} field; each names the 1-based character position it is about. */
final class FilterErrors {

    private static final int MAX_SHOWN = 40;

    private FilterErrors() {}

    /** An error at char index {@code index} of {@code source}; the end of the filter is one past its last char. */
    static InvalidRequest at(String source, int index, String problem) {
        return new InvalidRequest("filter", "at position " + position(source, index) + ": " + problem);
    }

    /** The 1-based position, counted in characters (code points), of char index {@code index}. */
    static int position(String source, int index) {
        return source.codePointCount(0, Math.min(index, source.length())) + 1;
    }

    /** {@code text} in single quotes, cut short when long. */
    static String quote(String text) {
        return quote(text, 0, text.length());
    }

    /** {@code source[start, end)} in single quotes, cut short when long. */
    static String quote(String source, int start, int end) {
        return "'" + excerpt(source, start, end) + "'";
    }

    /** {@code source[start, end)}, cut short when long. */
    static String excerpt(String source, int start, int end) {
        if (end - start <= MAX_SHOWN) {
            return source.substring(start, end);
        }
        int cut = start + MAX_SHOWN;
        if (Character.isHighSurrogate(source.charAt(cut - 1))) {
            cut--;
        }
        return source.substring(start, cut) + "...";
    }
}
