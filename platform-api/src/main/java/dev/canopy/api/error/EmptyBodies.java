package dev.canopy.api.error;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * A request with no body needs no {@code Content-Type}: {@code POST …/rollback} with nothing to say is read as an
 * empty JSON request, rather than refused with 415 for a type it did not send. Set on the HTTP request itself,
 * before the REST layer picks a reader by type.
 */
@ApplicationScoped
class EmptyBodies {

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            HttpServerRequest request = context.request();
            if (takesBody(request.method()) && request.getHeader(HttpHeaders.CONTENT_TYPE) == null && empty(request)) {
                request.headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
            }
            context.next();
        });
    }

    private static boolean takesBody(HttpMethod method) {
        return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
    }

    /** No length and no chunks is no body too (curl -X POST sends neither). */
    private static boolean empty(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return length == null
                ? request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null
                : length.trim().equals("0");
    }
}
