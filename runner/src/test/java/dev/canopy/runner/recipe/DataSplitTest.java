package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataSplitTest {

    @Test
    void splitsEveryRowIntoExactlyOneSortedPartWithRoundedSizes() {
        DataSplit split = DataSplit.of(342, 0.15, 0.15, 42);

        assertThat(split.test()).hasSize(51).isSorted();
        assertThat(split.validation()).hasSize(51).isSorted();
        assertThat(split.train()).hasSize(240).isSorted();
        int[] all = IntStream.concat(
                        IntStream.concat(IntStream.of(split.train()), IntStream.of(split.validation())),
                        IntStream.of(split.test()))
                .sorted()
                .toArray();
        assertThat(all).containsExactly(IntStream.range(0, 342).toArray());
    }

    @Test
    void dependsOnlyOnTheSeed() {
        assertThat(DataSplit.of(100, 0.2, 0.1, 7).test())
                .containsExactly(DataSplit.of(100, 0.2, 0.1, 7).test());
        assertThat(DataSplit.of(100, 0.2, 0.1, 7).test())
                .isNotEqualTo(DataSplit.of(100, 0.2, 0.1, 8).test());
    }

    @Test
    void keepsAtLeastOneRowForValidationAndTest() {
        DataSplit split = DataSplit.of(20, 0.01, 0.01, 1);

        assertThat(split.validation()).hasSize(1);
        assertThat(split.test()).hasSize(1);
        assertThat(split.train()).hasSize(18);
    }
}
