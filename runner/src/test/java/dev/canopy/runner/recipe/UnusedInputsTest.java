package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import org.junit.jupiter.api.Test;

class UnusedInputsTest {

    @Test
    void anInputThatIsZeroInEveryTrainingRowGetsZeroFirstLayerWeightsAndTheOthersKeepTheirs() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = new SequentialBlock()
                    .add(Linear.builder().setUnits(4).build())
                    .add(Linear.builder().setUnits(1).build());
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
            NDArray weight =
                    block.getChildren().valueAt(0).getParameters().get("weight").getArray();
            float[] before = weight.toFloatArray();
            // Input 1 (an "unknown" slot, say) is 0 in both training rows; input 2 is not, in one of them.
            EncodedSplit train = new EncodedSplit(
                    2, 3, new float[] {1f, 0f, 0.5f, -1f, 0f, 0f}, new float[] {0f, 1f}, new String[] {"a", "b"});

            ModelTraining.zeroUnusedInputs(block, train);

            float[] after = weight.toFloatArray();
            assertThat(weight.getShape()).isEqualTo(new Shape(4, 3));
            for (int unit = 0; unit < 4; unit++) {
                assertThat(after[unit * 3]).isEqualTo(before[unit * 3]);
                assertThat(after[unit * 3 + 1]).isZero();
                assertThat(after[unit * 3 + 2]).isEqualTo(before[unit * 3 + 2]);
            }
            assertThat(before[1]).isNotZero();
        }
    }
}
