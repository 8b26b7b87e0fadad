package dev.canopy.api.endpoint;

import dev.canopy.api.endpoint.EndpointEvent.Kind;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.QueryParameters;
import java.util.Arrays;
import java.util.Locale;

/**
 * A page of an endpoint's audit trail, newest first: {@code limit} records after the first {@code offset}, of one
 * kind or of every kind (null). A trail grows without end (a schedule's refusals add one a fire), so it is read a page
 * at a time.
 */
record HistoryPage(int offset, int limit, Kind kind) {

    static final int DEFAULT_LIMIT = 200;
    static final int MAX_LIMIT = 1000;

    /** From the query parameters as given (each may be absent); 400 naming the one that is wrong. */
    static HistoryPage of(String limit, String offset, String kind) {
        QueryParameters.Page page = QueryParameters.page(limit, offset, DEFAULT_LIMIT, MAX_LIMIT);
        Kind only = null;
        if (kind != null && !kind.isBlank()) {
            try {
                only = Kind.valueOf(kind.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequest(
                        "kind", "must be one of " + Arrays.toString(Kind.values()) + ", got '" + kind + "'");
            }
        }
        return new HistoryPage(page.offset(), page.limit(), only);
    }
}
