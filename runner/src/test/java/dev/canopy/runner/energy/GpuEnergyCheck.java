package dev.canopy.runner.energy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The real-GPU check of the energy meter (issue 4), driven line by line over stdin by {@code
 * runner/src/test/device/gpu_energy_check.py}, which loads the GPU and reads NVML's energy counter itself as the
 * independent reference. Two meters run side by side on CUDA device 0: {@code counter}, the meter exactly as a
 * runner starts it ({@link EnergyMeter#start}), and {@code integral}, the same meter over an NVML whose energy
 * counter answers NOT_SUPPORTED, so it has to integrate power the way it does on cards without the counter.
 *
 * <p>Commands: {@code begin LABEL} (both meters begin a run; answers {@code begun LABEL}), {@code end LABEL} (the
 * counter meter's run ends first and {@code ended LABEL} is printed at once, then the integral's, which waits for
 * its samples past the end; then one {@code result} line per meter), {@code quit}. Everything else it prints
 * starts with {@code #}.
 */
public final class GpuEnergyCheck {

    private GpuEnergyCheck() {}

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        EnergyOptions options = EnergyOptions.defaults();
        NvmlAccess access = JnaNvml.load(options.nvmlLibrary());
        if (access.nvml().isEmpty()) {
            out.println("# no NVML: " + access.unavailableReason());
            out.println("failed");
            return;
        }
        ProcReader proc = new LinuxProcReader();
        EnergyMeter integralMeter = EnergyMeter.create(
                NvmlAccess.of(new CounterlessNvml(access.nvml().orElseThrow())),
                CpuEnergySource.detect(options, proc),
                proc,
                MeterClock.system(),
                options,
                System.getenv());
        integralMeter.startPolling();
        try (EnergyMeter counterMeter = EnergyMeter.start(options);
                integralMeter) {
            if (counterMeter.gpus().isEmpty()) {
                out.println("# NVML sees no GPU");
                out.println("failed");
                return;
            }
            counterMeter.describe().forEach(line -> out.println("# counter meter: " + line));
            integralMeter.describe().forEach(line -> out.println("# integral meter: " + line));
            Slot counterSlot = counterMeter.slot("counter", List.of(0));
            Slot integralSlot = integralMeter.slot("integral", List.of(0));
            out.println("ready " + counterMeter.gpus().get(0).name());
            Map<String, RunEnergy[]> runs = new LinkedHashMap<>();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.trim().split("\\s+");
                switch (words[0]) {
                    case "begin" -> {
                        runs.put(
                                words[1],
                                new RunEnergy[] {counterSlot.begin(words[1], 1), integralSlot.begin(words[1], 1)});
                        out.println("begun " + words[1]);
                    }
                    case "end" -> {
                        RunEnergy[] pair = runs.remove(words[1]);
                        EnergyReading counter = pair[0].end();
                        out.println("ended " + words[1]);
                        EnergyReading integral = pair[1].end();
                        out.println(result(words[1], "counter", counter));
                        out.println(result(words[1], "integral", integral));
                    }
                    case "quit" -> {
                        return;
                    }
                    default -> out.println("# unknown command: " + line);
                }
            }
        }
    }

    private static String result(String label, String meter, EnergyReading reading) {
        ComponentEnergy gpu = reading.components().stream()
                .filter(c -> c.component() == Component.GPU)
                .findFirst()
                .orElseThrow();
        return String.format(
                Locale.ROOT,
                "result %s %s %s %.3f %.3f %s",
                label,
                meter,
                gpu.method(),
                gpu.joules() == null ? Double.NaN : gpu.joules(),
                reading.seconds(),
                gpu.detail() == null ? "" : gpu.detail().replace('\n', ' '));
    }

    /** The real NVML, except that its energy counter is NOT_SUPPORTED, as on cards before Volta. */
    private record CounterlessNvml(Nvml real) implements Nvml {

        @Override
        public void init() {
            real.init();
        }

        @Override
        public void shutdown() {
            real.shutdown();
        }

        @Override
        public int deviceCount() {
            return real.deviceCount();
        }

        @Override
        public String name(int index) {
            return real.name(index);
        }

        @Override
        public String uuid(int index) {
            return real.uuid(index);
        }

        @Override
        public long memoryTotalBytes(int index) {
            return real.memoryTotalBytes(index);
        }

        @Override
        public long totalEnergyMillijoules(int index) {
            throw new NvmlException(NvmlException.NOT_SUPPORTED, "Not Supported (forced by the check)");
        }

        @Override
        public int powerMilliwatts(int index) {
            return real.powerMilliwatts(index);
        }

        @Override
        public int architecture(int index) {
            return real.architecture(index);
        }
    }
}
