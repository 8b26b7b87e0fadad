package dev.canopy.api.error;

/** The small vocabulary of error codes (../API.md), each with its HTTP status. */
public enum ErrorCode {
    INVALID_REQUEST(400),
    UNAUTHENTICATED(401),
    BUDGET_EXCEEDED(402),
    FORBIDDEN(403),
    NOT_FOUND(404),
    CONFLICT(409),
    INVALID_STATE(409),
    PAYLOAD_TOO_LARGE(413),
    INTERNAL(500);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
