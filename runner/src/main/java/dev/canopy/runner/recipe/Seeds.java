package dev.canopy.runner.recipe;

import java.util.SplittableRandom;

/**
 * Derives every random stream of a run from the run's seed, so that a run is reproducible and an epoch depends only on
 * (seed, epoch) and the state the previous epoch left, never on how many random numbers earlier epochs drew. That is
 * what lets a run resumed from a checkpoint repeat the uninterrupted run exactly.
 */
final class Seeds {

    /** Stream used for the train/validation/test split. */
    static final int SPLIT = -1;

    /** Stream used for parameter initialisation. */
    static final int INITIALISATION = 0;

    private Seeds() {}

    /** A well-mixed seed for {@code stream} (an epoch number from 1, or one of the constants above). */
    static long of(long seed, int stream) {
        // Two rounds of SplittableRandom's mixing: neighbouring seeds and streams give unrelated values.
        long base = new SplittableRandom(seed).nextLong();
        return new SplittableRandom(base + stream).nextLong();
    }

    /** The seed for the engine's generator (dropout, initialisation), which takes an int. */
    static int engineSeed(long seed, int stream) {
        return (int) of(seed, stream);
    }

    /** Fisher–Yates shuffle of {@code values} in place with a generator seeded by {@code seed}. */
    static void shuffle(int[] values, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}
