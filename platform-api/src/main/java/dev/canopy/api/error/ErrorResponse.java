package dev.canopy.api.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The one error body of every endpoint. {@code errorId} is set only for {@code INTERNAL} errors: it names the
 * log entry that holds the stack trace, which is never sent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorResponse(ErrorCode code, String message, List<Detail> details, String errorId) {

    /** One problem with one field of the request. */
    public record Detail(String field, String problem) {}

    public static ErrorResponse of(ErrorCode code, String message, List<Detail> details) {
        return new ErrorResponse(code, message, details, null);
    }
}
