package dev.canopy.runner.inference;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;

/**
 * Builds the multi-layer perceptron a {@link ModelSpec} describes. Training and loading both build it here, because
 * DJL parameters only load into a block of exactly the same structure.
 */
public final class MlpBlock {

    private MlpBlock() {}

    /**
     * Linear → activation → dropout for each hidden layer (no dropout layer when the rate is 0), then a linear output
     * layer of {@link ModelSpec#outputSize()} units (logits for classification, a standardised value for regression).
     */
    public static SequentialBlock build(ModelSpec spec) {
        SequentialBlock block = new SequentialBlock();
        for (int units : spec.hiddenLayers()) {
            block.add(Linear.builder().setUnits(units).build());
            block.add(activation(spec.activation()));
            if (spec.dropout() > 0) {
                block.add(Dropout.builder().optRate((float) spec.dropout()).build());
            }
        }
        block.add(Linear.builder().setUnits(spec.outputSize()).build());
        return block;
    }

    private static Block activation(String name) {
        return switch (name) {
            case "relu" -> Activation.reluBlock();
            case "tanh" -> Activation.tanhBlock();
            case "sigmoid" -> Activation.sigmoidBlock();
            default -> throw new IllegalArgumentException("unknown activation '" + name + "'");
        };
    }
}
