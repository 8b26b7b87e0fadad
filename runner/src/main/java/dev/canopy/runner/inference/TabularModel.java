package dev.canopy.runner.inference;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import dev.canopy.runner.inference.FeatureMatrixTranslator.Matrix;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A trained tabular model loaded from its artifact; predictions apply the training-time preprocessing.
 *
 * <p>Thread-safe: concurrent {@link #predict} calls each use their own DJL {@link Predictor} (Predictors are not
 * thread-safe; creating one for a block-based model is cheap) over the one shared {@link Model}. Runs on the CPU and
 * never downloads anything. Close it to free the native memory of the parameters.
 */
public final class TabularModel implements AutoCloseable {

    /** Records per forward pass, which bounds the native memory one call takes. */
    static final int MAX_ROWS_PER_FORWARD = 1024;

    private final ModelSpec spec;
    private final FeatureEncoder encoder;
    private final Model model;

    /**
     * A prediction: {@code label} and {@code probabilities} (class → probability, in vocabulary order) for
     * classification, {@code value} for regression; the other fields are null.
     */
    public record Prediction(String label, Map<String, Double> probabilities, Double value) {}

    private TabularModel(ModelSpec spec, Model model) {
        this.spec = spec;
        this.encoder = new FeatureEncoder(spec);
        this.model = model;
    }

    /**
     * Loads an artifact written by a tabular recipe: rebuilds the block from {@code spec.json} and loads the
     * parameters into it, on the CPU.
     *
     * @throws IllegalArgumentException when the bytes are not a readable model artifact
     */
    public static TabularModel load(byte[] artifact) {
        ModelArtifact.Contents contents = ModelArtifact.read(artifact);
        Model model = Model.newInstance("tabular", Device.cpu());
        try {
            // Before DJL reads them: it allocates whatever sizes the file names.
            ParameterLayout.check(contents.spec(), contents.parameters());
            model.setBlock(MlpBlock.build(contents.spec()));
            model.load(new ByteArrayInputStream(contents.parameters()), Map.of());
            return new TabularModel(contents.spec(), model);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            String why = e instanceof ParameterLayout.Mismatch
                    ? e.getMessage()
                    : (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                            + "; do its parameters fit the network spec.json describes "
                            + ParameterLayout.network(contents.spec()) + "?";
            throw new IllegalArgumentException("model artifact could not be loaded: " + why, e);
        }
    }

    /** What the model is and how it preprocesses records. */
    public ModelSpec spec() {
        return spec;
    }

    /**
     * Predicts one result per record, in order.
     *
     * @param records column → value as JSON gives them (String, Number, Boolean or null); a feature whose key is
     *     absent counts as missing, keys that are not features are ignored
     * @throws InvalidRecord for the first value that does not fit its feature
     */
    public List<Prediction> predict(List<Map<String, Object>> records) throws InvalidRecord {
        float[] inputs = encode(records);
        try (Predictor<Matrix, float[]> predictor = newPredictor()) {
            return decode(forward(inputs, records.size(), predictor::predict));
        } catch (TranslateException e) {
            throw new IllegalStateException("prediction failed: " + e.getMessage(), e);
        }
    }

    /** One forward pass over an encoded matrix; a {@link Predictor#predict} or anything that calls one. */
    @FunctionalInterface
    interface ForwardPass {
        float[] run(Matrix inputs) throws TranslateException;
    }

    /**
     * Why the model cannot answer for the record: a numeric value far outside its training data (see {@link
     * FeatureEncoder#farOutside}); empty when none is. Asked about a record whose answer was not finite, to tell the
     * caller's error from a faulty model.
     */
    Optional<InvalidRecord> farOutside(Map<String, Object> record) {
        return encoder.farOutside(record::get);
    }

    /** Width of one encoded record. */
    int width() {
        return encoder.width();
    }

    /** The records encoded row-major, {@link #width()} inputs each; fails on the first bad value. */
    float[] encode(List<Map<String, Object>> records) throws InvalidRecord {
        int width = encoder.width();
        float[] inputs = new float[records.size() * width];
        for (int i = 0; i < records.size(); i++) {
            encoder.encode(records.get(i)::get, inputs, i * width);
        }
        return inputs;
    }

    /**
     * Runs {@code rows} encoded rows through {@code pass} in chunks of at most {@link #MAX_ROWS_PER_FORWARD} rows
     * and returns the raw outputs, row-major, exactly as {@link #predict} computes them.
     */
    float[] forward(float[] inputs, int rows, ForwardPass pass) throws TranslateException {
        int width = encoder.width();
        if (rows <= MAX_ROWS_PER_FORWARD) {
            return pass.run(new Matrix(inputs, rows, width));
        }
        int outputSize = spec.outputSize();
        float[] outputs = new float[rows * outputSize];
        for (int start = 0; start < rows; start += MAX_ROWS_PER_FORWARD) {
            int chunk = Math.min(MAX_ROWS_PER_FORWARD, rows - start);
            float[] slice = Arrays.copyOfRange(inputs, start * width, (start + chunk) * width);
            System.arraycopy(
                    pass.run(new Matrix(slice, chunk, width)), 0, outputs, start * outputSize, chunk * outputSize);
        }
        return outputs;
    }

    /** Predictions from raw outputs, one per row. */
    List<Prediction> decode(float[] outputs) {
        return OutputDecoder.decode(spec, outputs);
    }

    /** A new predictor over the shared model; the caller closes it and uses it from one thread at a time. */
    Predictor<Matrix, float[]> newPredictor() {
        return newPredictor(new FeatureMatrixTranslator());
    }

    /** A new predictor over the shared model that feeds and reads it through {@code translator}. */
    Predictor<Matrix, float[]> newPredictor(Translator<Matrix, float[]> translator) {
        return model.newPredictor(translator);
    }

    @Override
    public void close() {
        model.close();
    }
}
