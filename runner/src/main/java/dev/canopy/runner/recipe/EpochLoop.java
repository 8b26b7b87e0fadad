package dev.canopy.runner.recipe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.translate.Batchifier;
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
            try (Batch batch = batch(order, from, Math.min(from + params.batchSize(), train.rows()))) {
                double loss = trainBatch(batch);
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

    /** Forward, loss and backward over the batch, split across the trainer's devices; returns the summed loss. */
    private double trainBatch(Batch batch) {
        double lossSum = 0;
        try (GradientCollector collector = trainer.newGradientCollector()) {
            for (Batch split : batch.split(trainer.getDevices(), false)) {
                NDList predictions = trainer.forward(split.getData(), split.getLabels());
                NDArray loss = trainer.getLoss().evaluate(split.getLabels(), predictions);
                collector.backward(loss);
                // The loss is a mean over the split; weighting by its size gives a per-row epoch mean.
                lossSum += loss.getFloat() * split.getSize();
            }
        }
        return lossSum;
    }

    private Batch batch(int[] order, int from, int to) {
        int size = to - from;
        int width = train.width();
        float[] features = new float[size * width];
        float[] labels = new float[size];
        for (int i = 0; i < size; i++) {
            int row = order[from + i];
            System.arraycopy(train.features(), row * width, features, i * width, width);
            labels[i] = train.labels()[row];
        }
        NDManager manager = trainer.getManager().newSubManager();
        NDList data = new NDList(manager.create(features, new Shape(size, width)));
        NDList label = new NDList(manager.create(labels, new Shape(size)));
        return new Batch(manager, data, label, size, Batchifier.STACK, Batchifier.STACK, from, train.rows());
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
