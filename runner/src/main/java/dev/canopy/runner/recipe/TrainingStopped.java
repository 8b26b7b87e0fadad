package dev.canopy.runner.recipe;

/**
 * Thrown by the context's callbacks to stop training for cancellation or drain. Recipes let it propagate after
 * releasing native memory; the last checkpoint passed to {@link TrainingContext#epochFinished} resumes the run.
 */
public class TrainingStopped extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TrainingStopped(String message) {
        super(message);
    }
}
