package dev.canopy.api.carbon;

import dev.canopy.api.carbon.CarbonRecords.TraceResponse;
import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.error.PayloadTooLarge;
import dev.canopy.api.team.Role;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.agroal.api.AgroalDataSource;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Grid intensity traces teams upload per zone (CSV {@code timestamp,gCO2e/kWh}): the runs of that team in that zone
 * then use, for each stretch of time, the trace point it fell in. Uploading again replaces the trace; energy
 * already charged keeps the intensity it was charged with.
 */
@ApplicationScoped
public class IntensityTraces {

    /** What a zone may be named: a country code, a grid operator's or a cloud provider's region. */
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9:._-]{0,63}");

    private static final int BATCH = 1000;

    @Inject
    IntensityTraceRepository traces;

    @Inject
    TraceWindows windows;

    @Inject
    GridIntensity grid;

    @Inject
    TeamAccess access;

    @Inject
    CarbonConfig config;

    @Inject
    AgroalDataSource dataSource;

    record Stored(TraceResponse trace, boolean created) {}

    @Transactional
    Stored put(String team, String zone, String source, InputStream csv) throws IOException {
        TeamScope scope = access.require(team, Role.ADMIN);
        if (!ZONE.matcher(zone).matches()) {
            throw new InvalidRequest(
                    "zone",
                    "must be 1-64 letters, digits, ':', '.', '_' or '-', starting with a letter or digit (DE, DEU,"
                            + " us-caiso, aws:eu-west-1)");
        }
        if (source != null && (source.length() > 300 || source.chars().anyMatch(Character::isISOControl))) {
            throw new InvalidRequest("source", "must be at most 300 characters without control characters");
        }
        String canonical = grid.canonical(zone);
        boolean replaced = traces.findByTeamAndZone(scope.teamId(), canonical)
                .map(old -> {
                    traces.delete(old);
                    traces.flush();
                    return true;
                })
                .isPresent();
        IntensityTrace trace = new IntensityTrace(
                scope.teamId(),
                canonical,
                source == null ? "uploaded by team " + team : source,
                scope.userId(),
                DatabaseTime.now());
        Instant[] range = new Instant[2];
        try (Connection c = dataSource.getConnection();
                PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO intensity_trace_points (trace_id, at, g_co2e_per_kwh) VALUES (?, ?, ?)")) {
            trace.firstAt = trace.lastAt = trace.uploadedAt;
            traces.persistAndFlush(trace);
            int[] pending = {0};
            trace.points = TraceCsv.read(new InputStreamReader(limited(csv), StandardCharsets.UTF_8), (at, value) -> {
                range[0] = range[0] == null ? at : range[0];
                range[1] = at;
                add(insert, trace.id, at, value);
                if (++pending[0] % BATCH == 0) {
                    flush(insert);
                }
            });
            flush(insert);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not store the trace for zone " + canonical, e);
        }
        trace.firstAt = range[0];
        trace.lastAt = range[1];
        // The CSV may have streamed for a while: a token revoked, or an admin removed, meanwhile stores nothing.
        access.recheck(scope, Role.ADMIN);
        Log.infof(
                "Team %s %s the intensity trace for %s: %d points",
                team, replaced ? "replaced" : "uploaded", canonical, trace.points);
        return new Stored(toResponse(trace), !replaced);
    }

    List<TraceResponse> list(String team) {
        return traces.findByTeam(access.read(team).teamId()).stream()
                .map(IntensityTraces::toResponse)
                .toList();
    }

    TraceResponse get(String team, String zone) {
        return toResponse(find(access.read(team), zone));
    }

    @Transactional
    void delete(String team, String zone) {
        traces.delete(find(access.require(team, Role.ADMIN), zone));
    }

    /**
     * The intensity for every stretch of {@code [from, to]} in {@code zone}: the team's trace where it covers the
     * time, else the yearly table. Without a team (a worker's idle time) only the table applies.
     */
    public List<IntensityPiece> over(UUID teamId, String zone, Instant from, Instant to) {
        Intensity yearly = grid.resolve(zone);
        if (teamId == null || zone == null || zone.isBlank()) {
            return List.of(new IntensityPiece(from, to, yearly));
        }
        return traces.findByTeamAndZone(teamId, grid.canonical(zone))
                .map(trace -> windows.cover(trace, yearly, from, to))
                .orElse(List.of(new IntensityPiece(from, to, yearly)));
    }

    private IntensityTrace find(TeamScope scope, String zone) {
        return traces.findByTeamAndZone(scope.teamId(), grid.canonical(zone))
                .orElseThrow(() -> new NotFound("no intensity trace for zone '" + zone + "'"));
    }

    private InputStream limited(InputStream in) {
        long max = config.traceMaxSize().asLongValue();
        return new FilterInputStream(in) {
            private long count;

            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b >= 0 && ++count > max) {
                    throw new PayloadTooLarge("An intensity trace is limited to " + max + " bytes");
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = in.read(buffer, offset, length);
                if (n > 0 && (count += n) > max) {
                    throw new PayloadTooLarge("An intensity trace is limited to " + max + " bytes");
                }
                return n;
            }
        };
    }

    private static void add(PreparedStatement insert, UUID trace, Instant at, double value) {
        try {
            insert.setObject(1, trace);
            insert.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            insert.setDouble(3, value);
            insert.addBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not store a trace point", e);
        }
    }

    private static void flush(PreparedStatement insert) {
        try {
            insert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not store trace points", e);
        }
    }

    private static TraceResponse toResponse(IntensityTrace t) {
        return new TraceResponse(t.zone, t.source, t.points, t.firstAt, t.lastAt, t.uploadedAt);
    }
}
