package dev.canopy.runner.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.canopy.runner.energy.EnergyReading;
import java.io.IOException;
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
            String zone,
            Double pue,
            Map<String, String> energyMethods) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Registered(UUID workerId, long heartbeatSeconds, long leaseSeconds) {}

    record Progress(int epoch, int epochs, double fraction, Long etaSeconds) {}

    /** A cumulative energy reading as the control plane takes it (method by its label, e.g. power-integral). */
    record Energy(String since, String at, double seconds, List<EnergyPart> components) {

        static Energy of(EnergyReading reading) {
            return new Energy(
                    reading.since().toString(),
                    reading.at().toString(),
                    reading.seconds(),
                    reading.components().stream()
                            .map(c -> new EnergyPart(
                                    c.component().name(),
                                    c.device(),
                                    cut(c.deviceName(), 200),
                                    c.method().label(),
                                    c.joules(),
                                    cut(c.detail(), 1000)))
                            .toList());
        }

        /** The control plane keeps at most this much of a name or detail. */
        private static String cut(String text, int max) {
            return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "…";
        }
    }

    record EnergyPart(
            String component, Integer device, String deviceName, String method, Double joules, String detail) {}

    record Held(UUID runId, int attempt, Progress progress, Energy energy) {}

    /** The runner's energy while it held no run, since {@code session} (this runner process) began. */
    record Idle(UUID session, Energy energy) {}

    record Heartbeat(boolean draining, List<Held> runs, Idle idle) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record HeartbeatReply(List<UUID> cancel, List<UUID> lost) {}

    record Claim(int freeGpus, int waitSeconds) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Column(String name, String type, long missing, long distinct, boolean distinctCapped) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    /** {@code sizeBytes} is 0 from a control plane that does not send it. */
    record Dataset(String name, int version, String sha256, long sizeBytes, long rowCount, List<Column> columns) {}

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
            int attempt,
            int epoch,
            int epochs,
            Map<String, Double> metrics,
            Long etaSeconds,
            boolean checkpoint,
            Energy energy) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record EpochReply(boolean cancel) {}

    record Complete(int attempt, Map<String, Double> testMetrics, List<String> notes, Energy energy) {}

    record Fail(int attempt, String reason, Energy energy) {
        /** The longest reason the control plane takes. */
        static final int MAX_REASON = 4000;

        /** A reason longer than the control plane takes is cut (a refused failure would leave the run unfailed). */
        Fail {
            if (reason == null || reason.isBlank()) {
                reason = "no reason given";
            } else if (reason.length() > MAX_REASON) {
                String cut = " ... (cut)";
                int end = MAX_REASON - cut.length();
                // Not between the two halves of a surrogate pair.
                reason = reason.substring(0, Character.isHighSurrogate(reason.charAt(end - 1)) ? end - 1 : end) + cut;
            }
        }
    }

    record Stopped(int attempt, String reason, Energy energy) {}

    /**
     * The mapper messages are read and written with. Every string it writes keeps whole characters only ({@link
     * #wholeCharacters}): a failure reason or a note a recipe cut at a length, through an emoji, would otherwise be
     * refused by the control plane, and the run requeued until its attempts ran out.
     */
    static ObjectMapper json() {
        SimpleModule whole = new SimpleModule("whole-characters");
        whole.addSerializer(String.class, new StdSerializer<>(String.class) {
            @Override
            public void serialize(String value, JsonGenerator generator, SerializerProvider provider)
                    throws IOException {
                generator.writeString(wholeCharacters(value));
            }
        });
        return new ObjectMapper().registerModule(whole);
    }

    /**
     * {@code text} with every half of a character that stands alone (an unpaired surrogate, as cutting text at a
     * length can leave) replaced by U+FFFD: the control plane refuses text holding one.
     */
    static String wholeCharacters(String text) {
        StringBuilder whole = null;
        for (int c = 0; c < text.length(); c++) {
            char at = text.charAt(c);
            if (Character.isHighSurrogate(at)
                    && c + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(c + 1))) {
                if (whole != null) {
                    whole.append(at).append(text.charAt(c + 1));
                }
                c++;
            } else if (Character.isSurrogate(at)) {
                if (whole == null) {
                    whole = new StringBuilder(text.length()).append(text, 0, c);
                }
                whole.append('\uFFFD');
            } else if (whole != null) {
                whole.append(at);
            }
        }
        return whole == null ? text : whole.toString();
    }
}
