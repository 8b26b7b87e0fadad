package dev.canopy.api.endpoint;

import dev.canopy.runner.inference.TabularModel.Prediction;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a shadow version answered to the copies this process sent it, compared with the answers the clients got.
 */
final class ShadowStats {

    /** The counts at one moment, or summed over control planes. */
    record Totals(
            long copies,
            long dropped,
            long errors,
            long compared,
            long agreed,
            long disagreed,
            double absoluteDifference,
            LatencyHistogram.Counts latency) {

        static final Totals NONE = new Totals(0, 0, 0, 0, 0, 0, 0, LatencyHistogram.Counts.EMPTY);

        Totals plus(Totals other) {
            return new Totals(
                    copies + other.copies,
                    dropped + other.dropped,
                    errors + other.errors,
                    compared + other.compared,
                    agreed + other.agreed,
                    disagreed + other.disagreed,
                    absoluteDifference + other.absoluteDifference,
                    latency.plus(other.latency));
        }

        /** The mean absolute difference of the regression values compared; null when none were. */
        Double meanAbsoluteDifference() {
            long values = compared - agreed - disagreed;
            return values > 0 ? absoluteDifference / values : null;
        }
    }

    final LongAdder copies = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder agreed = new LongAdder();
    final LongAdder disagreed = new LongAdder();
    final LongAdder compared = new LongAdder();
    final DoubleAdder absoluteDifference = new DoubleAdder();
    final LatencyHistogram latency = new LatencyHistogram();

    /** Compares prediction by prediction: labels for classification, values for regression. */
    void answered(long nanos, List<Prediction> returned, List<Prediction> shadow) {
        latency.record(nanos);
        for (int i = 0; i < returned.size(); i++) {
            var mine = returned.get(i);
            var theirs = shadow.get(i);
            compared.increment();
            if (mine.value() != null && theirs.value() != null) {
                absoluteDifference.add(Math.abs(mine.value() - theirs.value()));
            } else if (Objects.equals(mine.label(), theirs.label())) {
                agreed.increment();
            } else {
                disagreed.increment();
            }
        }
    }

    /** The counts now (read while copies are compared, compared is kept at least agreed plus disagreed). */
    Totals totals() {
        long labelsAgreed = agreed.sum();
        long labelsDisagreed = disagreed.sum();
        double difference = absoluteDifference.sum();
        return new Totals(
                copies.sum(),
                dropped.sum(),
                errors.sum(),
                Math.max(compared.sum(), labelsAgreed + labelsDisagreed),
                labelsAgreed,
                labelsDisagreed,
                difference,
                latency.counts());
    }
}
