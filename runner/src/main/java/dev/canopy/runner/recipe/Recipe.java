package dev.canopy.runner.recipe;

import java.util.List;
import java.util.Map;

/**
 * A training recipe, found with {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.canopy.runner.recipe.Recipe}). Implementations are stateless and thread-safe.
 */
public interface Recipe {

    /** The name runs refer to, e.g. {@code tabular-classification}. */
    String name();

    /** The documented parameters with their defaults. */
    List<ParamSpec> parameters();

    /** Checks params against the dataset profile before anything is queued. Never throws for bad params. */
    Validation validate(Map<String, Object> params, DatasetProfile profile);

    /**
     * Trains (resuming from {@code context.checkpoint()} when present) and returns the model and test metrics.
     *
     * @throws TrainingFailure for a failure a person can act on (bad data, divergence, out of memory)
     * @throws TrainingStopped when a context callback stops the run; native memory is released first
     */
    TrainingResult train(TrainingContext context) throws TrainingFailure;
}
