package dev.canopy.api.run;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A validated request for a trained run, ready to be stored and queued. */
record TrainedRunSpec(
        UUID teamId,
        UUID experimentId,
        String name,
        String recipe,
        Map<String, Object> params,
        UUID datasetVersionId,
        String registerAs,
        int gpus,
        int priority,
        int maxAttempts,
        List<String> notes) {}
