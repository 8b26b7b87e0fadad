package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.run.RunRecords.RunPage;
import dev.canopy.api.run.RunRecords.SearchRunsRequest;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Run search: the filter language ({@link RunFilter}) and ordering ({@link RunOrder}) compiled to one
 * parameterised query over the team's runs, paged by {@link PageToken}s.
 */
@ApplicationScoped
class RunSearch {

    static final int DEFAULT_PAGE_SIZE = 100;

    @Inject
    EntityManager entityManager;

    @Inject
    RunRepository runs;

    @Inject
    RunViews views;

    @Inject
    TeamAccess access;

    RunPage search(String team, SearchRunsRequest request) {
        TeamScope scope = access.read(team);
        SqlFragment where = RunFilter.parse(request.filter()).toSql();
        RunOrder order = RunOrder.parse(request.orderBy());
        int pageSize = request.pageSize() == null ? DEFAULT_PAGE_SIZE : request.pageSize();
        PageToken.Position position = PageToken.decode(request.pageToken());
        boolean keyed = order.orderBy().isEmpty();
        if (position.keyed() && !keyed) {
            throw new InvalidRequest("pageToken", "is a token of a search without orderBy; start again without it");
        }

        List<Object> parameters = new ArrayList<>(order.joins().parameters());
        parameters.add(scope.teamId());
        parameters.addAll(where.parameters());
        String after = "";
        if (position.keyed()) {
            // Newest first, then by id: the runs after the last one shown.
            after = " AND (r.created_at < ? OR (r.created_at = ? AND r.id > ?))";
            OffsetDateTime createdAt = position.createdAt().atOffset(ZoneOffset.UTC);
            parameters.add(createdAt);
            parameters.add(createdAt);
            parameters.add(position.id());
        }
        String sql = "SELECT r.id, r.created_at FROM runs r JOIN experiments e ON e.id = r.experiment_id "
                + order.joins().sql()
                + " WHERE r.team_id = ? AND (" + where.sql() + ")" + after
                + " ORDER BY " + (keyed ? "" : order.orderBy() + ", ")
                + "r.created_at DESC, r.id LIMIT ? OFFSET ?";
        parameters.add(pageSize + 1);
        parameters.add(position.offset());

        List<Row> rows = query(sql, parameters);
        boolean more = rows.size() > pageSize;
        List<Row> page = more ? rows.subList(0, pageSize) : rows;
        String next = null;
        if (more) {
            Row last = page.get(page.size() - 1);
            next = keyed
                    ? PageToken.after(last.createdAt(), last.id())
                    : PageToken.offset(position.offset() + pageSize);
        }
        return new RunPage(views.of(scope, inOrder(page.stream().map(Row::id).toList())), next);
    }

    private record Row(UUID id, Instant createdAt) {}

    private List<Row> query(String sql, List<Object> parameters) {
        return entityManager.unwrap(Session.class).doReturningWork(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < parameters.size(); i++) {
                    statement.setObject(i + 1, parameters.get(i));
                }
                List<Row> rows = new ArrayList<>();
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        rows.add(new Row(
                                result.getObject(1, UUID.class),
                                result.getObject(2, OffsetDateTime.class).toInstant()));
                    }
                }
                return rows;
            }
        });
    }

    private List<Run> inOrder(List<UUID> ids) {
        Map<UUID, Integer> position = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            position.put(ids.get(i), i);
        }
        return runs.listByIds(ids).stream()
                .sorted(Comparator.comparing(r -> position.get(r.id)))
                .toList();
    }
}
