package dev.canopy.api.team;

import dev.canopy.api.error.Unauthenticated;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/**
 * Holds the {@link Caller} of the current request; set by {@link BearerTokenFilter}, which lets a request in when its
 * headers arrive. Its body may take minutes to arrive after them (a client can trickle a JSON body as long as it
 * keeps sending), so the token is checked again at the first use of the caller, which is when the endpoint begins
 * its work with the body read: a token revoked or expired meanwhile does nothing (a cache hit otherwise). Later uses
 * in the same request are not checked again: a request that revokes its own token finishes what it does.
 */
@RequestScoped
public class CurrentCaller {

    @Inject
    TokenService tokens;

    private Caller caller;
    private String tokenHash;
    private boolean rechecked;

    void set(Caller caller, String tokenHash) {
        this.caller = caller;
        this.tokenHash = tokenHash;
    }

    /** The authenticated caller; every {@code /api/**} request has one. */
    public Caller get() {
        if (caller == null) {
            throw new Unauthenticated("This request carries no valid bearer token");
        }
        if (!rechecked) {
            rechecked = true;
            if (tokens.authenticateHash(tokenHash).isEmpty()) {
                throw new Unauthenticated("The bearer token was revoked or expired while the request was received");
            }
        }
        return caller;
    }
}
