package dev.canopy.api.endpoint;

import dev.canopy.api.error.InvalidState;
import dev.canopy.api.model.RegisteredVersion;
import java.util.Locale;

/** Evaluates a promotion's gates on the candidate's and the live version's test metrics. */
final class PromotionGates {

    private PromotionGates() {}

    /** The result of a threshold or beats-live gate; {@code live} is null when the endpoint serves nothing yet. */
    static GateResult evaluate(GateSpec gate, RegisteredVersion candidate, RegisteredVersion live) {
        return GateSpec.THRESHOLD.equals(gate.type()) ? threshold(gate, candidate) : beatsLive(gate, candidate, live);
    }

    private static GateResult threshold(GateSpec gate, RegisteredVersion candidate) {
        Double value = candidate.metrics().get(gate.metric());
        if (value == null) {
            return new GateResult(
                    gate.describe(),
                    false,
                    null,
                    null,
                    candidate.label() + " has no test metric '" + gate.metric() + "'; it has "
                            + candidate.metrics().keySet());
        }
        boolean passed =
                switch (gate.op()) {
                    case ">=" -> value >= gate.value();
                    case ">" -> value > gate.value();
                    case "<=" -> value <= gate.value();
                    case "<" -> value < gate.value();
                    default -> value.doubleValue() == gate.value();
                };
        return new GateResult(
                gate.describe(),
                passed,
                value,
                null,
                String.format(
                        Locale.ROOT,
                        "%s: %s = %s, %s %s %s",
                        candidate.label(),
                        gate.metric(),
                        value,
                        passed ? "which is" : "which is not",
                        gate.op(),
                        gate.value()));
    }

    private static GateResult beatsLive(GateSpec gate, RegisteredVersion candidate, RegisteredVersion live) {
        Double mine = candidate.metrics().get(gate.metric());
        if (live == null) {
            // Nothing to beat, but a metric the candidate does not have (a misspelt one), or one that is not a
            // number (a diverged run's NaN loss), still fails the gate.
            return mine == null
                    ? new GateResult(
                            gate.describe(),
                            false,
                            null,
                            null,
                            candidate.label() + " has no test metric '" + gate.metric() + "'")
                    : !Double.isFinite(mine)
                            ? notANumber(gate, candidate, mine, "")
                            : new GateResult(gate.describe(), true, mine, null, "no live version to beat");
        }
        Double theirs = live.metrics().get(gate.metric());
        if (mine == null || theirs == null) {
            RegisteredVersion missing = mine == null ? candidate : live;
            return new GateResult(
                    gate.describe(),
                    false,
                    mine,
                    theirs,
                    missing.label() + " has no test metric '" + gate.metric() + "'");
        }
        return compare(gate, candidate, mine, live, theirs, "");
    }

    /**
     * The candidate's value against the live version's on the gate's metric: passed when it is better by at least
     * the margin. {@code where} prefixes the detail (e.g. which dataset they were scored on).
     */
    static GateResult compare(
            GateSpec gate,
            RegisteredVersion candidate,
            double mine,
            RegisteredVersion live,
            double theirs,
            String where) {
        if (!Double.isFinite(mine)) {
            return notANumber(gate, candidate, mine, where);
        }
        if (!Double.isFinite(theirs)) {
            // The live version is the faulty one (a diverged run registers a NaN loss): any finite score beats it,
            // or a version stuck at NaN would refuse every candidate for ever.
            return new GateResult(
                    gate.describe(),
                    true,
                    mine,
                    null,
                    where + candidate.label() + " " + gate.metric() + " = " + mine + " against live " + live.label()
                            + " " + gate.metric() + " = " + theirs + ": any finite value beats it");
        }
        double gain = gate.lowerIsBetter() ? theirs - mine : mine - theirs;
        boolean passed = gain >= gate.margin();
        return new GateResult(
                gate.describe(),
                passed,
                mine,
                theirs,
                where
                        + String.format(
                                Locale.ROOT,
                                "%s %s = %s against live %s %s = %s: %s by %s, %s margin %s",
                                candidate.label(),
                                gate.metric(),
                                mine,
                                live.label(),
                                gate.metric(),
                                theirs,
                                gain >= 0 ? "better" : "worse",
                                Math.abs(gain),
                                passed ? "meeting the" : "short of the",
                                gate.margin()));
    }

    private static GateResult notANumber(GateSpec gate, RegisteredVersion candidate, double mine, String where) {
        return new GateResult(
                gate.describe(),
                false,
                null,
                null,
                where + candidate.label() + " " + gate.metric() + " = " + mine + ": not a score that beats anything");
    }

    /**
     * A model's versions may differ in task (an upload can register anything under a name), but an endpoint's
     * clients rely on the shape of its answers: labels and probabilities, or values.
     */
    static void checkSameTask(String endpoint, RegisteredVersion candidate, RegisteredVersion live) {
        if (live == null
                || candidate.task() == null
                || live.task() == null
                || candidate.task().equals(live.task())) {
            return;
        }
        throw new InvalidState(candidate.label() + " is a " + candidate.task().toLowerCase(Locale.ROOT)
                + " model and the live " + live.label() + " a " + live.task().toLowerCase(Locale.ROOT)
                + " one: the clients of endpoint '" + endpoint + "' would get answers of another shape; serve it on"
                + " an endpoint of its own");
    }
}
