package dev.canopy.api.endpoint;

import dev.canopy.api.error.ApiException;
import dev.canopy.api.error.ErrorCode;
import java.util.List;

/**
 * A served version failed a valid request (it answered NaN or infinity): 500 with the version named, counted as
 * that version's error, so that a canary doing this is rolled back. Not logged per request: the endpoint's error
 * count and audit trail tell the story.
 */
final class ServingFailure extends ApiException {

    ServingFailure(String message) {
        super(ErrorCode.INTERNAL, message, List.of());
    }
}
