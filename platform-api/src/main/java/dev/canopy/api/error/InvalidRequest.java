package dev.canopy.api.error;

import java.util.List;

/** Input that can never succeed as sent. */
public final class InvalidRequest extends ApiException {

    public InvalidRequest(String message) {
        super(ErrorCode.INVALID_REQUEST, message, List.of());
    }

    public InvalidRequest(String field, String problem) {
        super(ErrorCode.INVALID_REQUEST, field + ": " + problem, List.of(new ErrorResponse.Detail(field, problem)));
    }

    public InvalidRequest(String message, List<ErrorResponse.Detail> details) {
        super(ErrorCode.INVALID_REQUEST, message, details);
    }

    /** The same refusal of a part of a larger request: its fields named under {@code field} ("runTemplate.params"). */
    public InvalidRequest within(String field) {
        List<ErrorResponse.Detail> nested = details().stream()
                .map(d -> new ErrorResponse.Detail(field + "." + d.field(), d.problem()))
                .toList();
        return new InvalidRequest(field + ": " + getMessage(), nested);
    }
}
