package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointableAdamTest {

    @Test
    void takesBiasCorrectedStepsOfTheLearningRateAndResetsTheGradient() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Block block = singleWeight(manager, 1f);
            Parameter weight = block.getParameters().valueAt(0);
            try (CheckpointableAdam adam = new CheckpointableAdam(0.1f, block)) {
                // With a constant gradient the bias-corrected step is exactly the learning rate (up to epsilon).
                step(adam, weight, 0.5f);
                assertThat(weight.getArray().getFloat()).isCloseTo(0.9f, within(1e-6f));
                step(adam, weight, 0.5f);
                assertThat(weight.getArray().getFloat()).isCloseTo(0.8f, within(1e-6f));
                assertThat(weight.getArray().getGradient().getFloat()).isZero();
            }
        }
    }

    @Test
    void continuesExactlyFromExportedState() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Block block = singleWeight(manager, 1f);
            Parameter weight = block.getParameters().valueAt(0);
            try (CheckpointableAdam original = new CheckpointableAdam(0.01f, block);
                    CheckpointableAdam restored = new CheckpointableAdam(0.01f, block)) {
                step(original, weight, 0.3f);
                Map<String, CheckpointableAdam.Moments> state = original.export();
                float afterFirstStep = weight.getArray().getFloat();
                step(original, weight, -0.7f);
                float expected = weight.getArray().getFloat();

                weight.getArray().set(new float[] {afterFirstStep});
                restored.restore(state);
                step(restored, weight, -0.7f);

                assertThat(weight.getArray().getFloat()).isEqualTo(expected);
                String name = block.getParameters().keyAt(0);
                assertThat(restored.export().get(name).step()).isEqualTo(2);
            }
        }
    }

    private static Block singleWeight(NDManager manager, float value) {
        Block block = Linear.builder().setUnits(1).optBias(false).build();
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 1));
        block.getParameters().valueAt(0).getArray().set(new float[] {value});
        return block;
    }

    /** Gives the weight the gradient {@code gradient} (as d(gradient·w)/dw) and lets the optimizer update it. */
    private static void step(CheckpointableAdam adam, Parameter weight, float gradient) {
        NDArray array = weight.getArray();
        try (GradientCollector collector = array.getManager().getEngine().newGradientCollector();
                NDArray loss = array.mul(gradient).sum()) {
            collector.backward(loss);
        }
        try (NDArray grad = array.getGradient()) {
            adam.update(weight.getId(), array, grad);
        }
    }
}
