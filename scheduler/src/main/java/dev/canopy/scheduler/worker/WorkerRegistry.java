package dev.canopy.scheduler.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.scheduler.queue.QueueConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/** Runners and what they offer. A runner registering again under its name (in its team) keeps its id. */
@ApplicationScoped
public class WorkerRegistry {

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final QueueConfig config;

    WorkerRegistry(AgroalDataSource dataSource, ObjectMapper json, QueueConfig config) {
        this.dataSource = dataSource;
        this.json = json;
        this.config = config;
    }

    /** The runner registered under {@code name} for the team ({@code null}: a platform-wide runner), if any. */
    @Transactional
    public Optional<Worker> findByName(UUID teamId, String name) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "SELECT *, now() AS db_now FROM workers WHERE name = ? AND team_id IS NOT DISTINCT FROM ?")) {
            select.setString(1, name);
            select.setObject(2, teamId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(workerOf(row)) : Optional.empty();
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("Could not read runner " + name, e);
        }
    }

    /**
     * Registers (or re-registers: a restarted process, its registration time renewed) a runner under its token; names
     * are per team. A name registered with another token is taken over only from {@code replacing}, the token the
     * caller found there and judged may be replaced (null: none may be); otherwise, such as when another token took
     * the name since the caller looked, nothing changes and the result is empty.
     */
    @Transactional
    public Optional<UUID> register(WorkerInfo info, UUID tokenId, UUID replacing) {
        String sql =
                """
                INSERT INTO workers (id, name, token_id, team_id, host, cpu_model, cores, memory_bytes, gpus, recipes,
                                     djl_version, pytorch_version, zone, pue, energy_methods, draining, registered_at,
                                     last_heartbeat_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?::jsonb, false, now(), now())
                ON CONFLICT ((coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid)), name)
                DO UPDATE SET token_id = EXCLUDED.token_id, host = EXCLUDED.host,
                    cpu_model = EXCLUDED.cpu_model, cores = EXCLUDED.cores, memory_bytes = EXCLUDED.memory_bytes,
                    gpus = EXCLUDED.gpus, recipes = EXCLUDED.recipes, djl_version = EXCLUDED.djl_version,
                    pytorch_version = EXCLUDED.pytorch_version, zone = EXCLUDED.zone, pue = EXCLUDED.pue,
                    energy_methods = EXCLUDED.energy_methods, draining = false,
                    registered_at = now(), last_heartbeat_at = now()
                WHERE workers.token_id = EXCLUDED.token_id OR workers.token_id = ?
                RETURNING id
                """;
        try (Connection c = dataSource.getConnection();
                PreparedStatement upsert = c.prepareStatement(sql)) {
            upsert.setObject(1, UUID.randomUUID());
            upsert.setString(2, info.name());
            upsert.setObject(3, tokenId);
            upsert.setObject(4, info.teamId());
            upsert.setString(5, info.host());
            upsert.setString(6, info.cpuModel());
            upsert.setInt(7, info.cores());
            upsert.setLong(8, info.memoryBytes());
            upsert.setString(9, json.writeValueAsString(info.gpus()));
            upsert.setString(10, json.writeValueAsString(info.recipes()));
            upsert.setString(11, info.djlVersion());
            upsert.setString(12, info.pytorchVersion());
            upsert.setString(13, info.zone());
            upsert.setObject(14, info.pue(), Types.DOUBLE);
            upsert.setString(15, info.energyMethods() == null ? null : json.writeValueAsString(info.energyMethods()));
            upsert.setObject(16, replacing);
            try (ResultSet row = upsert.executeQuery()) {
                return row.next() ? Optional.of(row.getObject(1, UUID.class)) : Optional.empty();
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("Could not register runner " + info.name(), e);
        }
    }

    /** Records a heartbeat and, when {@code draining}, that the runner takes no new work. */
    @Transactional
    public void heartbeat(UUID workerId, boolean draining) {
        update("UPDATE workers SET last_heartbeat_at = now(), draining = ? WHERE id = ?", draining, workerId);
    }

    /**
     * Whether the runner said, to any control plane, that it drains: a claim waiting on another control plane than
     * the one its heartbeat reached learns it only here.
     */
    @Transactional
    public boolean draining(UUID workerId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT draining FROM workers WHERE id = ?")) {
            select.setObject(1, workerId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read runner " + workerId, e);
        }
    }

    @Transactional
    public Optional<Worker> find(UUID workerId) {
        return query("SELECT *, now() AS db_now FROM workers WHERE id = ?", workerId).stream()
                .findFirst();
    }

    @Transactional
    public List<Worker> list() {
        return query("SELECT *, now() AS db_now FROM workers ORDER BY name", null);
    }

    /**
     * Whether a registered runner that may take the team's runs (a shared one, or one of the team's own) offers a
     * recipe of that name; online or not, as a team's runner may be restarting. Another team's runners do not count:
     * a run they alone could take would wait for ever, and the answer would tell which recipes they offer.
     */
    @Transactional
    public boolean anyOffers(String recipe, UUID teamId) {
        return list().stream()
                .filter(w -> w.info().teamId() == null || w.info().teamId().equals(teamId))
                .anyMatch(w -> w.info().recipes().contains(recipe));
    }

    /** The most GPUs an online runner that serves the team has (runners of all teams included); 0 when none. */
    @Transactional
    public int mostGpusFor(UUID teamId) {
        return list().stream()
                .filter(w -> Worker.ONLINE.equals(w.state()))
                .filter(w -> w.info().teamId() == null || w.info().teamId().equals(teamId))
                .mapToInt(w -> w.info().gpus().size())
                .max()
                .orElse(0);
    }

    private void update(String sql, boolean draining, UUID workerId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement update = c.prepareStatement(sql)) {
            update.setBoolean(1, draining);
            update.setObject(2, workerId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not update runner " + workerId, e);
        }
    }

    private List<Worker> query(String sql, UUID id) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(sql)) {
            if (id != null) {
                select.setObject(1, id);
            }
            List<Worker> workers = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    workers.add(workerOf(row));
                }
            }
            return workers;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("Could not read runners", e);
        }
    }

    private static Double pue(ResultSet row) throws SQLException {
        double pue = row.getDouble("pue");
        return row.wasNull() ? null : pue;
    }

    private Worker workerOf(ResultSet row) throws SQLException, JsonProcessingException {
        WorkerInfo info = new WorkerInfo(
                row.getString("name"),
                row.getObject("team_id", UUID.class),
                row.getString("host"),
                row.getString("cpu_model"),
                row.getInt("cores"),
                row.getLong("memory_bytes"),
                json.readValue(row.getString("gpus"), new TypeReference<List<WorkerInfo.Gpu>>() {}),
                json.readValue(row.getString("recipes"), new TypeReference<LinkedHashSet<String>>() {}),
                row.getString("djl_version"),
                row.getString("pytorch_version"),
                row.getString("zone"),
                pue(row),
                row.getString("energy_methods") == null
                        ? Map.of()
                        : json.readValue(
                                row.getString("energy_methods"), new TypeReference<TreeMap<String, String>>() {}));
        Instant last = row.getTimestamp("last_heartbeat_at").toInstant();
        // Against the database's clock, which wrote the heartbeat: not this control plane's, which may be skewed.
        boolean online = last.isAfter(row.getTimestamp("db_now").toInstant().minus(config.lease()));
        String state = !online ? Worker.OFFLINE : row.getBoolean("draining") ? Worker.DRAINING : Worker.ONLINE;
        return new Worker(
                row.getObject("id", UUID.class),
                row.getObject("token_id", UUID.class),
                info,
                state,
                row.getTimestamp("registered_at").toInstant(),
                last);
    }
}
