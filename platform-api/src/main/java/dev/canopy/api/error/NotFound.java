package dev.canopy.api.error;

import java.util.List;

/** A resource that does not exist, or exists in a team the caller does not belong to. */
public final class NotFound extends ApiException {

    public NotFound(String kind, Object name) {
        super(ErrorCode.NOT_FOUND, kind + " '" + name + "' not found", List.of());
    }

    public NotFound(String message) {
        super(ErrorCode.NOT_FOUND, message, List.of());
    }
}
