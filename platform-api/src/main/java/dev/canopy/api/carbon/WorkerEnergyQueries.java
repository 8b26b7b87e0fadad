package dev.canopy.api.carbon;

import dev.canopy.api.carbon.CarbonRecords.IdleEnergy;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Workers' energy outside runs. */
@ApplicationScoped
class WorkerEnergyQueries {

    @Inject
    AgroalDataSource dataSource;

    Map<UUID, IdleEnergy> idle() {
        String sql =
                """
                SELECT worker_id, sum(joules * pue), sum(kg_co2e) FROM energy_intervals
                WHERE run_id IS NULL AND worker_id IS NOT NULL GROUP BY worker_id
                """;
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(sql);
                ResultSet row = select.executeQuery()) {
            Map<UUID, IdleEnergy> idle = new HashMap<>();
            while (row.next()) {
                idle.put(
                        row.getObject(1, UUID.class),
                        new IdleEnergy(Emissions.kwh(row.getDouble(2)), row.getDouble(3)));
            }
            return idle;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the idle energy of workers", e);
        }
    }
}
