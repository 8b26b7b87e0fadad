package dev.canopy.runner.recipe;

import dev.canopy.runner.inference.ModelSpec.Task;

/**
 * {@code tabular-regression}: an MLP that predicts a NUMERIC column from tabular features. Public only because
 * {@link java.util.ServiceLoader} instantiates it.
 */
public final class TabularRegressionRecipe extends TabularRecipe {

    public TabularRegressionRecipe() {
        super("tabular-regression", Task.REGRESSION);
    }
}
