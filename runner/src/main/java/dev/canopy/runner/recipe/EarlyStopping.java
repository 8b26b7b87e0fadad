package dev.canopy.runner.recipe;

/**
 * Early-stopping state on val_loss: the best epoch so far, its parameters and how many epochs have passed without a
 * strictly lower val_loss. Immutable; {@link #after} gives the state after an epoch.
 *
 * @param bestValLoss the lowest val_loss so far (+∞ before the first epoch)
 * @param bestEpoch the epoch that reached it (0 before the first epoch)
 * @param epochsWithoutImprovement epochs since then
 * @param bestParameters the block's parameters after {@code bestEpoch} ({@code Block.saveParameters} bytes)
 */
record EarlyStopping(double bestValLoss, int bestEpoch, int epochsWithoutImprovement, byte[] bestParameters) {

    static EarlyStopping start() {
        return new EarlyStopping(Double.POSITIVE_INFINITY, 0, 0, new byte[0]);
    }

    /** The state after {@code epoch} ended with {@code valLoss} and parameters {@code parameters}. */
    EarlyStopping after(int epoch, double valLoss, byte[] parameters) {
        if (valLoss < bestValLoss) {
            return new EarlyStopping(valLoss, epoch, 0, parameters);
        }
        return new EarlyStopping(bestValLoss, bestEpoch, epochsWithoutImprovement + 1, bestParameters);
    }

    /** Whether the run should stop now. */
    boolean exhausted(int patience) {
        return epochsWithoutImprovement >= patience;
    }
}
