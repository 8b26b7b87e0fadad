package dev.canopy.api.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.api.error.InvalidRequest;
import org.junit.jupiter.api.Test;

/** A gate reads one way only: fields it would ignore, unknown types and numbers that are not finite are refused. */
class GateSpecTest {

    private static String refusedField(GateSpec gate) {
        try {
            gate.checked("gates[0]");
        } catch (InvalidRequest e) {
            return e.details().get(0).field() + ": " + e.details().get(0).problem();
        }
        throw new AssertionError("accepted: " + gate);
    }

    @Test
    void anExpressionIsTheWholeGate() {
        // With both, the expression used to win, and a gate stricter than the expression passed.
        assertThat(refusedField(new GateSpec(
                        "threshold",
                        "test_accuracy",
                        ">=",
                        0.5,
                        null,
                        "metrics.test_accuracy >= 0.1",
                        null,
                        null,
                        null)))
                .startsWith("gates[0].metric: is not read by a gate given as an expression");
        assertThat(refusedField(
                        new GateSpec("beats-live", null, null, null, null, "metrics.a >= 0.1", null, null, null)))
                .startsWith("gates[0].type:");
        assertThat(refusedField(new GateSpec(null, null, null, null, null, "metrics.a >= 1e400", null, null, null)))
                .isEqualTo("gates[0].expression: the number must be finite, got 1e400");
        assertThat(refusedField(new GateSpec(null, null, null, null, null, "metrics.a >= -1e400", null, null, null)))
                .contains("must be finite");
        assertThat(new GateSpec("threshold", null, null, null, null, "metrics.a >= 0.9", null, null, null).checked("g"))
                .isEqualTo(new GateSpec("threshold", "a", ">=", 0.9, null, null, null, null, null));
    }

    @Test
    void aGateNamesItsTypeAndOnlyTheFieldsOfThatType() {
        assertThat(refusedField(new GateSpec(null, "test_accuracy", ">=", 0.9, null, null, null, null, null)))
                .startsWith("gates[0].type: is required: 'threshold', 'beats-live' or 'held-out'");
        assertThat(refusedField(new GateSpec("bogus", null, null, null, null, null, null, null, null)))
                .startsWith("gates[0].type: is 'bogus'; it must be 'threshold'");
        assertThat(refusedField(new GateSpec("threshold", "test_accuracy", ">=", 0.9, 0.1, null, null, null, null)))
                .isEqualTo("gates[0].margin: is not read by a threshold gate; leave it out");
        assertThat(refusedField(new GateSpec("beats-live", "test_accuracy", null, 0.9, null, null, null, null, null)))
                .isEqualTo("gates[0].value: is not read by a beats-live gate; leave it out");
        assertThat(refusedField(
                        new GateSpec("beats-live", "test_accuracy", null, null, 0.0, null, "penguins", null, null)))
                .isEqualTo("gates[0].dataset: is not read by a beats-live gate; leave it out");
        assertThat(refusedField(new GateSpec("held-out", "accuracy", ">=", null, 0.0, null, "penguins", "1", null)))
                .isEqualTo("gates[0].op: is not read by a held-out gate; leave it out");
        assertThat(refusedField(new GateSpec("held-out", "val_loss", null, null, 0.0, null, "penguins", null, null)))
                .startsWith("gates[0].metric: a held-out gate scores one of test_accuracy, test_f1_macro, test_loss,");
        assertThat(new GateSpec("held-out", "accuracy", null, null, null, null, "penguins", null, null).checked("g"))
                .isEqualTo(
                        new GateSpec("held-out", "test_accuracy", null, null, 0.0, null, "penguins", "latest", true));
    }

    /** Which way a metric is better is said, or told by its name; a guess would promote the worse version. */
    @Test
    void aComparedMetricSaysWhichWayIsBetterUnlessItsNameTells() {
        assertThat(GateSpec.direction("test_rmse")).contains(false);
        assertThat(GateSpec.direction("test_mape")).contains(false);
        assertThat(GateSpec.direction("val_cross_entropy")).contains(false);
        assertThat(GateSpec.direction("test_f1_macro")).contains(true);
        assertThat(GateSpec.direction("test_roc_auc")).contains(true);
        assertThat(GateSpec.direction("test_custom")).isEmpty();
        assertThat(GateSpec.direction("test_f1_loss")).isEmpty();

        assertThat(new GateSpec("beats-live", "test_mape", null, null, null, null, null, null, null).checked("g"))
                .isEqualTo(new GateSpec("beats-live", "test_mape", null, null, 0.0, null, null, null, false));
        assertThat(refusedField(new GateSpec("beats-live", "test_custom", null, null, 0.0, null, null, null, null)))
                .isEqualTo("gates[0].higherIsBetter: 'test_custom' does not say whether higher or lower is better"
                        + " (no word of it is a known loss, error or score): check its spelling, or give"
                        + " higherIsBetter");
        GateSpec said =
                new GateSpec("beats-live", "test_custom", null, null, 0.1, null, null, null, false).checked("g");
        assertThat(said.lowerIsBetter()).isTrue();
        assertThat(said.describe())
                .isEqualTo("beats the live version on test_custom by at least 0.1 (lower is better)");
        // Said against the name, the request wins: it knows its metric.
        assertThat(new GateSpec("beats-live", "test_error_rate", null, null, 0.0, null, null, null, true)
                        .checked("g")
                        .lowerIsBetter())
                .isFalse();
        assertThat(refusedField(new GateSpec("threshold", "test_accuracy", ">=", 0.9, null, null, null, null, true)))
                .isEqualTo("gates[0].higherIsBetter: is not read by a threshold gate; leave it out");
    }

    @Test
    void structuredNumbersMustBeFinite() {
        assertThatThrownBy(() -> new GateSpec(
                                "threshold",
                                "test_accuracy",
                                ">=",
                                Double.POSITIVE_INFINITY,
                                null,
                                null,
                                null,
                                null,
                                null)
                        .checked("g"))
                .isInstanceOf(InvalidRequest.class);
    }
}
