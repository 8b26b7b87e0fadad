package dev.canopy.runner.recipe;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.OutputDecoder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Trains one epoch and validates it. Each epoch seeds the engine's generator (dropout) and its own batch shuffle from
 * (seed, epoch), so an epoch depends only on the parameters and optimizer state it starts from.
 */
final class EpochLoop {

    /** Batches between progress calls, which are also where cancellation can stop the run. */
    static final int PROGRESS_EVERY = 10;

    /** Rows per forward pass when validating, which bounds its memory. */
    static final int EVALUATION_ROWS = 1024;

    private final Trainer trainer;
    private final ModelSpec spec;
    private final TabularParams params;
    private final TrainingContext context;
    private final EncodedSplit train;
    private final EncodedSplit validation;

    EpochLoop(
            Trainer trainer,
            ModelSpec spec,
            TabularParams params,
            TrainingContext context,
            EncodedSplit train,
            EncodedSplit validation) {
        this.trainer = trainer;
        this.spec = spec;
        this.params = params;
        this.context = context;
        this.train = train;
        this.validation = validation;
    }

    /** Trains and validates epoch {@code epoch}; returns {@code train_loss} and the {@code val_*} metrics. */
    Map<String, Double> run(int epoch) throws TrainingFailure {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_loss", train(epoch));
        metrics.putAll(EvaluationMetrics.of(
                spec, OutputDecoder.decode(spec, outputs(validation)), validation.rawLabels(), "val_"));
        if (!Double.isFinite(metrics.get("val_loss"))) {
            throw diverged(metrics.get("val_loss"), epoch);
        }
        return metrics;
    }

    /** One pass over the shuffled training rows; returns the mean training loss (dropout active). */
    private double train(int epoch) throws TrainingFailure {
        Engine.getInstance().setRandomSeed(Seeds.engineSeed(params.seed(), epoch));
        int[] order = IntStream.range(0, train.rows()).toArray();
        Seeds.shuffle(order, Seeds.of(params.seed(), epoch));
        int batches = (train.rows() + params.batchSize() - 1) / params.batchSize();
        double lossSum = 0;
        for (int b = 0; b < batches; b++) {
            int from = b * params.batchSize();
            try (NDManager batch = trainer.getManager().newSubManager()) {
                double loss = trainBatch(batch, order, from, Math.min(from + params.batchSize(), train.rows()));
                if (!Double.isFinite(loss)) {
                    throw diverged(loss, epoch);
                }
                lossSum += loss;
                trainer.step();
            }
            if ((b + 1) % PROGRESS_EVERY == 0) {
                // Counting in batches and dividing once keeps the fraction exact for a given batch count.
                long batchesDone = (long) (epoch - 1) * batches + b + 1;
                context.progress(epoch, params.epochs(), batchesDone / ((double) batches * params.epochs()));
            }
        }
        return lossSum / train.rows();
    }

    /**
     * Forward, loss and backward over rows {@code from} to {@code to} of the shuffled order, split across the
     * trainer's devices ({@link #sliceRows}) in the batch's manager; returns the summed loss.
     */
    private double trainBatch(NDManager batch, int[] order, int from, int to) {
        Device[] devices = trainer.getDevices();
        int[] slices = sliceRows(to - from, devices.length);
        double lossSum = 0;
        try (GradientCollector collector = trainer.newGradientCollector()) {
            int start = from;
            for (int d = 0; d < slices.length; d++) {
                NDManager manager = batch.newSubManager(devices[d]);
                NDList data = new NDList();
                NDList labels = new NDList();
                slice(manager, order, start, slices[d], data, labels);
                NDList predictions = trainer.forward(data, labels);
                NDArray loss = trainer.getLoss().evaluate(labels, predictions);
                collector.backward(loss);
                // The loss is a mean over the slice; weighting by its rows gives a per-row epoch mean.
                lossSum += loss.getFloat() * slices[d];
                start += slices[d];
            }
        }
        return lossSum;
    }

    /**
     * Rows per device for a batch of {@code rows}: as even as can be, the first ones one row larger, and none empty
     * (fewer slices than devices when the batch is smaller). DJL's own split cut 4 rows for 3 devices into 2, 2 and
     * an empty slice, whose mean loss is NaN, and 5 rows for 4 devices into a slice of -1 rows.
     */
    static int[] sliceRows(int rows, int devices) {
        int parts = Math.min(rows, devices);
        int[] slices = new int[parts];
        for (int p = 0; p < parts; p++) {
            slices[p] = rows / parts + (p < rows % parts ? 1 : 0);
        }
        return slices;
    }

    /** Rows {@code start} to {@code start + rows} of the shuffled order, as features and labels on its device. */
    private void slice(NDManager manager, int[] order, int start, int rows, NDList data, NDList labels) {
        int width = train.width();
        float[] features = new float[rows * width];
        float[] values = new float[rows];
        for (int i = 0; i < rows; i++) {
            int row = order[start + i];
            System.arraycopy(train.features(), row * width, features, i * width, width);
            values[i] = train.labels()[row];
        }
        data.add(manager.create(features, new Shape(rows, width)));
        labels.add(manager.create(values, new Shape(rows)));
    }

    /** Raw model outputs (inference mode: no dropout) for every row of {@code split}, row-major. */
    float[] outputs(EncodedSplit split) {
        int width = split.width();
        float[] outputs = new float[split.rows() * spec.outputSize()];
        for (int start = 0; start < split.rows(); start += EVALUATION_ROWS) {
            int rows = Math.min(EVALUATION_ROWS, split.rows() - start);
            float[] chunk = new float[rows * width];
            System.arraycopy(split.features(), start * width, chunk, 0, chunk.length);
            try (NDManager scope = trainer.getManager().newSubManager()) {
                NDArray input = scope.create(chunk, new Shape(rows, width));
                float[] values =
                        trainer.evaluate(new NDList(input)).singletonOrThrow().toFloatArray();
                System.arraycopy(values, 0, outputs, start * spec.outputSize(), values.length);
            }
        }
        return outputs;
    }

    private TrainingFailure diverged(double loss, int epoch) {
        String what = Double.isNaN(loss) ? "NaN" : "infinite";
        return new TrainingFailure("loss became " + what + " at epoch " + epoch + "; lower learningRate (now "
                + params.learningRate() + ")");
    }
}
