package dev.canopy.runner.recipe;

import dev.canopy.runner.recipe.DatasetProfile.Column;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** The penguins test dataset (344 rows, CRLF line endings, missing values) and its profile; also used by inference tests. */
public final class Penguins {

    /** As the platform's profiler reports it (counts checked with Python's csv module). */
    public static final DatasetProfile PROFILE = new DatasetProfile(
            344,
            List.of(
                    new Column("species", "CATEGORICAL", 0, 3, false),
                    new Column("island", "CATEGORICAL", 0, 3, false),
                    new Column("bill_length_mm", "NUMERIC", 2, 164, false),
                    new Column("bill_depth_mm", "NUMERIC", 2, 80, false),
                    new Column("flipper_length_mm", "NUMERIC", 2, 55, false),
                    new Column("body_mass_g", "NUMERIC", 2, 94, false),
                    new Column("sex", "CATEGORICAL", 10, 3, false)));

    private Penguins() {}

    public static Path csv() {
        try {
            return Path.of(Penguins.class.getResource("/datasets/penguins.csv").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
