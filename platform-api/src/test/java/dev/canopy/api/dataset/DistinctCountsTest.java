package dev.canopy.api.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Values written to collide under String.hashCode do not collide in the distinct-value tables. */
class DistinctCountsTest {

    /** Every string of {@code blocks} blocks of "Aa", "BB" and "C#", which all share String.hashCode 2112. */
    private static List<String> colliding(int blocks) {
        List<String> values = new ArrayList<>(List.of(""));
        for (int b = 0; b < blocks; b++) {
            List<String> longer = new ArrayList<>();
            for (String value : values) {
                for (String block : List.of("Aa", "BB", "C#")) {
                    longer.add(value + block);
                }
            }
            values = longer;
        }
        return values;
    }

    @Test
    void valuesOfOneStringHashGetHashesOfTheirOwn() {
        List<String> values = colliding(9);
        assertThat(values.stream().map(String::hashCode).distinct()).hasSize(1);
        long seed = ThreadLocalRandom.current().nextLong();
        long multiplier = ThreadLocalRandom.current().nextLong() | 1;
        CharSlice slice = new CharSlice();
        Set<Integer> hashes = new HashSet<>();
        for (String value : values) {
            hashes.add(slice.set(value.toCharArray(), 0, value.length()).contentHash(seed, multiplier));
        }

        // 19,683 values in 2^32 hashes: a handful of chance collisions at most.
        assertThat(hashes).hasSizeGreaterThan(values.size() - 20);
    }

    @Test
    void countsEachOfThemApart() {
        List<String> values = colliding(7);
        DistinctCounts counts = new DistinctCounts(10_000, new DistinctMemory(64L << 20, 1));
        CharSlice slice = new CharSlice();
        for (int round = 0; round < 2; round++) {
            for (String value : values) {
                counts.add(slice.set(value.toCharArray(), 0, value.length()));
            }
        }

        assertThat(counts.size()).isEqualTo(values.size());
        assertThat(counts.capped()).isFalse();
        assertThat(counts.top(1).get(0).count()).isEqualTo(2);
    }

    @Test
    void aLongValueIsShownCutWithoutSplittingACharacter() {
        DistinctCounts counts = new DistinctCounts(10, new DistinctMemory(64L << 20, 1));
        String emoji = "\uD83D\uDE00";
        String longValue = "x".repeat(ColumnProfile.MAX_SHOWN_CHARS - 1) + emoji + "tail";
        CharSlice slice = new CharSlice();
        counts.add(slice.set(longValue.toCharArray(), 0, longValue.length()));
        counts.add(slice.set("short".toCharArray(), 0, 5));

        assertThat(counts.top(2))
                .extracting(ColumnProfile.CategoryCount::value)
                .containsExactly("short", "x".repeat(ColumnProfile.MAX_SHOWN_CHARS - 1) + "\u2026");
    }
}
