package dev.canopy.runner.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.recipe.CheckpointableAdam.Moments;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Everything needed to resume right after an epoch, as the bytes of a zip: {@code state.json} (epoch, the fitted
 * {@link ModelSpec}, early-stopping scalars), {@code parameters.bin} and {@code best-parameters.bin} ({@code
 * Block.saveParameters} output) and {@code optimizer.bin} (Adam step counts and moments per parameter path).
 *
 * @param epoch the epoch just finished (from 1)
 * @param spec the preprocessing and architecture the run uses
 * @param earlyStopping the early-stopping state after {@code epoch}
 * @param parameters the block's parameters after {@code epoch}
 * @param optimizer the optimizer state after {@code epoch}
 */
record TrainingCheckpoint(
        int epoch, ModelSpec spec, EarlyStopping earlyStopping, byte[] parameters, Map<String, Moments> optimizer) {

    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JSON part. */
    record State(
            int format, int epoch, ModelSpec spec, double bestValLoss, int bestEpoch, int epochsWithoutImprovement) {}

    byte[] toBytes() {
        State state = new State(
                FORMAT,
                epoch,
                spec,
                earlyStopping.bestValLoss(),
                earlyStopping.bestEpoch(),
                earlyStopping.epochsWithoutImprovement());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, "state.json", JSON.writeValueAsBytes(state));
            put(zip, "parameters.bin", parameters);
            put(zip, "best-parameters.bin", earlyStopping.bestParameters());
            put(zip, "optimizer.bin", encode(optimizer));
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    static TrainingCheckpoint fromBytes(byte[] checkpoint) throws TrainingFailure {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(checkpoint))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
            State state = JSON.readValue(entries.get("state.json"), State.class);
            if (state.format() != FORMAT) {
                throw new TrainingFailure("checkpoint format " + state.format() + " is not supported; restart the run");
            }
            EarlyStopping early = new EarlyStopping(
                    state.bestValLoss(),
                    state.bestEpoch(),
                    state.epochsWithoutImprovement(),
                    entries.get("best-parameters.bin"));
            return new TrainingCheckpoint(
                    state.epoch(),
                    state.spec(),
                    early,
                    entries.get("parameters.bin"),
                    decode(entries.get("optimizer.bin")));
        } catch (IOException | RuntimeException e) {
            throw new TrainingFailure("the checkpoint cannot be read (" + e.getMessage() + "); restart the run", e);
        }
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTime(0L);
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }

    private static byte[] encode(Map<String, Moments> optimizer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(optimizer.size());
            for (Map.Entry<String, Moments> entry : new TreeMap<>(optimizer).entrySet()) {
                Moments moments = entry.getValue();
                out.writeUTF(entry.getKey());
                out.writeInt(moments.step());
                writeFloats(out, moments.mean());
                writeFloats(out, moments.variance());
            }
        }
        return bytes.toByteArray();
    }

    private static Map<String, Moments> decode(byte[] encoded) throws IOException {
        Map<String, Moments> optimizer = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                optimizer.put(name, new Moments(in.readInt(), readFloats(in), readFloats(in)));
            }
        }
        return optimizer;
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        out.writeInt(values.length);
        for (float value : values) {
            out.writeFloat(value);
        }
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        float[] values = new float[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readFloat();
        }
        return values;
    }
}
