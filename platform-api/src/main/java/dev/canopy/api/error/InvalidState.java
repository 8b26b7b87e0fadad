package dev.canopy.api.error;

import java.util.List;

/** A request that is valid but not in the resource's current state (metrics for a finished run). */
public final class InvalidState extends ApiException {

    public InvalidState(String message) {
        super(ErrorCode.INVALID_STATE, message, List.of());
    }

    public InvalidState(String message, List<ErrorResponse.Detail> details) {
        super(ErrorCode.INVALID_STATE, message, details);
    }
}
