package dev.canopy.runner.recipe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of the tabular recipes, typed. Built from resolved params only ({@link Validation#resolvedParams()},
 * possibly after a JSON round trip that turned longs into integers or lists into other lists).
 */
record TabularParams(
        String label,
        List<String> features,
        List<Integer> hiddenLayers,
        String activation,
        double dropout,
        int epochs,
        int batchSize,
        double learningRate,
        double validationFraction,
        double testFraction,
        int earlyStoppingPatience,
        long seed) {

    static final List<ParamSpec> SPECS = List.of(
            new ParamSpec("label", "string", null, "Required. The column to predict."),
            new ParamSpec(
                    "features",
                    "list<string>",
                    null,
                    "Input columns. Default: every usable column but the label; identifier-like, TEXT and DATETIME"
                            + " columns are left out and the run says so."),
            new ParamSpec(
                    "hiddenLayers", "list<integer>", List.of(64, 32), "Units per hidden layer, 0-8 layers of 1-4096."),
            new ParamSpec("activation", "string", "relu", "Hidden-layer activation: relu, tanh or sigmoid."),
            new ParamSpec("dropout", "number", 0.1, "Dropout rate after each hidden layer, 0-0.9."),
            new ParamSpec("epochs", "integer", 30, "Maximum passes over the training split, 1-10000."),
            new ParamSpec("batchSize", "integer", 32, "Rows per training step, 1-65536."),
            new ParamSpec("learningRate", "number", 0.001, "Adam learning rate, greater than 0."),
            new ParamSpec("validationFraction", "number", 0.15, "Share of rows for validation, 0.01-0.5."),
            new ParamSpec(
                    "testFraction",
                    "number",
                    0.15,
                    "Share of rows for the final test, 0.01-0.5; with validationFraction at most 0.8."),
            new ParamSpec(
                    "earlyStoppingPatience",
                    "integer",
                    10,
                    "Stop after this many epochs without a lower val_loss, 1-10000; the best epoch is kept."),
            new ParamSpec("seed", "integer", 42, "Seed of the split, the initialisation, dropout and shuffling."));

    @SuppressWarnings("unchecked")
    static TabularParams of(Map<String, Object> resolved) {
        return new TabularParams(
                (String) resolved.get("label"),
                ((List<Object>) resolved.get("features"))
                        .stream().map(String::valueOf).toList(),
                ((List<Object>) resolved.get("hiddenLayers"))
                        .stream().map(n -> ((Number) n).intValue()).toList(),
                (String) resolved.get("activation"),
                number(resolved, "dropout"),
                (int) integer(resolved, "epochs"),
                (int) integer(resolved, "batchSize"),
                number(resolved, "learningRate"),
                number(resolved, "validationFraction"),
                number(resolved, "testFraction"),
                (int) integer(resolved, "earlyStoppingPatience"),
                integer(resolved, "seed"));
    }

    /** The params as JSON-friendly values, in {@link #SPECS} order. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("label", label);
        map.put("features", features);
        map.put("hiddenLayers", hiddenLayers);
        map.put("activation", activation);
        map.put("dropout", dropout);
        map.put("epochs", epochs);
        map.put("batchSize", batchSize);
        map.put("learningRate", learningRate);
        map.put("validationFraction", validationFraction);
        map.put("testFraction", testFraction);
        map.put("earlyStoppingPatience", earlyStoppingPatience);
        map.put("seed", seed);
        return map;
    }

    private static double number(Map<String, Object> resolved, String name) {
        return ((Number) resolved.get(name)).doubleValue();
    }

    private static long integer(Map<String, Object> resolved, String name) {
        return ((Number) resolved.get(name)).longValue();
    }
}
