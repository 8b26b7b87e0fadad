package dev.canopy.scheduler.worker;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What a runner says about itself when it registers.
 *
 * @param teamId set when the runner serves one team only
 * @param zone ISO country code or cloud region where the runner runs (for carbon accounting)
 */
public record WorkerInfo(
        String name,
        UUID teamId,
        String host,
        String cpuModel,
        int cores,
        long memoryBytes,
        List<Gpu> gpus,
        Set<String> recipes,
        String djlVersion,
        String pytorchVersion,
        String zone) {

    public record Gpu(int index, String name, long memoryBytes) {}
}
