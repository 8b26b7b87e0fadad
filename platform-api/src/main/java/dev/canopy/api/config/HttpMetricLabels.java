package dev.canopy.api.config;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Set;

/**
 * Keeps the HTTP server metrics' labels to values the platform chose. Requests with a method the API does not serve
 * (OPTIONS, which answers any path, or a made-up one) are not counted: each would add a series, and anyone can send
 * them without a token. 4xx on paths no route matches are not counted either
 * ({@code quarkus.micrometer.binder.http-server.suppress4xx-errors}).
 */
@Singleton
class HttpMetricLabels {

    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");

    @Produces
    @Singleton
    MeterFilter onlyServedMethods() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                String method = id.getTag("method");
                return id.getName().equals("http.server.requests") && method != null && !METHODS.contains(method)
                        ? MeterFilterReply.DENY
                        : MeterFilterReply.NEUTRAL;
            }
        };
    }
}
