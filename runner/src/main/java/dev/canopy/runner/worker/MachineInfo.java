package dev.canopy.runner.worker;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.sun.management.OperatingSystemMXBean;
import dev.canopy.runner.energy.GpuDevice;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    /** How many GPUs the engine (its natives) can use: 0 with the CPU natives, whatever NVML sees. */
    static int engineGpus() {
        return Engine.getInstance().getGpuCount();
    }

    /** PyTorch's intra-op threads (the runner's {@code --threads}, else one per core); 0 with another engine. */
    static int engineThreads() {
        return "PyTorch".equals(Engine.getInstance().getEngineName()) ? JniUtils.getNumThreads() : 0;
    }

    /**
     * Reads the machine; {@code gpuSet} are the CUDA devices this runner uses, named from the energy meter's NVML
     * view of them where it has one.
     */
    static MachineInfo detect(List<Integer> gpuSet, List<GpuDevice> metered) {
        Engine engine = Engine.getInstance();
        List<Gpu> gpus = new ArrayList<>();
        for (int cuda : gpuSet) {
            Optional<GpuDevice> known =
                    metered.stream().filter(d -> d.cudaIndex() == cuda).findFirst();
            gpus.add(new Gpu(
                    cuda,
                    known.map(GpuDevice::name).orElse("GPU " + cuda),
                    known.map(GpuDevice::memoryBytes).orElse(0L)));
        }
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
}
