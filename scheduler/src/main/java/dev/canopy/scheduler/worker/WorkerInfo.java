package dev.canopy.scheduler.worker;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What a runner says about itself when it registers.
 *
 * @param teamId set when the runner serves one team only
 * @param zone ISO country code or cloud region where the runner runs (for carbon accounting)
 * @param pue the power usage effectiveness of the site it runs at, if it declared one
 * @param energyMethods how its energy meter reads each component (GPU, CPU, RAM → counter, rapl, model, …)
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
        String zone,
        Double pue,
        Map<String, String> energyMethods) {

    public record Gpu(int index, String name, long memoryBytes) {}
}
