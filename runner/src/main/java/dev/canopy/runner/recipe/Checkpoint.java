package dev.canopy.runner.recipe;

/**
 * A committed checkpoint.
 *
 * @param epoch the epoch it was taken after (from 1)
 * @param bytes what the recipe passed to {@link TrainingContext#epochFinished}
 */
public record Checkpoint(int epoch, byte[] bytes) {}
