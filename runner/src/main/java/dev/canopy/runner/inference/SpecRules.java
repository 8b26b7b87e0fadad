package dev.canopy.runner.inference;

import dev.canopy.runner.inference.ModelSpec.Feature;
import dev.canopy.runner.inference.ModelSpec.Kind;
import dev.canopy.runner.inference.ModelSpec.Task;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a {@code spec.json} must hold to be served: training always writes such specs, and an uploaded archive is
 * checked the same way before it can take traffic. A NaN or infinite mean or deviation makes every record look far
 * outside the training data (the caller's 400: a canary that refuses half the clients and never decides); two classes
 * of one name lose one's probability. A deviation of 0 (training writes 1 for a constant column) is let through: it
 * makes the version answer NaN, which fails requests as the version's own 500s, counted against it (this is how the
 * tests build a deliberately failing version).
 */
final class SpecRules {

    private SpecRules() {}

    /** @throws IllegalArgumentException naming the first rule the spec breaks */
    static void check(ModelSpec spec) {
        require(spec.task() != null, "task must be CLASSIFICATION or REGRESSION");
        require(spec.label() != null && !spec.label().isEmpty(), "label must name the label column");
        require(
                spec.recipe() == null || text(spec.recipe(), 100),
                "recipe must be 1-100 characters without control characters");
        require(
                !spec.features().isEmpty() && !spec.features().contains(null),
                "features must not be empty or hold null");
        Set<String> names = new HashSet<>();
        int width = 0;
        for (Feature feature : spec.features()) {
            require(feature.name() != null, "every feature needs a name");
            require(names.add(feature.name()), "feature '" + feature.name() + "' appears twice");
            require(feature.kind() != null, "feature '" + feature.name() + "' needs a kind");
            if (feature.kind() == Kind.CATEGORICAL) {
                require(
                        !feature.categories().contains(null)
                                && new HashSet<>(feature.categories()).size()
                                        == feature.categories().size(),
                        "feature '" + feature.name() + "' has a missing or repeated category");
            } else {
                require(
                        Double.isFinite(feature.mean()),
                        "feature '" + feature.name() + "' has mean " + feature.mean() + "; it must be finite");
                require(
                        Double.isFinite(feature.std()) && feature.std() >= 0,
                        "feature '" + feature.name() + "' has std " + feature.std()
                                + "; it must be finite and not negative");
            }
            width += feature.width();
        }
        require(
                spec.inputSize() == width,
                "inputSize is " + spec.inputSize() + " but the features encode to " + width + " inputs");
        for (Integer units : spec.hiddenLayers()) {
            require(units != null && units >= 1, "hiddenLayers must be positive, not " + spec.hiddenLayers());
        }
        require(
                spec.dropout() >= 0 && spec.dropout() < 1,
                "dropout is " + spec.dropout() + "; it must be at least 0 and below 1");
        List<String> classes = spec.labelVocabulary();
        if (spec.task() == Task.CLASSIFICATION) {
            require(
                    classes.size() >= 2 && !classes.contains(null) && new HashSet<>(classes).size() == classes.size(),
                    "labelVocabulary must hold two or more distinct classes");
        } else {
            require(classes.isEmpty(), "a regression model has no labelVocabulary");
            require(
                    Double.isFinite(spec.labelMean()) && Double.isFinite(spec.labelStd()) && spec.labelStd() >= 0,
                    "labelMean and labelStd must be finite and labelStd not negative");
        }
    }

    private static boolean text(String value, int max) {
        return value != null
                && !value.isBlank()
                && value.length() <= max
                && value.chars().noneMatch(Character::isISOControl);
    }

    private static void require(boolean rule, String problem) {
        if (!rule) {
            throw new IllegalArgumentException("spec.json: " + problem);
        }
    }
}
