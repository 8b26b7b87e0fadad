package dev.canopy.api.endpoint;

import dev.canopy.runner.inference.TabularModel.Prediction;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** What a shadow version answered to the copies it was sent, compared with the answers the clients got. */
final class ShadowStats {

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
}
