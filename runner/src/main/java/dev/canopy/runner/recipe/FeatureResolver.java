package dev.canopy.runner.recipe;

import dev.canopy.runner.recipe.DatasetProfile.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides the feature columns: checks an explicit list, or picks every usable column but the label.
 *
 * <p>Left out by default, each with a note: DATETIME columns, identifier-like columns (a non-numeric column whose values
 * all differ, or a NUMERIC one named {@code id} or {@code *_id} whose values all differ) and TEXT columns. The profile does not
 * say whether numbers are integers, so any all-distinct NUMERIC column with an id-like name counts as an identifier.
 */
final class FeatureResolver {

    private static final Set<String> USABLE_TYPES = Set.of("NUMERIC", "BOOLEAN", "CATEGORICAL");

    private final DatasetProfile profile;
    private final String label;
    private final List<Problem> problems;
    private final List<String> notes;

    FeatureResolver(DatasetProfile profile, String label, List<Problem> problems, List<String> notes) {
        this.profile = profile;
        this.label = label;
        this.problems = problems;
        this.notes = notes;
    }

    /** The features to use; problems and notes go to the lists given to the constructor. */
    List<String> resolve(List<String> requested) {
        List<String> features = requested == null ? byDefault() : checked(requested);
        if (features.isEmpty() && requested == null) {
            problems.add(new Problem("features", "the dataset has no usable feature column besides the label"));
        }
        return features;
    }

    private List<String> byDefault() {
        List<String> features = new ArrayList<>();
        for (Column column : profile.columns()) {
            if (column.name().equals(label)) {
                continue;
            }
            Optional<String> reason = leaveOutReason(column);
            if (reason.isPresent()) {
                notes.add("column '" + column.name() + "' left out: " + reason.get());
            } else {
                features.add(column.name());
            }
        }
        return features;
    }

    private List<String> checked(List<String> requested) {
        for (String name : requested) {
            Optional<Column> column = profile.column(name);
            if (column.isEmpty()) {
                problems.add(new Problem("features", "column '" + name + "' does not exist"));
            } else if (name.equals(label)) {
                problems.add(new Problem("features", "column '" + name + "' is the label"));
            } else if (!USABLE_TYPES.contains(column.get().type())) {
                problems.add(new Problem(
                        "features",
                        "column '" + name + "' is " + column.get().type()
                                + "; features must be NUMERIC, BOOLEAN or CATEGORICAL"));
            }
        }
        return requested;
    }

    private Optional<String> leaveOutReason(Column column) {
        // Dates first: every timestamp differing says nothing about being an identifier.
        if (column.type().equals("DATETIME")) {
            return Optional.of("dates and times are not used as features");
        }
        if (isIdentifierLike(column)) {
            return Optional.of("looks like an identifier");
        }
        if (column.type().equals("TEXT")) {
            return Optional.of("free text is not used as a feature");
        }
        return USABLE_TYPES.contains(column.type())
                ? Optional.empty()
                : Optional.of("unknown column type " + column.type());
    }

    private boolean isIdentifierLike(Column column) {
        boolean allDistinct = !column.distinctCapped() && column.distinct() == profile.rowCount();
        if (!allDistinct) {
            return false;
        }
        if (!column.type().equals("NUMERIC")) {
            return true;
        }
        String name = column.name().toLowerCase(Locale.ROOT);
        return name.equals("id") || name.endsWith("_id");
    }
}
