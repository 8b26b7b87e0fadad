package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.canopy.runner.inference.MlpBlock;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.util.Map;
import java.util.stream.IntStream;
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

    /**
     * Zeroed from the start, not only in the artifact: the model validated after each epoch (which picks the best
     * one) is the model that is saved. Penguins' "unknown" island slot is 0 in every training row.
     */
    @Test
    void theUnusedInputsAreZeroInEveryEpochsCheckpoint() throws Exception {
        RecordingContext context = RecordingContext.penguins(Map.of("label", "species", "epochs", 2));
        new TabularClassificationRecipe().train(context);

        for (Checkpoint checkpoint : context.checkpoints) {
            TrainingCheckpoint state = TrainingCheckpoint.fromBytes(checkpoint.bytes());
            try (NDManager manager = NDManager.newBaseManager()) {
                Block block = MlpBlock.build(state.spec());
                block.initialize(
                        manager, DataType.FLOAT32, new Shape(1, state.spec().inputSize()));
                block.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(state.parameters())));
                NDArray weight = block.getChildren()
                        .valueAt(0)
                        .getParameters()
                        .get("weight")
                        .getArray();
                long inputs = weight.getShape().get(1);
                long zeroColumns = IntStream.range(0, (int) inputs)
                        .filter(input -> weight.get(new NDIndex(":, {}", input))
                                        .abs()
                                        .sum()
                                        .getFloat()
                                == 0f)
                        .count();
                assertThat(zeroColumns).as("epoch %d", checkpoint.epoch()).isPositive();
            }
        }
        assertThat(context.checkpoints).hasSize(2);
    }
}
