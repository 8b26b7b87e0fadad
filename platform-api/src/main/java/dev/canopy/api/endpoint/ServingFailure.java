package dev.canopy.api.endpoint;

import dev.canopy.api.error.ApiException;
import dev.canopy.api.error.ErrorCode;
import java.util.List;

/**
 * A served version failed a valid request (it answered NaN or infinity, or this control plane could not load it): 500
 * with the version named, counted as that version's error, so that a canary doing this is rolled back. A wrong answer
 * is not logged per request (the endpoint's error count and audit trail tell the story); a failed load is, by
 * {@link LoadedVersions}.
 */
final class ServingFailure extends ApiException {

    ServingFailure(String message) {
        super(ErrorCode.INTERNAL, message, List.of());
    }
}
