package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.canopy.runner.recipe.DatasetProfile.Column;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecipeValidationTest {

    private final Recipe classification = new TabularClassificationRecipe();
    private final Recipe regression = new TabularRegressionRecipe();

    @Test
    void acceptsPenguinsSpeciesAndFillsInEveryDefault() {
        Validation validation = classification.validate(Map.of("label", "species"), Penguins.PROFILE);

        assertThat(validation.problems()).isEmpty();
        assertThat(validation.notes()).isEmpty();
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("label", "species");
        expected.put(
                "features",
                List.of("island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"));
        expected.put("hiddenLayers", List.of(64, 32));
        expected.put("activation", "relu");
        expected.put("dropout", 0.1);
        expected.put("epochs", 30);
        expected.put("batchSize", 32);
        expected.put("learningRate", 0.001);
        expected.put("validationFraction", 0.15);
        expected.put("testFraction", 0.15);
        expected.put("earlyStoppingPatience", 10);
        expected.put("seed", 42);
        assertThat(validation.resolvedParams()).containsExactlyEntriesOf(expected);
    }

    @Test
    void documentsEveryParameterWithItsDefault() {
        assertThat(classification.parameters())
                .extracting(ParamSpec::name, ParamSpec::defaultValue)
                .containsExactly(
                        tuple("label", null),
                        tuple("features", null),
                        tuple("hiddenLayers", List.of(64, 32)),
                        tuple("activation", "relu"),
                        tuple("dropout", 0.1),
                        tuple("epochs", 30),
                        tuple("batchSize", 32),
                        tuple("learningRate", 0.001),
                        tuple("validationFraction", 0.15),
                        tuple("testFraction", 0.15),
                        tuple("earlyStoppingPatience", 10),
                        tuple("seed", 42));
    }

    @Test
    void acceptsWholeNumberDoublesAsIntegers() {
        Validation validation = classification.validate(Map.of("label", "species", "epochs", 5.0), Penguins.PROFILE);

        assertThat(validation.problems()).isEmpty();
        assertThat(validation.resolvedParams()).containsEntry("epochs", 5);
    }

    @Test
    void rejectsAnUnknownParameter() {
        assertThat(problems(classification, Map.of("label", "species", "epoch", 5)))
                .containsExactly(new Problem(
                        "epoch",
                        "unknown parameter; known are label, features, hiddenLayers, activation, dropout, epochs,"
                                + " batchSize, learningRate, validationFraction, testFraction, earlyStoppingPatience,"
                                + " seed"));
    }

    @Test
    void rejectsValuesOfTheWrongType() {
        Map<String, Object> params = new HashMap<>();
        params.put("label", 3);
        params.put("features", "island");
        params.put("hiddenLayers", List.of(64, "wide"));
        params.put("activation", true);
        params.put("dropout", "0.1");
        params.put("epochs", 2.5);
        params.put("seed", "42");

        assertThat(problems(classification, params))
                .containsExactlyInAnyOrder(
                        new Problem("label", "must be a column name, got 3"),
                        new Problem("features", "must be a list of column names, got 'island'"),
                        new Problem("hiddenLayers", "must be a list of 0-8 integers of 1-4096, got [64, wide]"),
                        new Problem("activation", "must be one of relu, tanh, sigmoid, got true"),
                        new Problem("dropout", "must be a number from 0.0 to 0.9, got '0.1'"),
                        new Problem("epochs", "must be an integer from 1 to 10000, got 2.5"),
                        new Problem("seed", "must be an integer, got '42'"));
    }

    @Test
    void rejectsValuesOutOfRange() {
        Map<String, Object> params = new HashMap<>();
        params.put("label", "species");
        params.put("hiddenLayers", List.of(0));
        params.put("activation", "gelu");
        params.put("dropout", 0.95);
        params.put("epochs", 0);
        params.put("batchSize", 100_000);
        params.put("learningRate", 0);
        params.put("validationFraction", 0.6);
        params.put("earlyStoppingPatience", -1);

        assertThat(problems(classification, params))
                .containsExactlyInAnyOrder(
                        new Problem("hiddenLayers", "must be a list of 0-8 integers of 1-4096, got [0]"),
                        new Problem("activation", "must be one of relu, tanh, sigmoid, got 'gelu'"),
                        new Problem("dropout", "must be a number from 0.0 to 0.9, got 0.95"),
                        new Problem("epochs", "must be an integer from 1 to 10000, got 0"),
                        new Problem("batchSize", "must be an integer from 1 to 65536, got 100000"),
                        new Problem("learningRate", "must be a number greater than 0, got 0"),
                        new Problem("validationFraction", "must be a number from 0.01 to 0.5, got 0.6"),
                        new Problem("earlyStoppingPatience", "must be an integer from 1 to 10000, got -1"));
    }

    @Test
    void rejectsSplitFractionsThatLeaveTooFewTrainingRows() {
        assertThat(problems(
                        classification, Map.of("label", "species", "validationFraction", 0.45, "testFraction", 0.45)))
                .containsExactly(new Problem(
                        "testFraction",
                        "with validationFraction must be at most 0.8 so that rows are left to train on"));
    }

    /** A split of a row or two makes its metrics noise: R² over one row is not a number. */
    @Test
    void rejectsSplitFractionsThatLeaveFewerThanThreeRows() {
        // 344 penguins: 1 % is 3 rows, still enough; 100 rows at 2 % is 2.
        assertThat(problems(classification, Map.of("label", "species", "validationFraction", 0.01)))
                .isEmpty();
        DatasetProfile hundred =
                profile(100, new Column("y", "NUMERIC", 0, 60, false), new Column("x", "NUMERIC", 0, 12, false));
        assertThat(problems(
                        regression, Map.of("label", "y", "validationFraction", 0.02, "testFraction", 0.02), hundred))
                .containsExactly(
                        new Problem(
                                "validationFraction",
                                "0.02 of the 100 labelled rows is 2 row(s); at least 3 are needed for its metrics to"
                                        + " mean anything"),
                        new Problem(
                                "testFraction",
                                "0.02 of the 100 labelled rows is 2 row(s); at least 3 are needed for its metrics to"
                                        + " mean anything"));
        // The defaults (15 %) on the smallest dataset taken (20 rows) leave 3.
        DatasetProfile twenty =
                profile(20, new Column("y", "NUMERIC", 0, 20, false), new Column("x", "NUMERIC", 0, 12, false));
        assertThat(problems(regression, Map.of("label", "y"), twenty)).isEmpty();
    }

    @Test
    void rejectsAConstantRegressionLabel() {
        DatasetProfile profile =
                profile(40, new Column("y", "NUMERIC", 0, 1, false), new Column("x", "NUMERIC", 0, 12, false));

        assertThat(problems(regression, Map.of("label", "y"), profile))
                .containsExactly(new Problem(
                        "label",
                        "column 'y' has 1 distinct value(s); a constant needs no model (and its R² is not a number)"));
    }

    @Test
    void rejectsAMissingLabel() {
        assertThat(problems(classification, Map.of()))
                .containsExactly(new Problem("label", "is required: name the column to predict"));
    }

    @Test
    void rejectsALabelColumnThatDoesNotExist() {
        assertThat(problems(classification, Map.of("label", "weight")))
                .containsExactly(new Problem("label", "column 'weight' does not exist"));
    }

    @Test
    void rejectsAClassificationLabelWithFewerThanTwoClasses() {
        DatasetProfile profile = profile(
                40, new Column("constant", "CATEGORICAL", 0, 1, false), new Column("x", "NUMERIC", 0, 12, false));

        assertThat(problems(classification, Map.of("label", "constant"), profile))
                .containsExactly(new Problem(
                        "label", "column 'constant' has 1 distinct value(s); classification needs at least 2 classes"));
    }

    @Test
    void notesThatANumericLabelWithManyValuesMayBeAMeasurement() {
        DatasetProfile profile =
                profile(100, new Column("mass", "NUMERIC", 0, 94, false), new Column("x", "NUMERIC", 0, 12, false));
        DatasetProfile codes =
                profile(100, new Column("grade", "NUMERIC", 0, 5, false), new Column("x", "NUMERIC", 0, 12, false));

        Validation validation = classification.validate(Map.of("label", "mass"), profile);
        assertThat(validation.problems()).isEmpty();
        assertThat(validation.notes())
                .containsExactly("label 'mass' is a number with 94 distinct values, each a class of its own;"
                        + " tabular-regression predicts a number");
        assertThat(classification.validate(Map.of("label", "grade"), codes).notes())
                .isEmpty();
    }

    @Test
    void rejectsARegressionLabelThatIsNotNumeric() {
        assertThat(problems(regression, Map.of("label", "species")))
                .containsExactly(
                        new Problem("label", "column 'species' is CATEGORICAL; regression needs a NUMERIC label"));
    }

    @Test
    void rejectsFeaturesThatDoNotExistOrCannotBeUsed() {
        DatasetProfile profile = profile(
                40,
                new Column("y", "NUMERIC", 0, 30, false),
                new Column("x", "NUMERIC", 0, 30, false),
                new Column("comment", "TEXT", 0, 38, false));

        assertThat(problems(regression, Map.of("label", "y", "features", List.of("x", "z", "comment", "y")), profile))
                .containsExactly(
                        new Problem("features", "column 'z' does not exist"),
                        new Problem(
                                "features",
                                "column 'comment' is TEXT; features must be NUMERIC, BOOLEAN or CATEGORICAL"),
                        new Problem("features", "column 'y' is the label"));
    }

    @Test
    void rejectsADatasetWithFewerThan20Rows() {
        DatasetProfile profile =
                profile(19, new Column("y", "NUMERIC", 0, 19, false), new Column("x", "NUMERIC", 0, 19, false));

        assertThat(problems(regression, Map.of("label", "y"), profile))
                .containsExactly(new Problem("dataset", "has 19 rows; at least 20 are needed"));
    }

    @Test
    void rejectsALabelWithFewerThan20Values() {
        DatasetProfile profile =
                profile(30, new Column("y", "NUMERIC", 11, 19, false), new Column("x", "NUMERIC", 0, 30, false));

        assertThat(problems(regression, Map.of("label", "y"), profile))
                .containsExactly(
                        new Problem("label", "only 19 rows have a value in column 'y'; at least 20 are needed"));
    }

    @Test
    void leavesOutIdentifierTextAndDatetimeColumnsWithANoteEach() {
        DatasetProfile profile = profile(
                40,
                new Column("id", "NUMERIC", 0, 40, false),
                new Column("customer_id", "NUMERIC", 0, 40, false),
                new Column("order_code", "CATEGORICAL", 0, 40, false),
                new Column("amount", "NUMERIC", 0, 40, false),
                new Column("store_id", "NUMERIC", 0, 5, false),
                new Column("comment", "TEXT", 3, 37, false),
                new Column("reference", "TEXT", 0, 40, false),
                new Column("created", "DATETIME", 0, 40, false),
                new Column("churned", "BOOLEAN", 0, 2, false));

        Validation validation = classification.validate(Map.of("label", "churned"), profile);

        assertThat(validation.problems()).isEmpty();
        assertThat(validation.resolvedParams().get("features")).isEqualTo(List.of("amount", "store_id"));
        assertThat(validation.notes())
                .containsExactly(
                        "column 'id' left out: looks like an identifier",
                        "column 'customer_id' left out: looks like an identifier",
                        "column 'order_code' left out: looks like an identifier",
                        "column 'comment' left out: free text is not used as a feature",
                        "column 'reference' left out: looks like an identifier",
                        "column 'created' left out: dates and times are not used as features");
    }

    @Test
    void rejectsADatasetWithoutAnyUsableFeature() {
        DatasetProfile profile =
                profile(40, new Column("id", "NUMERIC", 0, 40, false), new Column("y", "NUMERIC", 0, 30, false));

        Validation validation = regression.validate(Map.of("label", "y"), profile);

        assertThat(validation.problems())
                .containsExactly(new Problem("features", "the dataset has no usable feature column besides the label"));
        assertThat(validation.notes()).containsExactly("column 'id' left out: looks like an identifier");
    }

    private static List<Problem> problems(Recipe recipe, Map<String, Object> params) {
        return problems(recipe, params, Penguins.PROFILE);
    }

    private static List<Problem> problems(Recipe recipe, Map<String, Object> params, DatasetProfile profile) {
        return recipe.validate(params, profile).problems();
    }

    private static DatasetProfile profile(long rows, Column... columns) {
        return new DatasetProfile(rows, List.of(columns));
    }
}
