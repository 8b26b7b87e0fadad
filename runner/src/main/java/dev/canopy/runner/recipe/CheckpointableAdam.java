package dev.canopy.runner.recipe;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adam (Kingma &amp; Ba) with the standard bias correction, whose state can be exported into a checkpoint and restored:
 * DJL's own Adam keeps its moments private, so a resumed run could not continue exactly with it.
 *
 * <p>Per parameter and step t: {@code m = β1·m + (1−β1)·g}, {@code v = β2·v + (1−β2)·g²}, {@code w -= lr · (m / (1 −
 * β1^t)) / (sqrt(v / (1 − β2^t)) + ε)}. State is keyed by the parameter's path in the block (stable across model
 * instances, unlike DJL's parameter ids). With several devices DJL calls {@link #update} once per device copy with the
 * same summed gradient, so each device keeps identical state of its own.
 */
final class CheckpointableAdam extends Optimizer implements AutoCloseable {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    /** The moments and step count of one parameter, as plain arrays for a checkpoint. */
    record Moments(int step, float[] mean, float[] variance) {}

    private final float learningRate;
    private final Map<String, String> namesById = new HashMap<>();
    private final Map<String, Map<Device, State>> states = new ConcurrentHashMap<>();
    private final Map<String, Moments> restored = new ConcurrentHashMap<>();
    private final NDManager manager = NDManager.newBaseManager();

    /** Mutable per-device state; its arrays belong to this optimizer's manager. */
    private static final class State {
        int step;
        NDArray mean;
        NDArray variance;
    }

    CheckpointableAdam(float learningRate, Block block) {
        super(new Builder());
        this.learningRate = learningRate;
        for (Pair<String, Parameter> parameter : block.getParameters()) {
            namesById.put(parameter.getValue().getId(), parameter.getKey());
        }
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        String name = namesById.get(parameterId);
        State state = states.computeIfAbsent(name, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(weight.getDevice(), device -> newState(name, weight));
        state.step++;
        try (NDArray scaled = grad.mul(1 - BETA1)) {
            state.mean.muli(BETA1).addi(scaled);
        }
        try (NDArray scaled = grad.square().muli(1 - BETA2)) {
            state.variance.muli(BETA2).addi(scaled);
        }
        float meanCorrection = (float) (1 - Math.pow(BETA1, state.step));
        float varianceCorrection = (float) (1 - Math.pow(BETA2, state.step));
        try (NDArray correctedVariance = state.variance.div(varianceCorrection);
                NDArray denominator = correctedVariance.sqrt().addi(EPSILON);
                NDArray step = state.mean.div(meanCorrection).divi(denominator).muli(learningRate);
                // A detached view shares the weight's storage, so this updates the weight in place without autograd
                // objecting to an in-place change of a leaf that requires a gradient.
                NDArray data = weight.stopGradient()) {
            data.subi(step);
        }
        // The engine accumulates gradients across backward passes; this optimizer owns resetting them.
        try (NDArray gradient = weight.getGradient()) {
            gradient.subi(gradient);
        }
    }

    /** The state of every parameter updated so far (or restored), by parameter path. */
    Map<String, Moments> export() {
        Map<String, Moments> exported = new HashMap<>(restored);
        states.forEach((name, byDevice) -> {
            // Every device holds the same state; any one will do.
            State state = byDevice.values().iterator().next();
            exported.put(name, new Moments(state.step, state.mean.toFloatArray(), state.variance.toFloatArray()));
        });
        return exported;
    }

    /** Continues from exported state; call before the first {@link #update}. */
    void restore(Map<String, Moments> moments) {
        restored.putAll(moments);
    }

    private State newState(String name, NDArray weight) {
        State state = new State();
        state.mean = weight.zerosLike();
        state.mean.attach(manager);
        state.variance = weight.zerosLike();
        state.variance.attach(manager);
        Moments saved = restored.get(name);
        if (saved != null) {
            state.step = saved.step();
            state.mean.set(FloatBuffer.wrap(saved.mean()));
            state.variance.set(FloatBuffer.wrap(saved.variance()));
        }
        return state;
    }

    @Override
    public void close() {
        manager.close();
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
