package dev.canopy.api.team;

import dev.canopy.api.error.Unauthenticated;
import jakarta.enterprise.context.RequestScoped;

/** Holds the {@link Caller} of the current request; set by {@link BearerTokenFilter}. */
@RequestScoped
public class CurrentCaller {

    private Caller caller;

    void set(Caller caller) {
        this.caller = caller;
    }

    /** The authenticated caller; every {@code /api/**} request has one. */
    public Caller get() {
        if (caller == null) {
            throw new Unauthenticated("This request carries no valid bearer token");
        }
        return caller;
    }
}
