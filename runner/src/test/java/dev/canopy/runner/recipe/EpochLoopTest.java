package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a batch is split across a run's GPUs (the split itself runs only where there are several). */
class EpochLoopTest {

    @Test
    void aBatchIsSplitAsEvenlyAsItCanBeWithNoEmptySlice() {
        assertThat(EpochLoop.sliceRows(32, 1)).containsExactly(32);
        assertThat(EpochLoop.sliceRows(32, 4)).containsExactly(8, 8, 8, 8);
        // DJL's split made 2, 2 and an empty slice (a NaN loss), and 2, 2, 2 and -1 rows.
        assertThat(EpochLoop.sliceRows(4, 3)).containsExactly(2, 1, 1);
        assertThat(EpochLoop.sliceRows(5, 4)).containsExactly(2, 1, 1, 1);
        // Each slice's loss is weighted by these rows: 3 and 2, not 2 and 3.
        assertThat(EpochLoop.sliceRows(5, 2)).containsExactly(3, 2);
        // A batch smaller than the GPUs leaves some out.
        assertThat(EpochLoop.sliceRows(2, 4)).containsExactly(1, 1);
        assertThat(EpochLoop.sliceRows(1, 8)).containsExactly(1);
    }
}
