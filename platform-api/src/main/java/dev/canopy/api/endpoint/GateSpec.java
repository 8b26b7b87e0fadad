package dev.canopy.api.endpoint;

import dev.canopy.api.error.InvalidRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One promotion gate as a request gives it. Either an {@code expression} such as {@code "metrics.accuracy >= 0.9"},
 * or {@code type} with its fields: {@code threshold} (metric, op, value: the candidate's test metric against a
 * number) or {@code beats-live} (metric, margin, higherIsBetter: the candidate's test metric is better than the live
 * version's by at least margin) or {@code held-out} (metric, margin, dataset, datasetVersion: both versions are
 * scored on that dataset version of the team, and the candidate must beat the live version by margin there). Which
 * way is better is {@code higherIsBetter}, or known from the metric's name (see {@link #direction}); a name it
 * cannot be told from must say.
 */
public record GateSpec(
        String type,
        String metric,
        String op,
        Double value,
        Double margin,
        String expression,
        String dataset,
        String datasetVersion,
        Boolean higherIsBetter) {

    static final String THRESHOLD = "threshold";
    static final String BEATS_LIVE = "beats-live";
    static final String HELD_OUT = "held-out";
    private static final Set<String> OPS = Set.of(">=", ">", "<=", "<", "==");
    /** What the built-in recipes' evaluation reports, which a held-out gate scores both versions with. */
    private static final Set<String> HELD_OUT_METRICS =
            Set.of("test_loss", "test_accuracy", "test_f1_macro", "test_rmse", "test_mae", "test_r2");

    private static final Set<String> LOWER_IS_BETTER = Set.of(
            "loss",
            "rmse",
            "mse",
            "mae",
            "mape",
            "smape",
            "msle",
            "rmsle",
            "error",
            "err",
            "nll",
            "logloss",
            "perplexity",
            "brier",
            "deviance",
            "wer",
            "cer",
            "entropy",
            "latency",
            "distance");
    private static final Set<String> HIGHER_IS_BETTER = Set.of(
            "accuracy",
            "acc",
            "f1",
            "r2",
            "auc",
            "roc",
            "precision",
            "recall",
            "ap",
            "map",
            "ndcg",
            "iou",
            "dice",
            "bleu",
            "rouge",
            "kappa",
            "mcc",
            "score",
            "sensitivity",
            "specificity");

    private static final Pattern EXPRESSION = Pattern.compile(
            "\\s*metrics\\.([A-Za-z0-9_.-]{1,100})\\s*(>=|<=|==|>|<)\\s*(-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?)\\s*");

    /** The gate in its checked, explicit form; {@code field} names it in errors, e.g. "gates[1]". */
    /** Each of {@code gates} checked as a promotion checks them; {@code field} names the list. */
    public static List<GateSpec> checkedAll(List<GateSpec> gates, String field) {
        List<GateSpec> checked = new ArrayList<>();
        for (int i = 0; gates != null && i < gates.size(); i++) {
            if (gates.get(i) == null) {
                throw new InvalidRequest(field + "[" + i + "]", "must be a gate, got null");
            }
            checked.add(gates.get(i).checked(field + "[" + i + "]"));
        }
        return checked;
    }

    public GateSpec checked(String field) {
        if (expression != null) {
            // One gate, said one way: fields beside an expression would be ignored, and a gate silently other
            // than the one meant passes what it should not.
            refuseFields(field, "a gate given as an expression", fields("metric", metric, "op", op, "value", value));
            refuseFields(field, "a gate given as an expression", comparing());
            if (type != null && !THRESHOLD.equals(type)) {
                throw new InvalidRequest(field + ".type", "an expression is a threshold gate; leave type out");
            }
            Matcher m = EXPRESSION.matcher(expression);
            if (!m.matches()) {
                throw new InvalidRequest(
                        field + ".expression",
                        "expected 'metrics.<name> <op> <number>' with op one of" + " >=, >, <=, <, ==, got '"
                                + expression + "'");
            }
            double threshold = Double.parseDouble(m.group(3));
            if (!Double.isFinite(threshold)) {
                throw new InvalidRequest(field + ".expression", "the number must be finite, got " + m.group(3));
            }
            return new GateSpec(THRESHOLD, m.group(1), m.group(2), threshold, null, null, null, null, null);
        }
        if (type == null || !(THRESHOLD.equals(type) || BEATS_LIVE.equals(type) || HELD_OUT.equals(type))) {
            throw new InvalidRequest(
                    field + ".type",
                    (type == null ? "is required: " : "is '" + type + "'; it must be ")
                            + "'threshold', 'beats-live' or 'held-out' (or give an expression)");
        }
        if (metric == null || metric.isBlank()) {
            throw new InvalidRequest(field + ".metric", "is required");
        }
        if (THRESHOLD.equals(type)) {
            refuseFields(field, "a threshold gate", comparing());
            if (op == null || !OPS.contains(op)) {
                throw new InvalidRequest(field + ".op", "must be one of >=, >, <=, <, ==");
            }
            if (value == null || !Double.isFinite(value)) {
                throw new InvalidRequest(field + ".value", "must be a finite number");
            }
            return new GateSpec(THRESHOLD, metric, op, value, null, null, null, null, null);
        }
        refuseFields(field, "a " + type + " gate", fields("op", op, "value", value));
        if (BEATS_LIVE.equals(type)) {
            refuseFields(field, "a beats-live gate", fields("dataset", dataset, "datasetVersion", datasetVersion));
        }
        if (BEATS_LIVE.equals(type) || HELD_OUT.equals(type)) {
            double m = margin == null ? 0 : margin;
            if (!(m >= 0) || !Double.isFinite(m)) {
                throw new InvalidRequest(field + ".margin", "must be a finite number >= 0");
            }
            if (BEATS_LIVE.equals(type)) {
                return new GateSpec(BEATS_LIVE, metric, null, null, m, null, null, null, higherIsBetter(field, metric));
            }
            if (dataset == null || dataset.isBlank()) {
                throw new InvalidRequest(field + ".dataset", "a held-out gate names the dataset to score on");
            }
            String name = metric.startsWith("test_") ? metric : "test_" + metric;
            if (!HELD_OUT_METRICS.contains(name)) {
                // Known before any scoring: a schedule's gate would otherwise fail at every fire.
                throw new InvalidRequest(
                        field + ".metric",
                        "a held-out gate scores one of "
                                + String.join(
                                        ", ", HELD_OUT_METRICS.stream().sorted().toList()) + ", not '" + metric + "'");
            }
            return new GateSpec(
                    HELD_OUT,
                    name,
                    null,
                    null,
                    m,
                    null,
                    dataset,
                    datasetVersion == null ? "latest" : datasetVersion,
                    higherIsBetter(field, name));
        }
        throw new IllegalStateException("unreachable: the type was checked above");
    }

    /** Refuses the fields given (non-null) that a gate of this kind does not read. */
    private static void refuseFields(String field, String kind, Object[] namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                throw new InvalidRequest(field + "." + namesAndValues[i], "is not read by " + kind + "; leave it out");
            }
        }
    }

    /** The fields of a comparison with the live version, which a threshold gate does not read. */
    private Object[] comparing() {
        return fields(
                "margin",
                margin,
                "dataset",
                dataset,
                "datasetVersion",
                datasetVersion,
                "higherIsBetter",
                higherIsBetter);
    }

    /** Field names and their values, in pairs. */
    private static Object[] fields(Object... namesAndValues) {
        return namesAndValues;
    }

    /**
     * Which way the gate's metric is better: as the request said, else as its name tells; a name that tells neither
     * (or both) is 400, since a wrong guess promotes the worse version.
     */
    private Boolean higherIsBetter(String field, String name) {
        if (higherIsBetter != null) {
            return higherIsBetter;
        }
        return direction(name)
                .orElseThrow(() -> new InvalidRequest(
                        field + ".higherIsBetter",
                        "'" + name + "' does not say whether higher or lower is better (no word of it is a known"
                                + " loss, error or score): check its spelling, or give higherIsBetter"));
    }

    /**
     * Whether a higher value of the metric is better, from the words of its name: lower for losses and errors
     * (loss, rmse, mae, mse, mape, error, nll, perplexity, brier, logloss, ...), higher for scores (accuracy, f1,
     * r2, auc, precision, recall, ...); empty when its words name neither or both.
     */
    static Optional<Boolean> direction(String metric) {
        boolean lower = false;
        boolean higher = false;
        for (String word : metric.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            lower |= LOWER_IS_BETTER.contains(word);
            higher |= HIGHER_IS_BETTER.contains(word);
        }
        return lower == higher ? Optional.empty() : Optional.of(higher);
    }

    /**
     * Whether a lower value of the gate's metric is better: as the gate says (every gate checked since it has had the
     * field says; V24 wrote it into the gates schedules had stored), else by the rule gates had before: lower when the
     * name contains loss, rmse, mae, mse or error.
     */
    boolean lowerIsBetter() {
        if (higherIsBetter != null) {
            return !higherIsBetter;
        }
        String name = metric.toLowerCase(Locale.ROOT);
        return Stream.of("loss", "rmse", "mae", "mse", "error").anyMatch(name::contains);
    }

    /** How the gate reads, e.g. "metrics.accuracy >= 0.9" or "beats live on accuracy by 0.01". */
    String describe() {
        if (THRESHOLD.equals(type)) {
            return "metrics." + metric + " " + op + " " + value;
        }
        return "beats the live version on " + metric + " by at least " + margin
                + (HELD_OUT.equals(type) ? " on dataset " + dataset + " version " + datasetVersion : "") + " ("
                + (lowerIsBetter() ? "lower" : "higher") + " is better)";
    }
}
