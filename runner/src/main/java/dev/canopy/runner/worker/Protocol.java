package dev.canopy.runner.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The worker protocol's messages as the runner sees them (the control plane's side is in platform-api). */
final class Protocol {

    private Protocol() {}

    record Register(
            String name,
            String host,
            String cpuModel,
            int cores,
            long memoryBytes,
            List<MachineInfo.Gpu> gpus,
            Set<String> recipes,
            String djlVersion,
            String pytorchVersion,
            String zone) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Registered(UUID workerId, long heartbeatSeconds, long leaseSeconds) {}

    record Progress(int epoch, int epochs, double fraction, Long etaSeconds) {}

    record Held(UUID runId, int attempt, Progress progress) {}

    record Heartbeat(boolean draining, List<Held> runs) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record HeartbeatReply(List<UUID> cancel, List<UUID> lost) {}

    record Claim(int freeGpus, int waitSeconds) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Column(String name, String type, long missing, long distinct, boolean distinctCapped) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Dataset(String name, int version, String sha256, long rowCount, List<Column> columns) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Assignment(
            UUID runId,
            int attempt,
            String name,
            String recipe,
            Map<String, Object> params,
            int gpus,
            Dataset dataset,
            Integer checkpointEpoch) {}

    record Epoch(
            int attempt, int epoch, int epochs, Map<String, Double> metrics, Long etaSeconds, boolean checkpoint) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record EpochReply(boolean cancel) {}

    record Complete(int attempt, Map<String, Double> testMetrics, List<String> notes, Map<String, Object> spec) {}

    record Fail(int attempt, String reason) {}

    record Stopped(int attempt, String reason) {}
}
