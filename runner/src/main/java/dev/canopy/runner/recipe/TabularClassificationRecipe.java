package dev.canopy.runner.recipe;

import dev.canopy.runner.inference.ModelSpec.Task;

/**
 * {@code tabular-classification}: an MLP that predicts a class from tabular features. Public only because
 * {@link java.util.ServiceLoader} instantiates it.
 */
public final class TabularClassificationRecipe extends TabularRecipe {

    public TabularClassificationRecipe() {
        super("tabular-classification", Task.CLASSIFICATION);
    }
}
