package dev.canopy.runner.recipe;

/**
 * A failure a person can act on; the message says what happened and what to change, e.g. {@code loss became NaN at
 * epoch 3; lower learningRate (now 0.5)}.
 */
public class TrainingFailure extends Exception {

    private static final long serialVersionUID = 1L;

    public TrainingFailure(String message) {
        super(message);
    }

    public TrainingFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
