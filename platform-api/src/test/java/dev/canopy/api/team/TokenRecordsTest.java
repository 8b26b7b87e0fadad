package dev.canopy.api.team;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.api.team.TokenRecords.CreatedTokenResponse;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TokenRecordsTest {

    /** The one record that carries a token's secret never prints it, should it reach a log line or a message. */
    @Test
    void aCreatedTokensTextLeavesItsSecretOut() {
        CreatedTokenResponse created = new CreatedTokenResponse(
                UUID.randomUUID(), "ci", "cnp_s3cr3tS3cr3t", "alice", "acme", Role.MEMBER, null, Instant.now());

        assertThat(created.toString())
                .doesNotContain("s3cr3t")
                .contains("name=ci")
                .contains("user=alice");
    }
}
