package dev.canopy.api.team;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.error.ErrorCode;
import dev.canopy.api.error.ErrorResponse;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;

/**
 * {@code /q/metrics} names every team's endpoints and shows their traffic, so it answers only a platform admin's
 * token ({@code Authorization: Bearer}); a Prometheus scraper is given one. {@code /q/health} stays open.
 */
@ApplicationScoped
class MetricsAccess {

    private static final String PATH = "/q/metrics";
    private static final String SCHEME = "Bearer ";

    @Inject
    TokenService tokens;

    @Inject
    ObjectMapper json;

    void register(@Observes Filters filters) {
        // Before the metrics route, after nothing that would answer first.
        filters.register(this::check, 100);
    }

    private void check(RoutingContext request) {
        String path = request.normalizedPath();
        if (!path.equals(PATH) && !path.startsWith(PATH + "/")) {
            request.next();
            return;
        }
        String header = request.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            refuse(request, ErrorCode.UNAUTHENTICATED, "Missing 'Authorization: Bearer <token>' header");
            return;
        }
        String hash = TokenSecrets.hash(header.substring(SCHEME.length()).trim());
        // The token check may query the database: not on the event loop.
        request.vertx()
                .<Optional<Caller>>executeBlocking(
                        () -> QuarkusTransaction.requiringNew().call(() -> tokens.authenticateHash(hash)), false)
                .onComplete(result -> {
                    if (result.failed()) {
                        Log.errorf(result.cause(), "Checking a token for %s failed", PATH);
                        refuse(request, ErrorCode.INTERNAL, "The token could not be checked");
                    } else if (result.result().isEmpty()) {
                        refuse(request, ErrorCode.UNAUTHENTICATED, "The bearer token is unknown, revoked or expired");
                    } else if (!result.result().get().actsAsPlatformAdmin()) {
                        refuse(
                                request,
                                ErrorCode.FORBIDDEN,
                                "Metrics show every team's endpoints: platform admins only");
                    } else {
                        request.next();
                    }
                });
    }

    private void refuse(RoutingContext request, ErrorCode code, String message) {
        String body;
        try {
            body = json.writeValueAsString(ErrorResponse.of(code, message, List.of()));
        } catch (JsonProcessingException e) {
            body = "{\"code\":\"" + code + "\"}";
        }
        request.response()
                .setStatusCode(code.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body);
    }
}
