package dev.canopy.api.carbon;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Cuts a stretch of time by the points of a trace. A point holds from its timestamp until the next point, but for
 * no longer than {@code canopy.carbon.trace-max-step} (the last point: as long as the step before it); time no
 * point covers uses the yearly table, with a note saying so.
 */
@ApplicationScoped
class TraceWindows {

    /**
     * The points from {@code maxStep} before the stretch to the first after it, and the one before those: it covers
     * nothing of the stretch, but tells how long the next one holds when that is the trace's last.
     */
    private static final String POINTS =
            """
            (SELECT at, g_co2e_per_kwh FROM intensity_trace_points
              WHERE trace_id = ? AND at <= ? ORDER BY at DESC LIMIT 1)
            UNION ALL
            (SELECT at, g_co2e_per_kwh FROM intensity_trace_points
              WHERE trace_id = ? AND at > ? AND at <= ? ORDER BY at)
            UNION ALL
            (SELECT at, g_co2e_per_kwh FROM intensity_trace_points
              WHERE trace_id = ? AND at > ? ORDER BY at LIMIT 1)
            ORDER BY at
            """;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    CarbonConfig config;

    record Point(Instant at, double value) {}

    List<IntensityPiece> cover(IntensityTrace trace, Intensity yearly, Instant from, Instant to) {
        Duration maxStep = config.traceMaxStep();
        return pieces(points(trace, from.minus(maxStep), to), maxStep, trace.zone, trace.source, yearly, from, to);
    }

    /**
     * Cuts {@code [from, to]} by {@code points} (sorted, from at least {@code maxStep} before {@code from} to the
     * first after {@code to}).
     */
    static List<IntensityPiece> pieces(
            List<Point> points,
            Duration maxStep,
            String zone,
            String source,
            Intensity yearly,
            Instant from,
            Instant to) {
        Intensity outside = new Intensity(
                yearly.zone(),
                yearly.gCo2ePerKwh(),
                yearly.source(),
                yearly.year(),
                null,
                yearly.method(),
                yearly.fallback(),
                "outside the team's uploaded trace for " + zone + "; the yearly table is used");
        if (!to.isAfter(from)) {
            return List.of(new IntensityPiece(
                    from, to, at(points, from, maxStep, zone, source).orElse(outside)));
        }
        List<IntensityPiece> pieces = new ArrayList<>();
        Instant cursor = from;
        for (int i = 0; i < points.size() && cursor.isBefore(to); i++) {
            Instant start = points.get(i).at();
            Instant end = start.plus(step(points, i, maxStep));
            if (!end.isAfter(cursor) || !start.isBefore(to)) {
                continue;
            }
            if (start.isAfter(cursor)) {
                pieces.add(new IntensityPiece(cursor, start, outside));
                cursor = start;
            }
            Instant pieceEnd = end.isBefore(to) ? end : to;
            pieces.add(new IntensityPiece(cursor, pieceEnd, traced(zone, source, points.get(i))));
            cursor = pieceEnd;
        }
        if (cursor.isBefore(to)) {
            pieces.add(new IntensityPiece(cursor, to, outside));
        }
        return pieces;
    }

    /** The traced intensity at one instant, if a point covers it. */
    private static Optional<Intensity> at(
            List<Point> points, Instant instant, Duration maxStep, String zone, String source) {
        for (int i = 0; i < points.size(); i++) {
            Instant start = points.get(i).at();
            if (!start.isAfter(instant) && start.plus(step(points, i, maxStep)).isAfter(instant)) {
                return Optional.of(traced(zone, source, points.get(i)));
            }
        }
        return Optional.empty();
    }

    /** How long point {@code i} holds: until the next point, at most {@code maxStep}. */
    private static Duration step(List<Point> points, int i, Duration maxStep) {
        Duration step;
        if (i + 1 < points.size()) {
            step = Duration.between(points.get(i).at(), points.get(i + 1).at());
        } else if (i > 0) {
            step = Duration.between(points.get(i - 1).at(), points.get(i).at());
        } else {
            step = maxStep;
        }
        return step.compareTo(maxStep) > 0 ? maxStep : step;
    }

    private static Intensity traced(String zone, String source, Point point) {
        return new Intensity(
                zone, point.value(), source, null, point.at(), "hourly trace (uploaded by the team)", false, null);
    }

    private List<Point> points(IntensityTrace trace, Instant after, Instant until) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(POINTS)) {
            select.setObject(1, trace.id);
            select.setObject(2, OffsetDateTime.ofInstant(after, ZoneOffset.UTC));
            select.setObject(3, trace.id);
            select.setObject(4, OffsetDateTime.ofInstant(after, ZoneOffset.UTC));
            select.setObject(5, OffsetDateTime.ofInstant(until, ZoneOffset.UTC));
            select.setObject(6, trace.id);
            select.setObject(7, OffsetDateTime.ofInstant(until, ZoneOffset.UTC));
            List<Point> points = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    points.add(new Point(row.getObject(1, OffsetDateTime.class).toInstant(), row.getDouble(2)));
                }
            }
            return points;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the trace for " + trace.zone, e);
        }
    }
}
