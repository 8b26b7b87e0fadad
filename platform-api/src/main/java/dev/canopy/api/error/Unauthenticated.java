package dev.canopy.api.error;

import java.util.List;

/** No valid bearer token. */
public final class Unauthenticated extends ApiException {

    public Unauthenticated(String message) {
        super(ErrorCode.UNAUTHENTICATED, message, List.of());
    }
}
