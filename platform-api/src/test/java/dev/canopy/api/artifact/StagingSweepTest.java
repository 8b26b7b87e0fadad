package dev.canopy.api.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Staged uploads a killed process left behind go; one being written stays. */
@QuarkusTest
class StagingSweepTest {

    @Inject
    StagingSweep sweep;

    @Inject
    ArtifactStore store;

    @ConfigProperty(name = "canopy.home")
    String home;

    @Test
    void stagedUploadsUntouchedForADayAreDeletedAndLiveOnesKept() throws Exception {
        Path staging = Path.of(home, "artifacts", ".staging");
        Files.createDirectories(staging);
        Path abandoned = Files.writeString(staging.resolve("upload-killed.part"), "a,b\n1,2\n");
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minus(Duration.ofHours(25))));
        try (ArtifactStore.Staged live = store.stage()) {
            live.output().write("a,b\n".getBytes());
            live.output().flush();

            sweep.sweep();

            assertThat(abandoned).doesNotExist();
            live.output().write("1,2\n".getBytes());
            live.commit("sweep-test/" + Instant.now().toEpochMilli() + ".csv");
        }
    }
}
