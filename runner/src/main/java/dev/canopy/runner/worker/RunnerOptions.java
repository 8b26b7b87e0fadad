package dev.canopy.runner.worker;

import dev.canopy.runner.energy.EnergyOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a runner is started: {@code --server URL --token TOKEN} and optional {@code --name NAME}, {@code --zone ZONE},
 * {@code --gpus N} or {@code --gpu-ids 0,1}, {@code --work-dir DIR}, {@code --pue 1.2}, {@code --cpu-watts W},
 * {@code --energy-poll-ms MS}, {@code --energy-counter-ms MS}, {@code --nvml-library PATH}; each also settable as an
 * environment variable
 * ({@code CANOPY_SERVER}, {@code CANOPY_TOKEN}, {@code CANOPY_RUNNER_NAME}, {@code CANOPY_ZONE},
 * {@code CANOPY_RUNNER_GPUS}, {@code CANOPY_RUNNER_GPU_IDS}, {@code CANOPY_RUNNER_DIR}, {@code CANOPY_PUE},
 * {@code CANOPY_CPU_WATTS}, {@code CANOPY_ENERGY_POLL_MS}, {@code CANOPY_ENERGY_COUNTER_MS}, {@code
 * CANOPY_NVML_LIBRARY}).
 *
 * @param gpus GPUs this runner uses (its GPU set: the first N the engine finds); null means all it finds
 * @param gpuIds the CUDA devices of its GPU set, when not the first ones (two runners sharing a machine)
 * @param zone ISO country code or cloud region, for carbon accounting
 * @param pue power usage effectiveness of the site, for carbon accounting (null: the control plane's default)
 * @param energy how the energy meter reads (poll period, counter period, CPU power override, NVML library)
 */
public record RunnerOptions(
        URI server,
        String token,
        String name,
        String zone,
        Integer gpus,
        List<Integer> gpuIds,
        Path workDir,
        Double pue,
        EnergyOptions energy) {

    public RunnerOptions {
        if (server != null
                && (server.getHost() == null
                        || !("http".equals(server.getScheme()) || "https".equals(server.getScheme())))) {
            throw new IllegalArgumentException(
                    "--server must be an http:// or https:// URL with a host, such as http://control-plane:8080, not '"
                            + server + "'");
        }
        if (pue != null && !(pue >= 1.0 && pue <= 3.0)) {
            throw new IllegalArgumentException("A PUE is between 1.0 and 3.0, not " + pue);
        }
        gpuIds = gpuIds == null ? null : List.copyOf(gpuIds);
        energy = energy == null ? EnergyOptions.defaults() : energy;
    }

    public static RunnerOptions parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("Expected --option value pairs, got '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[++i]);
        }
        String server = values.getOrDefault("server", env.get("CANOPY_SERVER"));
        String token = values.getOrDefault("token", env.get("CANOPY_TOKEN"));
        if (server == null || token == null) {
            throw new IllegalArgumentException(
                    "A runner needs --server URL and --token TOKEN (or CANOPY_SERVER, CANOPY_TOKEN)");
        }
        String gpus = values.getOrDefault("gpus", env.get("CANOPY_RUNNER_GPUS"));
        String gpuIds = values.getOrDefault("gpu-ids", env.get("CANOPY_RUNNER_GPU_IDS"));
        String pue = values.getOrDefault("pue", env.get("CANOPY_PUE"));
        String cpuWatts = values.getOrDefault("cpu-watts", env.get("CANOPY_CPU_WATTS"));
        String poll = values.getOrDefault("energy-poll-ms", env.get("CANOPY_ENERGY_POLL_MS"));
        String nvml = values.getOrDefault("nvml-library", env.get("CANOPY_NVML_LIBRARY"));
        String counter = values.getOrDefault("energy-counter-ms", env.get("CANOPY_ENERGY_COUNTER_MS"));
        URI serverUri;
        try {
            serverUri = new URI(server);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--server is not a URL: " + e.getMessage(), e);
        }
        return new RunnerOptions(
                serverUri,
                token,
                values.getOrDefault("name", env.getOrDefault("CANOPY_RUNNER_NAME", MachineInfo.hostName())),
                values.getOrDefault("zone", env.get("CANOPY_ZONE")),
                gpus == null ? null : Integer.valueOf(gpus),
                gpuIds == null
                        ? null
                        : Arrays.stream(gpuIds.split(","))
                                .map(String::trim)
                                .map(Integer::valueOf)
                                .toList(),
                Path.of(values.getOrDefault(
                        "work-dir",
                        env.getOrDefault("CANOPY_RUNNER_DIR", System.getProperty("user.home") + "/.canopy-runner"))),
                pue == null ? null : Double.valueOf(pue),
                new EnergyOptions(
                        poll == null ? null : Duration.ofMillis(Long.parseLong(poll)),
                        cpuWatts == null ? null : Double.valueOf(cpuWatts),
                        EnergyOptions.GREEN_ALGORITHMS_WATTS_PER_GB,
                        nvml == null ? null : Path.of(nvml),
                        null,
                        counter == null ? null : Duration.ofMillis(Long.parseLong(counter))));
    }

    /** The CUDA devices of this runner's GPU set, given how many the engine can use. */
    List<Integer> gpuSet(int engineGpus) {
        if (gpuIds != null) {
            for (int id : gpuIds) {
                if (id < 0 || id >= engineGpus) {
                    throw new IllegalArgumentException(
                            "GPU " + id + " is not one of the " + engineGpus + " the engine can use");
                }
            }
            return gpuIds;
        }
        int count = gpus == null ? engineGpus : Math.min(gpus, engineGpus);
        return java.util.stream.IntStream.range(0, count).boxed().toList();
    }
}
