package dev.canopy.api.team;

import dev.canopy.api.error.Forbidden;
import dev.canopy.api.error.Unauthenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /api/**} request must carry {@code Authorization: Bearer <token>} for a token that exists, is
 * not revoked and has not expired; runner tokens only reach {@link RunnerProtocol} resources and user tokens only
 * the rest. Runs on the worker thread of the (blocking) endpoint, so it may query.
 */
class BearerTokenFilter {

    private static final String SCHEME = "Bearer ";

    @Inject
    TokenService tokens;

    @Inject
    CurrentCaller currentCaller;

    private static boolean isProtocol(ResourceInfo resource) {
        return (resource.getResourceMethod() != null
                        && resource.getResourceMethod().isAnnotationPresent(RunnerProtocol.class))
                || (resource.getResourceClass() != null
                        && resource.getResourceClass().isAnnotationPresent(RunnerProtocol.class));
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    void authenticate(ContainerRequestContext request, ResourceInfo resource) {
        if (!request.getUriInfo().getPath().startsWith("/api/")) {
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw new Unauthenticated("Missing 'Authorization: Bearer <token>' header");
        }
        String hash = TokenSecrets.hash(header.substring(SCHEME.length()).trim());
        Caller caller = tokens.authenticateHash(hash)
                .orElseThrow(() -> new Unauthenticated("The bearer token is unknown, revoked or expired"));
        boolean protocol = isProtocol(resource);
        if (protocol != (caller.kind() == TokenKind.RUNNER)) {
            throw new Forbidden(
                    protocol
                            ? "Only runner tokens speak the worker protocol"
                            : "A runner token may only speak the worker protocol");
        }
        currentCaller.set(caller, hash);
    }
}
