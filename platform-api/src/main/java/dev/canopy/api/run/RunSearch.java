package dev.canopy.api.run;

import dev.canopy.api.run.RunRecords.RunPage;
import dev.canopy.api.run.RunRecords.SearchRunsRequest;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Run search: the filter language ({@link RunFilter}) and ordering ({@link RunOrder}) compiled to one
 * parameterised query over the team's runs, paged by offset tokens.
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
        long offset = PageToken.decode(request.pageToken());

        String sql = "SELECT r.id FROM runs r JOIN experiments e ON e.id = r.experiment_id "
                + order.joins().sql()
                + " WHERE r.team_id = ? AND (" + where.sql() + ")"
                + " ORDER BY " + (order.orderBy().isEmpty() ? "" : order.orderBy() + ", ")
                + "r.created_at DESC, r.id LIMIT ? OFFSET ?";
        List<Object> parameters = new ArrayList<>(order.joins().parameters());
        parameters.add(scope.teamId());
        parameters.addAll(where.parameters());
        parameters.add(pageSize + 1);
        parameters.add(offset);

        List<UUID> ids = queryIds(sql, parameters);
        boolean more = ids.size() > pageSize;
        List<UUID> page = more ? ids.subList(0, pageSize) : ids;
        return new RunPage(views.of(scope, inOrder(page)), more ? PageToken.encode(offset + pageSize) : null);
    }

    private List<UUID> queryIds(String sql, List<Object> parameters) {
        return entityManager.unwrap(Session.class).doReturningWork(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < parameters.size(); i++) {
                    statement.setObject(i + 1, parameters.get(i));
                }
                List<UUID> ids = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getObject(1, UUID.class));
                    }
                }
                return ids;
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
