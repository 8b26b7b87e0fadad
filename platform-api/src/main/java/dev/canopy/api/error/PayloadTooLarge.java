package dev.canopy.api.error;

import java.util.List;

/** A request body (or a batch inside it) larger than the configured limit. */
public final class PayloadTooLarge extends ApiException {

    public PayloadTooLarge(String message) {
        super(ErrorCode.PAYLOAD_TOO_LARGE, message, List.of());
    }
}
