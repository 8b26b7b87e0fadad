package dev.canopy.runner.worker;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * How a runner is started: {@code --server URL --token TOKEN [--name NAME] [--zone ZONE] [--gpus N]
 * [--work-dir DIR]}, each also settable as an environment variable ({@code CANOPY_SERVER}, {@code CANOPY_TOKEN},
 * {@code CANOPY_RUNNER_NAME}, {@code CANOPY_ZONE}, {@code CANOPY_RUNNER_GPUS}, {@code CANOPY_RUNNER_DIR}).
 *
 * @param gpus GPUs this runner uses (its GPU set); null means all it finds
 * @param zone ISO country code or cloud region, for carbon accounting
 */
public record RunnerOptions(URI server, String token, String name, String zone, Integer gpus, Path workDir) {

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
        return new RunnerOptions(
                URI.create(server),
                token,
                values.getOrDefault("name", env.getOrDefault("CANOPY_RUNNER_NAME", MachineInfo.hostName())),
                values.getOrDefault("zone", env.get("CANOPY_ZONE")),
                gpus == null ? null : Integer.valueOf(gpus),
                Path.of(values.getOrDefault(
                        "work-dir",
                        env.getOrDefault("CANOPY_RUNNER_DIR", System.getProperty("user.home") + "/.canopy-runner"))));
    }
}
