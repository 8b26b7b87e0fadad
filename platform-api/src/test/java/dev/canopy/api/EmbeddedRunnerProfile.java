package dev.canopy.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The control plane with one embedded runner (zone SE), for tests that train for real. Test classes sharing it
 * share one application start.
 */
public class EmbeddedRunnerProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("canopy.runner.embedded.count", "1", "canopy.runner.embedded.zone", "SE");
    }
}
