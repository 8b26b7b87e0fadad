package dev.canopy.api.carbon;

import dev.canopy.api.carbon.CarbonRecords.Forecast;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What a queued run is expected to use, from the team's similar finished runs: the same recipe and GPU count,
 * a dataset of half to twice as many rows, half to twice as many planned epochs, and every component measured.
 * Energy scales with rows × epochs trained: the forecast is the median kWh per row-epoch of up to
 * {@code canopy.carbon.forecast-runs} such runs (epochs as actually trained, early stopping included) × this
 * run's rows × planned epochs; CO2e uses the median intensity those runs got.
 */
@ApplicationScoped
public class EnergyForecasts {

    private static final String SIMILAR =
            """
            WITH planned AS (
                SELECT r.*, CASE WHEN (r.recipe_params ->> 'epochs') ~ '^[0-9]{1,6}$'
                                 THEN (r.recipe_params ->> 'epochs')::int END AS planned_epochs
                FROM runs r
                WHERE r.team_id = ? AND r.recipe = ? AND r.gpus = ? AND r.status = 'FINISHED' AND r.kind = 'TRAINED'),
            alike AS (
                SELECT r.id, dv.row_count AS rows,
                       coalesce((r.progress ->> 'epoch')::int, r.planned_epochs) AS epochs
                FROM planned r
                JOIN run_inputs ri ON ri.run_id = r.id
                JOIN dataset_versions dv ON dv.id = ri.dataset_version_id
                WHERE dv.row_count BETWEEN ? AND ? AND r.planned_epochs BETWEEN ? AND ?
                  AND NOT EXISTS (SELECT 1 FROM energy_components c JOIN energy_meters m ON m.id = c.meter_id
                                  WHERE m.run_id = r.id AND c.method = 'unmeasured')
                ORDER BY r.ended_at DESC
                LIMIT ?)
            SELECT s.id, s.rows, s.epochs, sum(i.joules * i.pue), sum(i.kg_co2e)
            FROM alike s JOIN energy_intervals i ON i.run_id = s.id
            GROUP BY s.id, s.rows, s.epochs
            HAVING sum(i.joules) > 0
            """;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    CarbonConfig config;

    private record Similar(UUID id, long rows, int epochs, double facilityJoules, double kg) {

        double joulesPerRowEpoch() {
            return facilityJoules / ((double) rows * Math.max(1, epochs));
        }

        double gPerKwh() {
            return kg * 1000 / Emissions.kwh(facilityJoules);
        }
    }

    /** The forecast for a run of {@code recipe} on {@code rows} rows for {@code epochs} epochs, if there is a basis. */
    public Optional<Forecast> forecast(UUID teamId, String recipe, int gpus, long rows, Integer epochs) {
        if (recipe == null || epochs == null || rows <= 0 || epochs <= 0) {
            return Optional.empty();
        }
        List<Similar> similar = similar(teamId, recipe, gpus, rows, epochs);
        if (similar.isEmpty()) {
            return Optional.empty();
        }
        double perRowEpoch =
                median(similar.stream().map(Similar::joulesPerRowEpoch).toList());
        double g = median(similar.stream().map(Similar::gPerKwh).toList());
        double kwh = Emissions.kwh(perRowEpoch * rows * epochs);
        String basis = String.format(
                "median energy per row-epoch (%.3g J, PUE included) of %d finished %s run(s) on %d GPU(s) with %,d-%,d"
                        + " rows and %d-%d planned epochs, × %,d rows × %d epochs; CO2e at their median %.1f g/kWh",
                perRowEpoch,
                similar.size(),
                recipe,
                gpus,
                rows / 2,
                rows * 2,
                Math.max(1, epochs / 2),
                epochs * 2,
                rows,
                epochs,
                g);
        return Optional.of(new Forecast(
                kwh, kwh * g / 1000, g, basis, similar.stream().map(Similar::id).toList()));
    }

    private List<Similar> similar(UUID teamId, String recipe, int gpus, long rows, int epochs) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(SIMILAR)) {
            select.setObject(1, teamId);
            select.setString(2, recipe);
            select.setInt(3, gpus);
            select.setLong(4, rows / 2);
            select.setLong(5, rows * 2);
            select.setInt(6, Math.max(1, epochs / 2));
            select.setInt(7, epochs * 2);
            select.setInt(8, config.forecastRuns());
            List<Similar> similar = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    similar.add(new Similar(
                            row.getObject(1, UUID.class),
                            row.getLong(2),
                            row.getInt(3),
                            row.getDouble(4),
                            row.getDouble(5)));
                }
            }
            return similar;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not find runs similar to a " + recipe + " run", e);
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
