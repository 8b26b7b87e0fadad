package dev.canopy.api.error;

/**
 * Query parameters read by hand, so that a malformed one is a 400 naming it: JAX-RS answers 404 ("no such
 * resource") when it cannot convert a query parameter to its declared type.
 */
public final class QueryParameters {

    private QueryParameters() {}

    /** The whole number {@code raw} spells, between {@code min} and {@code max}; null when absent. */
    public static Integer wholeNumber(String name, String raw, int min, int max) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        int value;
        try {
            value = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequest(name, "must be a whole number, got '" + raw + "'");
        }
        if (value < min || value > max) {
            throw new InvalidRequest(name, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }
}
