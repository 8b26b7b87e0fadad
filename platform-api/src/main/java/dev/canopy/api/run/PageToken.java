package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque page tokens: the offset of the next page, base64url-encoded so clients do not build them. */
final class PageToken {

    private static final String PREFIX = "o:";

    private PageToken() {}

    static String encode(long offset) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((PREFIX + offset).getBytes(StandardCharsets.UTF_8));
    }

    /** The offset a token stands for; 0 for no token. */
    static long decode(String token) {
        if (token == null || token.isBlank()) {
            return 0;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (text.startsWith(PREFIX)) {
                long offset = Long.parseLong(text.substring(PREFIX.length()));
                if (offset >= 0) {
                    return offset;
                }
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new InvalidRequest("pageToken", "is not a token this server issued");
    }
}
