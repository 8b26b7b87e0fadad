package dev.canopy.api.team;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Token secrets: 256 random bits from {@link SecureRandom}, base64url with a {@code cnp_} prefix (so that
 * secret scanners can spot them). Stored as their SHA-256: the secrets carry 256 bits of entropy, so a fast
 * hash is as safe as a slow one and keeps the per-request lookup cheap.
 */
final class TokenSecrets {

    private static final String PREFIX = "cnp_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecrets() {}

    static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String secret) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
