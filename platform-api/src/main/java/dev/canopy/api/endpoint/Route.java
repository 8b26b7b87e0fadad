package dev.canopy.api.endpoint;

import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.runner.inference.Batching;
import java.util.UUID;

/**
 * Where an endpoint's requests go, as last read from the database: the live version, and the canary with its id,
 * share and policy when one runs, and the shadow (with its id) that sees copies of requests; and the micro-batching its requests
 * are served with. {@code live} is null while nothing is promoted.
 */
record Route(
        UUID endpointId,
        String teamName,
        String name,
        RegisteredVersion live,
        RegisteredVersion canary,
        UUID canaryId,
        int canaryPercent,
        CanaryPolicy policy,
        RegisteredVersion shadow,
        UUID shadowId,
        Batching batching,
        long readAtNanos) {}
