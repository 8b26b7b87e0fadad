package dev.canopy.api.error;

import java.util.List;

/** The caller may see the resource but lacks the role for this action. */
public final class Forbidden extends ApiException {

    public Forbidden(String message) {
        super(ErrorCode.FORBIDDEN, message, List.of());
    }
}
