package dev.canopy.api.run;

import dev.canopy.api.run.MetricRecords.Point;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Equal-width buckets over [low, high) that keep their lowest and highest point by value. The axis is measured in
 * doubles, so that any two 64-bit steps span a range without overflow (at the far ends of the range a bucket's edge
 * is then exact to about one part in 2^53).
 */
final class Buckets {

    private final int count;
    private final double low;
    private final double width;
    private final Point[] lowest;
    private final Point[] highest;

    Buckets(int count, double low, double high) {
        this.count = count;
        this.low = low;
        this.width = (high - low) / count;
        this.lowest = new Point[count];
        this.highest = new Point[count];
    }

    /** The end of a range whose last position is {@code last}: past it, also where {@code last + 1} would round. */
    static double after(long last) {
        return Math.max((double) last + 1, Math.nextUp((double) last));
    }

    /** Offers a point whose position on the bucketing axis is {@code axis}. */
    void add(long axis, Point point) {
        int b = (int) Math.min(count - 1, Math.max(0, (long) (((double) axis - low) / width)));
        if (lowest[b] == null || below(point, lowest[b])) {
            lowest[b] = point;
        }
        if (highest[b] == null || below(highest[b], point)) {
            highest[b] = point;
        }
    }

    /** Whether {@code a} is the better minimum than {@code b}: lower, and a NaN loses to every number. */
    private static boolean below(Point a, Point b) {
        if (Double.isNaN(b.value())) {
            return !Double.isNaN(a.value());
        }
        return !Double.isNaN(a.value()) && a.value() < b.value();
    }

    /** Each bucket's lowest and highest point, once each, by step then timestamp. */
    List<Point> points() {
        List<Point> points = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            if (lowest[b] != null) {
                points.add(lowest[b]);
                if (!highest[b].equals(lowest[b])) {
                    points.add(highest[b]);
                }
            }
        }
        points.sort(Comparator.comparingLong(Point::step).thenComparing(Point::timestamp));
        return points;
    }
}
