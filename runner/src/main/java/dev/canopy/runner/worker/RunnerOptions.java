package dev.canopy.runner.worker;

import dev.canopy.runner.energy.EnergyOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * How a runner is started: {@code --server URL --token TOKEN} (or {@code --token-file PATH}, a file holding it)
 * and optional {@code --name NAME}, {@code --zone ZONE},
 * {@code --gpus N} or {@code --gpu-ids 0,1}, {@code --work-dir DIR}, {@code --pue 1.2}, {@code --threads N},
 * {@code --cpu-watts W}, {@code --energy-poll-ms MS}, {@code --energy-counter-ms MS}, {@code --nvml-library PATH};
 * each also settable as an environment variable
 * ({@code CANOPY_SERVER}, {@code CANOPY_TOKEN}, {@code CANOPY_TOKEN_FILE}, {@code CANOPY_RUNNER_NAME}, {@code CANOPY_ZONE},
 * {@code CANOPY_RUNNER_GPUS}, {@code CANOPY_RUNNER_GPU_IDS}, {@code CANOPY_RUNNER_DIR}, {@code CANOPY_PUE},
 * {@code CANOPY_RUNNER_THREADS}, {@code CANOPY_CPU_WATTS}, {@code CANOPY_ENERGY_POLL_MS},
 * {@code CANOPY_ENERGY_COUNTER_MS}, {@code CANOPY_NVML_LIBRARY}). An option it does not know, or a number that is
 * not one, stops it at once with the reason.
 *
 * @param gpus GPUs this runner uses (its GPU set: the first N the engine finds); null means all it finds
 * @param name the runner's name (default: the host name, followed by {@code -gpu2-3} with {@code --gpu-ids 2,3})
 * @param gpuIds the CUDA devices of its GPU set, when not the first ones (two runners sharing a machine)
 * @param zone ISO country code or cloud region, for carbon accounting
 * @param pue power usage effectiveness of the site, for carbon accounting (null: the control plane's default)
 * @param threads PyTorch's intra-op threads for training (null: PyTorch's default, one per core); fewer leave cores to
 *     whatever else runs on the machine
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
        Integer threads,
        EnergyOptions energy) {

    private static final Set<String> OPTIONS = new TreeSet<>(Set.of(
            "server",
            "token",
            "token-file",
            "name",
            "zone",
            "gpus",
            "gpu-ids",
            "work-dir",
            "pue",
            "threads",
            "cpu-watts",
            "energy-poll-ms",
            "energy-counter-ms",
            "nvml-library"));

    public RunnerOptions {
        if (server != null
                && (server.getHost() == null
                        || !("http".equals(server.getScheme()) || "https".equals(server.getScheme())))) {
            throw new IllegalArgumentException(
                    "--server must be an http:// or https:// URL with a host, such as http://control-plane:8080, not '"
                            + server + "'");
        }
        if (pue != null && !(pue >= 1.0 && pue <= 3.0)) {
            throw new IllegalArgumentException("--pue must be between 1.0 and 3.0 (a PUE), not " + pue);
        }
        if (gpus != null && gpus < 0) {
            throw new IllegalArgumentException("--gpus must not be negative, not " + gpus);
        }
        if (gpuIds != null
                && (gpuIds.stream().anyMatch(id -> id < 0)
                        || gpuIds.stream().distinct().count() != gpuIds.size())) {
            throw new IllegalArgumentException("--gpu-ids must be distinct device numbers from 0 on, not " + gpuIds);
        }
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, not " + threads);
        }
        gpuIds = gpuIds == null ? null : List.copyOf(gpuIds);
        energy = energy == null ? EnergyOptions.defaults() : energy;
    }

    public static RunnerOptions parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("Expected --option value pairs, got " + shown(args[i])
                        + (args[i].startsWith("--") ? " without a value" : " where an option belongs"));
            }
            String option = args[i].substring(2);
            if (!OPTIONS.contains(option)) {
                throw new IllegalArgumentException(
                        "Unknown option " + shown(args[i]) + "; the options are --" + String.join(", --", OPTIONS));
            }
            values.put(option, args[++i]);
        }
        String server = values.getOrDefault("server", env.get("CANOPY_SERVER"));
        if (values.containsKey("token") && values.containsKey("token-file")) {
            throw new IllegalArgumentException("Give --token or --token-file, not both");
        }
        String token = values.containsKey("token-file")
                ? tokenFrom(values.get("token-file"), "--token-file")
                : values.getOrDefault("token", env.get("CANOPY_TOKEN"));
        if (token == null && env.containsKey("CANOPY_TOKEN_FILE")) {
            token = tokenFrom(env.get("CANOPY_TOKEN_FILE"), "CANOPY_TOKEN_FILE");
        }
        if (server == null || token == null) {
            throw new IllegalArgumentException("A runner needs --server URL and --token TOKEN or --token-file PATH"
                    + " (or CANOPY_SERVER, CANOPY_TOKEN or CANOPY_TOKEN_FILE)");
        }
        String gpus = values.getOrDefault("gpus", env.get("CANOPY_RUNNER_GPUS"));
        String gpuIds = values.getOrDefault("gpu-ids", env.get("CANOPY_RUNNER_GPU_IDS"));
        String pue = values.getOrDefault("pue", env.get("CANOPY_PUE"));
        String cpuWatts = values.getOrDefault("cpu-watts", env.get("CANOPY_CPU_WATTS"));
        String poll = values.getOrDefault("energy-poll-ms", env.get("CANOPY_ENERGY_POLL_MS"));
        String nvml = values.getOrDefault("nvml-library", env.get("CANOPY_NVML_LIBRARY"));
        String counter = values.getOrDefault("energy-counter-ms", env.get("CANOPY_ENERGY_COUNTER_MS"));
        String threads = values.getOrDefault("threads", env.get("CANOPY_RUNNER_THREADS"));
        URI serverUri;
        try {
            serverUri = new URI(server);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--server is not a URL: " + e.getMessage(), e);
        }
        if (gpus != null && gpuIds != null) {
            throw new IllegalArgumentException("Give --gpus N (the first N GPUs) or --gpu-ids (which ones), not both");
        }
        List<Integer> gpuSet = gpuIds == null
                ? null
                : Arrays.stream(gpuIds.split(","))
                        .map(id -> number("gpu-ids", id.trim(), Integer::valueOf))
                        .toList();
        // Runners sharing a machine have GPU sets of their own, and so, unless named, names of their own.
        String defaultName = gpuSet == null
                ? MachineInfo.hostName()
                : MachineInfo.hostName() + "-gpu"
                        + String.join("-", gpuSet.stream().map(String::valueOf).toList());
        String name = values.getOrDefault("name", env.getOrDefault("CANOPY_RUNNER_NAME", defaultName));
        if (name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("--name must be 1-200 characters, not '" + name + "'");
        }
        return new RunnerOptions(
                serverUri,
                token,
                name,
                values.getOrDefault("zone", env.get("CANOPY_ZONE")),
                number("gpus", gpus, Integer::valueOf),
                gpuSet,
                Path.of(values.getOrDefault(
                        "work-dir",
                        env.getOrDefault("CANOPY_RUNNER_DIR", System.getProperty("user.home") + "/.canopy-runner"))),
                number("pue", pue, Double::valueOf),
                number("threads", threads, Integer::valueOf),
                new EnergyOptions(
                        atLeast("energy-poll-ms", number("energy-poll-ms", poll, Long::valueOf), 1)
                                .map(Duration::ofMillis)
                                .orElse(null),
                        atLeast("cpu-watts", number("cpu-watts", cpuWatts, Double::valueOf), Double.MIN_VALUE)
                                .orElse(null),
                        EnergyOptions.GREEN_ALGORITHMS_WATTS_PER_GB,
                        nvml == null ? null : Path.of(nvml),
                        null,
                        atLeast("energy-counter-ms", number("energy-counter-ms", counter, Long::valueOf), 0)
                                .map(Duration::ofMillis)
                                .orElse(null)));
    }

    /** The options with the token left out: the generated form would print it wherever the options are logged. */
    @Override
    public String toString() {
        return "RunnerOptions[server=" + server + ", token=" + (token == null ? "none" : "(masked)") + ", name=" + name
                + ", zone=" + zone + ", gpus=" + gpus + ", gpuIds=" + gpuIds + ", workDir=" + workDir + ", pue=" + pue
                + ", threads=" + threads + ", energy=" + energy + "]";
    }

    /** {@code text} with anything shaped like a Canopy token ({@code cnp_...}) masked. */
    static String masked(String text) {
        return text == null ? null : text.replaceAll("cnp_[A-Za-z0-9_-]+", "cnp_(masked)");
    }

    /**
     * An argument as an error message may show it, which goes to the console and the system's log: an option's name,
     * never a value, which may be the token ({@code --token=cnp_...}, or the token where an option belongs).
     */
    private static String shown(String arg) {
        if (!arg.startsWith("--")) {
            return "a value";
        }
        int equals = arg.indexOf('=');
        return "'" + (equals < 0 ? arg : arg.substring(0, equals) + "=...") + "'";
    }

    /** The token in {@code file} (surrounding white space, such as a final newline, is not part of it). */
    private static String tokenFrom(String file, String option) {
        String token;
        try {
            token = Files.readString(Path.of(file)).strip();
        } catch (IOException | InvalidPathException e) {
            // A token given where its file belongs is not echoed.
            String named = file.startsWith("cnp_") ? "(a token, not the name of its file)" : file;
            throw new IllegalArgumentException(
                    option + " " + named + " cannot be read: "
                            + (named.equals(file) ? e : e.getClass().getName()),
                    e);
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException(option + " " + file + " is empty");
        }
        return token;
    }

    /**
     * What, in how a runner was started, exposes its token, a sentence each: the token given on the command line
     * (every user of the machine can read it in {@code ps}) and plain HTTP to a host other than this machine (it
     * crosses the network as clear text with every request). Neither stops the runner: a private network or a
     * single-user machine may make either acceptable.
     */
    static List<String> tokenRisks(String[] args, URI server) {
        List<String> risks = new ArrayList<>();
        if (Arrays.asList(args).contains("--token")) {
            risks.add("the token was given with --token, so any user of this machine can read it in the process list;"
                    + " use --token-file PATH or CANOPY_TOKEN instead");
        }
        if ("http".equals(server.getScheme()) && !isLoopback(server.getHost())) {
            risks.add("--server " + server + " is plain HTTP to another machine, so the token crosses the network"
                    + " as clear text with every request; put TLS in front of the control plane and use https://");
        }
        return risks;
    }

    private static boolean isLoopback(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        return name.equals("localhost")
                || name.endsWith(".localhost")
                || name.equals("[::1]")
                || name.matches("127(\\.\\d{1,3}){3}");
    }

    /**
     * The option's value if given, refused (naming the option) below {@code min} or when not finite: the energy
     * meter's own checks would name its fields instead.
     */
    private static <T extends Number> Optional<T> atLeast(String option, T value, double min) {
        if (value != null && !(Double.isFinite(value.doubleValue()) && value.doubleValue() >= min)) {
            throw new IllegalArgumentException("--" + option + " must be "
                    + (min == 0 ? "0 or more" : min == 1 ? "1 or more" : "a positive number") + ", not " + value);
        }
        return Optional.ofNullable(value);
    }

    /** The option's value read by {@code parse}; null when it is not given; the option named when it is no number. */
    private static <T> T number(String option, String value, Function<String, T> parse) {
        if (value == null) {
            return null;
        }
        try {
            return parse.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + option + " must be a number, not '" + value + "'", e);
        }
    }

    /** The CUDA devices of this runner's GPU set, given how many the engine can use. */
    List<Integer> gpuSet(int engineGpus) {
        if (gpuIds != null) {
            for (int id : gpuIds) {
                if (id >= engineGpus) {
                    throw new IllegalArgumentException("--gpu-ids names GPU " + id + ", but the engine can use "
                            + (engineGpus == 0
                                    ? "none (CPU natives, or no CUDA device visible: see the README's GPUs section)"
                                    : "GPUs 0 to " + (engineGpus - 1)));
                }
            }
            return gpuIds;
        }
        int count = gpus == null ? engineGpus : Math.min(gpus, engineGpus);
        return java.util.stream.IntStream.range(0, count).boxed().toList();
    }
}
