package dev.canopy.api.carbon;

import dev.canopy.api.carbon.CarbonRecords.Group;
import dev.canopy.api.carbon.CarbonRecords.Summary;
import dev.canopy.api.carbon.CarbonRecords.Totals;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A team's energy and emissions over a period, in total and grouped by day, month (UTC), experiment, model version
 * (the runs that produced it), worker or run. Intervals never span two UTC hours, so days and months are exact; a
 * period edge inside an hour counts that hour's interval by its start.
 */
@ApplicationScoped
class CarbonSummaries {

    enum GroupBy {
        DAY("to_char(i.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
        MONTH("to_char(i.started_at AT TIME ZONE 'UTC', 'YYYY-MM')"),
        EXPERIMENT("e.name"),
        MODEL("coalesce(mo.name || ' v' || mv.version, '(no model version)')"),
        WORKER("em.worker_name"),
        RUN("r.id::text");

        final String key;

        GroupBy(String key) {
            this.key = key;
        }
    }

    private static final String SQL =
            """
            SELECT grouping(key), grouping(method), key, method, sum(joules), sum(joules * pue), sum(kg_co2e),
                   count(DISTINCT run_id)
            FROM (SELECT %s AS key, i.method, i.joules, i.pue, i.kg_co2e, i.run_id
                  FROM energy_intervals i
                  JOIN energy_meters em ON em.id = i.meter_id
                  JOIN runs r ON r.id = i.run_id
                  JOIN experiments e ON e.id = r.experiment_id
                  LEFT JOIN model_versions mv ON mv.id = r.model_version_id
                  LEFT JOIN models mo ON mo.id = mv.model_id
                  WHERE i.team_id = ? AND i.started_at >= ? AND i.started_at < ?) s
            GROUP BY GROUPING SETS ((key, method), (key), (method), ())
            ORDER BY key NULLS FIRST, method NULLS FIRST
            """;

    private static final String UNMEASURED =
            """
            SELECT count(DISTINCT m.run_id) FROM energy_meters m JOIN energy_components c ON c.meter_id = m.id
            WHERE m.team_id = ? AND c.method = 'unmeasured' AND m.reported_at >= ?
              AND m.reported_at - m.seconds * interval '1 second' < ?
            """;

    @Inject
    TeamAccess access;

    @Inject
    AgroalDataSource dataSource;

    Summary summary(String team, Instant from, Instant to, String groupBy) {
        TeamScope scope = access.read(team);
        if (!from.isBefore(to)) {
            throw new InvalidRequest("from", "must be before 'to'");
        }
        GroupBy grouping = parse(groupBy);
        String keyExpression = grouping == null ? "'total'" : grouping.key;
        Map<String, Group> groups = new LinkedHashMap<>();
        Totals[] total = {new Totals(0, 0, 0, 0, Map.of())};
        Map<String, Map<String, Double>> methods = new TreeMap<>();
        Map<String, Double> totalMethods = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(SQL.formatted(keyExpression))) {
            select.setObject(1, scope.teamId());
            select.setObject(2, EnergyLedger.utc(from));
            select.setObject(3, EnergyLedger.utc(to));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    boolean allKeys = row.getInt(1) == 1;
                    boolean allMethods = row.getInt(2) == 1;
                    String key = row.getString(3);
                    double kwh = Emissions.kwh(row.getDouble(6));
                    if (!allMethods) {
                        (allKeys ? totalMethods : methods.computeIfAbsent(key, k -> new TreeMap<>()))
                                .put(row.getString(4), kwh);
                    } else if (allKeys) {
                        total[0] = new Totals(
                                kwh, Emissions.kwh(row.getDouble(5)), row.getDouble(7), row.getLong(8), totalMethods);
                    } else {
                        // The (key) row comes before its (key, method) rows: they fill the same map later.
                        groups.put(
                                key,
                                new Group(
                                        key,
                                        kwh,
                                        Emissions.kwh(row.getDouble(5)),
                                        row.getDouble(7),
                                        row.getLong(8),
                                        methods.computeIfAbsent(key, k -> new TreeMap<>())));
                    }
                }
            }
            return new Summary(
                    scope.teamName(),
                    from,
                    to,
                    grouping == null ? null : grouping.name().toLowerCase(),
                    total[0],
                    grouping == null ? List.of() : new ArrayList<>(groups.values()),
                    unmeasured(c, scope.teamId(), from, to));
        } catch (SQLException e) {
            throw new IllegalStateException("Could not sum the energy of team " + team, e);
        }
    }

    /** The summary as CSV: one line per group, then the total. */
    static String csv(Summary summary) {
        List<String> methods = List.of("counter", "power-integral", "rapl", "model");
        StringBuilder out = new StringBuilder("key,kwh,it_kwh,kg_co2e,runs");
        methods.forEach(m -> out.append(',').append(m.replace('-', '_')).append("_kwh"));
        out.append('\n');
        for (Group g : summary.groups()) {
            line(out, g.key(), g.kwh(), g.itKwh(), g.kgCo2e(), g.runs(), g.kwhByMethod(), methods);
        }
        Totals t = summary.total();
        line(out, "total", t.kwh(), t.itKwh(), t.kgCo2e(), t.runs(), t.kwhByMethod(), methods);
        return out.toString();
    }

    private static void line(
            StringBuilder out,
            String key,
            double kwh,
            double itKwh,
            double kg,
            long runs,
            Map<String, Double> byMethod,
            List<String> methods) {
        out.append(quote(key))
                .append(',')
                .append(kwh)
                .append(',')
                .append(itKwh)
                .append(',')
                .append(kg)
                .append(',')
                .append(runs);
        methods.forEach(m -> out.append(',').append(byMethod.getOrDefault(m, 0.0)));
        out.append('\n');
    }

    private static String quote(String value) {
        boolean plain = value.chars().noneMatch(ch -> ch == ',' || ch == '"' || ch == '\n' || ch == '\r');
        String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        return plain && safe.equals(value) ? value : '"' + safe.replace("\"", "\"\"") + '"';
    }

    private static long unmeasured(Connection c, UUID team, Instant from, Instant to) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(UNMEASURED)) {
            select.setObject(1, team);
            select.setObject(2, EnergyLedger.utc(from));
            select.setObject(3, EnergyLedger.utc(to));
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static GroupBy parse(String groupBy) {
        if (groupBy == null || groupBy.isBlank()) {
            return null;
        }
        try {
            return GroupBy.valueOf(groupBy.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("groupBy", "must be day, month, experiment, model, worker or run");
        }
    }
}
