package dev.canopy.api.error;

import java.util.List;

/** The request contradicts what is already stored (a duplicate name, a changed immutable value). */
public final class Conflict extends ApiException {

    public Conflict(String message) {
        super(ErrorCode.CONFLICT, message, List.of());
    }

    public Conflict(String message, String field, String problem) {
        super(ErrorCode.CONFLICT, message, List.of(new ErrorResponse.Detail(field, problem)));
    }
}
