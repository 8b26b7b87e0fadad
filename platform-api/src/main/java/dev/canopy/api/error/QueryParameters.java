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

    /** Whether the {@code order} parameter asks for the newest first: {@code asc} (or absent) or {@code desc}. */
    public static boolean newestFirst(String order) {
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw new InvalidRequest("order", "must be 'asc' or 'desc', got '" + order + "'");
        }
        return "desc".equals(order);
    }

    /** A page of a listing: {@code limit} entries after the first {@code offset}. */
    public record Page(int offset, int limit) {}

    /**
     * The page the {@code limit} and {@code offset} parameters ask for (each may be absent): {@code limit} 1 to
     * {@code maxLimit}, default {@code defaultLimit}; {@code offset} from 0 (default), small enough that the page's
     * last index is an int.
     */
    public static Page page(String limit, String offset, int defaultLimit, int maxLimit) {
        Integer size = wholeNumber("limit", limit, 1, maxLimit);
        Integer skipped = wholeNumber("offset", offset, 0, Integer.MAX_VALUE - maxLimit);
        return new Page(skipped == null ? 0 : skipped, size == null ? defaultLimit : size);
    }
}
