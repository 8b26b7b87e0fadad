package dev.canopy.runner.worker;

import ai.djl.engine.Engine;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What a runner tells the control plane about the machine it runs on. */
record MachineInfo(
        String host,
        String cpuModel,
        int cores,
        long memoryBytes,
        List<Gpu> gpus,
        String djlVersion,
        String pytorchVersion) {

    record Gpu(int index, String name, long memoryBytes) {}

    /** Reads the machine; {@code gpuLimit} caps the GPUs this runner uses (null: all it finds). */
    static MachineInfo detect(Integer gpuLimit) {
        Engine engine = Engine.getInstance();
        int found = engine.getGpuCount();
        int use = gpuLimit == null ? found : Math.min(gpuLimit, found);
        List<Gpu> gpus = new ArrayList<>(gpuNames(use));
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new MachineInfo(
                hostName(),
                readCpuModel(),
                Runtime.getRuntime().availableProcessors(),
                os.getTotalMemorySize(),
                gpus,
                Engine.getDjlVersion(),
                engine.getVersion());
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static String readCpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(System.getProperty("os.arch"));
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
    }

    /** Names and memory from nvidia-smi when it is there; the count comes from the engine either way. */
    private static List<Gpu> gpuNames(int count) {
        List<Gpu> gpus = new ArrayList<>();
        List<String> lines = nvidiaSmi();
        for (int i = 0; i < count; i++) {
            String[] fields = i < lines.size() ? lines.get(i).split(",\\s*") : new String[0];
            String name = fields.length > 0 ? fields[0] : "GPU " + i;
            long memory = fields.length > 1 ? Long.parseLong(fields[1].trim()) * 1024 * 1024 : 0;
            gpus.add(new Gpu(i, name, memory));
        }
        return gpus;
    }

    private static List<String> nvidiaSmi() {
        try {
            Process smi = new ProcessBuilder(
                            "nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits")
                    .redirectErrorStream(true)
                    .start();
            if (!smi.waitFor(10, TimeUnit.SECONDS) || smi.exitValue() != 0) {
                return List.of();
            }
            return new String(smi.getInputStream().readAllBytes()).lines().toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
