package dev.canopy.runner.energy;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Power samples of one device and the integral of the curve through them (trapezoid rule: linear between
 * samples). Before the first sample and after the last the curve holds the nearest sample. Integrals are
 * relative to an arbitrary origin; only their differences mean anything.
 */
final class PowerCurve {

    private record Sample(long nanos, double watts, double joules) {}

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    /** Adds a sample; one not later than the last is ignored. */
    void add(long nanos, double watts) {
        Sample last = samples.peekLast();
        if (last == null) {
            samples.add(new Sample(nanos, watts, 0));
        } else if (nanos > last.nanos()) {
            double joules = last.joules() + seconds(nanos - last.nanos()) * (last.watts() + watts) / 2;
            samples.add(new Sample(nanos, watts, joules));
        }
    }

    boolean isEmpty() {
        return samples.isEmpty();
    }

    /** When the last sample was taken; {@link Long#MIN_VALUE} when there is none. */
    long lastNanos() {
        return samples.isEmpty() ? Long.MIN_VALUE : samples.peekLast().nanos();
    }

    /** The integral of the curve up to {@code nanos}, in joules. Requires a sample. */
    double integralTo(long nanos) {
        Iterator<Sample> newestFirst = samples.descendingIterator();
        Sample after = null;
        while (newestFirst.hasNext()) {
            Sample at = newestFirst.next();
            if (at.nanos() <= nanos) {
                return at.joules() + partial(at, after, nanos);
            }
            after = at;
        }
        Sample first = samples.peekFirst();
        return first.joules() - first.watts() * seconds(first.nanos() - nanos);
    }

    /** The area from sample {@code at} to {@code nanos}, before the next sample {@code after} (null: hold). */
    private static double partial(Sample at, Sample after, long nanos) {
        double dt = seconds(nanos - at.nanos());
        if (after == null) {
            return at.watts() * dt;
        }
        double slope = (after.watts() - at.watts()) / seconds(after.nanos() - at.nanos());
        return dt * (at.watts() + (at.watts() + slope * dt)) / 2;
    }

    /** Forgets samples no longer needed for integrals from {@code nanos} on (keeps the one at or before it). */
    void dropBefore(long nanos) {
        while (samples.size() > 1) {
            Iterator<Sample> oldest = samples.iterator();
            oldest.next();
            if (oldest.next().nanos() > nanos) {
                return;
            }
            samples.pollFirst();
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
