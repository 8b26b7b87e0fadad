package dev.canopy.api.error;

import java.util.List;

/** A failure the client can act on; becomes an {@link ErrorResponse} with the code's status. */
public abstract class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final List<ErrorResponse.Detail> details;

    protected ApiException(ErrorCode code, String message, List<ErrorResponse.Detail> details) {
        super(message, null, false, false);
        this.code = code;
        this.details = List.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public List<ErrorResponse.Detail> details() {
        return details;
    }

    public ErrorResponse toResponse() {
        return ErrorResponse.of(code, getMessage(), details);
    }
}
