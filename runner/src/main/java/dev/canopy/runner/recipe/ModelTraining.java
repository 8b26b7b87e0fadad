package dev.canopy.runner.recipe;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.canopy.runner.inference.MlpBlock;
import dev.canopy.runner.inference.ModelArtifact;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.ModelSpec.Task;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The DJL part of a run: builds the MLP, trains epoch after epoch with early stopping and a checkpoint per epoch, and
 * writes the artifact of the best epoch. Every native resource lives in a try-with-resources block, so a
 * {@link TrainingStopped} or a failure releases it on the way out.
 */
final class ModelTraining {

    private static final Pattern OUT_OF_MEMORY =
            Pattern.compile("out of memory|not enough memory|can't allocate memory|failed to allocate");

    /** What training produced, before the test evaluation. */
    record Outcome(
            byte[] artifact,
            int epochs,
            boolean stoppedEarly,
            int bestEpoch,
            double bestValLoss,
            Optional<String> threadsNote) {}

    private final TrainingContext context;
    private final ModelSpec spec;
    private final TabularParams params;

    ModelTraining(TrainingContext context, ModelSpec spec, TabularParams params) {
        this.context = context;
        this.spec = spec;
        this.params = params;
    }

    Outcome run(EncodedSplit train, EncodedSplit validation, Optional<TrainingCheckpoint> checkpoint)
            throws TrainingFailure {
        Device[] devices = context.gpus() == 0
                ? new Device[] {Device.cpu()}
                : context.gpuIds().stream().map(Device::gpu).toArray(Device[]::new);
        try (Model model = Model.newInstance("tabular", devices[0])) {
            Block block = MlpBlock.build(spec);
            model.setBlock(block);
            Engine.getInstance().setRandomSeed(Seeds.engineSeed(params.seed(), Seeds.INITIALISATION));
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, spec.inputSize()));
            // From the start, not only in the artifact: validation (and so the best epoch) sees the model served.
            zeroUnusedInputs(block, train);
            if (checkpoint.isPresent()) {
                // Loaded before the trainer exists, so that its parameter store picks up these arrays.
                loadParameters(block, model.getNDManager(), checkpoint.get().parameters());
            }
            TrainingThreads threads = context.oneThreadForSmallModels()
                    ? TrainingThreads.narrow(spec, params.batchSize(), devices[0])
                    : TrainingThreads.unchanged();
            Trained trained;
            try {
                trained = train(model, devices, train, validation, checkpoint);
            } finally {
                threads.restore();
            }
            EarlyStopping early = trained.earlyStopping();
            // The trainer is closed, so nothing holds the block's arrays any more; the artifact gets the best epoch.
            loadParameters(block, model.getNDManager(), early.bestParameters());
            // Again for a run resumed from a checkpoint written before they were zeroed at the start.
            zeroUnusedInputs(block, train);
            byte[] artifact = ModelArtifact.write(spec, model);
            boolean stoppedEarly = trained.epochs() < params.epochs();
            return new Outcome(
                    artifact,
                    trained.epochs(),
                    stoppedEarly,
                    early.bestEpoch(),
                    early.bestValLoss(),
                    threads.note(spec, params.batchSize()));
        } catch (EngineException e) {
            throw outOfMemory(e, params).orElseThrow(() -> e);
        } catch (IOException e) {
            throw new TrainingFailure("the model could not be saved: " + e.getMessage(), e);
        }
    }

    /** The early-stopping state after the last epoch, and that epoch's number. */
    private record Trained(EarlyStopping earlyStopping, int epochs) {}

    private Trained train(
            Model model,
            Device[] devices,
            EncodedSplit train,
            EncodedSplit validation,
            Optional<TrainingCheckpoint> checkpoint)
            throws TrainingFailure {
        Block block = model.getBlock();
        Loss loss = spec.task() == Task.CLASSIFICATION ? Loss.softmaxCrossEntropyLoss() : Loss.l2Loss("L2Loss", 1);
        try (CheckpointableAdam adam = new CheckpointableAdam((float) params.learningRate(), block);
                Trainer trainer = model.newTrainer(
                        new DefaultTrainingConfig(loss).optOptimizer(adam).optDevices(devices))) {
            trainer.initialize(new Shape(1, spec.inputSize()));
            checkpoint.ifPresent(c -> adam.restore(c.optimizer()));
            EarlyStopping early =
                    checkpoint.map(TrainingCheckpoint::earlyStopping).orElse(EarlyStopping.start());
            int epoch = checkpoint.map(TrainingCheckpoint::epoch).orElse(0);
            EpochLoop loop = new EpochLoop(trainer, spec, params, context, train, validation);
            while (epoch < params.epochs() && !early.exhausted(params.earlyStoppingPatience())) {
                epoch++;
                Map<String, Double> metrics = loop.run(epoch);
                byte[] parameters = saveParameters(block);
                early = early.after(epoch, metrics.get("val_loss"), parameters);
                byte[] state = new TrainingCheckpoint(epoch, spec, early, parameters, adam.export()).toBytes();
                context.epochFinished(epoch, params.epochs(), metrics, state);
            }
            return new Trained(early, epoch);
        }
    }

    /** A failure with advice when the engine ran out of memory; empty for other engine errors. */
    static Optional<TrainingFailure> outOfMemory(EngineException e, TabularParams params) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (!OUT_OF_MEMORY.matcher(message).find()) {
            return Optional.empty();
        }
        return Optional.of(new TrainingFailure(
                "the engine ran out of memory; lower batchSize (now " + params.batchSize() + ") or hiddenLayers (now "
                        + params.hiddenLayers() + ")",
                e));
    }

    /**
     * Zeroes the first layer's weights of the inputs that are 0 in every training row: a category's "unknown" slot
     * when training met no unknown or missing value, or a column constant in training (standardised to 0). Their
     * gradient is always 0, so those weights would keep their random initial values, and an unseen category (or
     * another value of the constant column) in validation or at serving time would add that noise to the answer;
     * zeroed, such an input adds nothing, as in training. Done after initialisation: the weights stay 0 throughout.
     */
    static void zeroUnusedInputs(Block block, EncodedSplit train) {
        int width = train.width();
        boolean[] used = new boolean[width];
        float[] features = train.features();
        for (int i = 0; i < features.length; i++) {
            if (features[i] != 0f) {
                used[i % width] = true;
            }
        }
        // The MLP's first child is its first Linear layer; its weight is (units, inputs).
        NDArray weight =
                block.getChildren().valueAt(0).getParameters().get("weight").getArray();
        // A parameter may already ask for gradients, and PyTorch changes such a tensor in place only without them
        // (as an optimizer's step does).
        boolean gradients = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int input = 0; input < width; input++) {
                if (!used[input]) {
                    weight.set(new NDIndex(":, {}", input), 0f);
                }
            }
        } finally {
            JniUtils.setGradMode(gradients);
        }
    }

    static byte[] saveParameters(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static void loadParameters(Block block, NDManager manager, byte[] parameters) throws TrainingFailure {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
            block.loadParameters(manager, in);
        } catch (IOException | MalformedModelException e) {
            throw new TrainingFailure("the checkpoint's parameters do not fit the model; restart the run", e);
        }
    }
}
