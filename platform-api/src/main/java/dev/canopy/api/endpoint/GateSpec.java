package dev.canopy.api.endpoint;

import dev.canopy.api.error.InvalidRequest;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One promotion gate as a request gives it. Either an {@code expression} such as {@code "metrics.accuracy >= 0.9"},
 * or {@code type} with its fields: {@code threshold} (metric, op, value: the candidate's test metric against a
 * number) or {@code beats-live} (metric, margin: the candidate's test metric is better than the live version's by
 * at least margin; lower is better for metrics named like loss, rmse, mae, mse or error) or {@code held-out}
 * (metric, margin, dataset, datasetVersion: both versions are scored on that dataset version of the team, and the
 * candidate must beat the live version by margin there).
 */
public record GateSpec(
        String type,
        String metric,
        String op,
        Double value,
        Double margin,
        String expression,
        String dataset,
        String datasetVersion) {

    static final String THRESHOLD = "threshold";
    static final String BEATS_LIVE = "beats-live";
    static final String HELD_OUT = "held-out";
    private static final Set<String> OPS = Set.of(">=", ">", "<=", "<", "==");
    private static final Pattern EXPRESSION = Pattern.compile(
            "\\s*metrics\\.([A-Za-z0-9_.-]{1,100})\\s*(>=|<=|==|>|<)\\s*(-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?)\\s*");

    /** The gate in its checked, explicit form; {@code field} names it in errors, e.g. "gates[1]". */
    public GateSpec checked(String field) {
        if (expression != null) {
            Matcher m = EXPRESSION.matcher(expression);
            if (!m.matches()) {
                throw new InvalidRequest(
                        field + ".expression",
                        "expected 'metrics.<name> <op> <number>' with op one of" + " >=, >, <=, <, ==, got '"
                                + expression + "'");
            }
            return new GateSpec(THRESHOLD, m.group(1), m.group(2), Double.valueOf(m.group(3)), null, null, null, null);
        }
        if (metric == null || metric.isBlank()) {
            throw new InvalidRequest(field + ".metric", "is required");
        }
        if (THRESHOLD.equals(type)) {
            if (op == null || !OPS.contains(op)) {
                throw new InvalidRequest(field + ".op", "must be one of >=, >, <=, <, ==");
            }
            if (value == null || !Double.isFinite(value)) {
                throw new InvalidRequest(field + ".value", "must be a finite number");
            }
            return new GateSpec(THRESHOLD, metric, op, value, null, null, null, null);
        }
        if (BEATS_LIVE.equals(type) || HELD_OUT.equals(type)) {
            double m = margin == null ? 0 : margin;
            if (!(m >= 0) || !Double.isFinite(m)) {
                throw new InvalidRequest(field + ".margin", "must be a finite number >= 0");
            }
            if (BEATS_LIVE.equals(type)) {
                return new GateSpec(BEATS_LIVE, metric, null, null, m, null, null, null);
            }
            if (dataset == null || dataset.isBlank()) {
                throw new InvalidRequest(field + ".dataset", "a held-out gate names the dataset to score on");
            }
            String name = metric.startsWith("test_") ? metric : "test_" + metric;
            return new GateSpec(
                    HELD_OUT, name, null, null, m, null, dataset, datasetVersion == null ? "latest" : datasetVersion);
        }
        throw new InvalidRequest(
                field + ".type", "must be 'threshold', 'beats-live' or 'held-out' (or give an expression)");
    }

    /** Whether a lower value of the metric is better. */
    static boolean lowerIsBetter(String metric) {
        String name = metric.toLowerCase(Locale.ROOT);
        return name.contains("loss")
                || name.contains("rmse")
                || name.contains("mae")
                || name.contains("mse")
                || name.contains("error");
    }

    /** How the gate reads, e.g. "metrics.accuracy >= 0.9" or "beats live on accuracy by 0.01". */
    String describe() {
        if (THRESHOLD.equals(type)) {
            return "metrics." + metric + " " + op + " " + value;
        }
        return "beats the live version on " + metric + " by at least " + margin
                + (HELD_OUT.equals(type) ? " on dataset " + dataset + " version " + datasetVersion : "") + " ("
                + (lowerIsBetter(metric) ? "lower" : "higher") + " is better)";
    }
}
