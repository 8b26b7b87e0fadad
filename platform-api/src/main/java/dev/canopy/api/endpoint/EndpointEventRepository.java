package dev.canopy.api.endpoint;

import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
class EndpointEventRepository implements PanacheRepositoryBase<EndpointEvent, UUID> {

    /** A page of the endpoint's audit trail, newest first. */
    List<EndpointEvent> findByEndpoint(UUID endpointId, HistoryPage page) {
        return page.kind() == null
                ? paged(find("endpointId = ?1 order by at desc, id", endpointId), page)
                : paged(find("endpointId = ?1 and kind = ?2 order by at desc, id", endpointId, page.kind()), page);
    }

    /** A page of the records of every endpoint the team has had under that name, newest first. */
    List<EndpointEvent> findByTeamAndName(UUID teamId, String name, HistoryPage page) {
        return page.kind() == null
                ? paged(find("teamId = ?1 and endpointName = ?2 order by at desc, id", teamId, name), page)
                : paged(
                        find(
                                "teamId = ?1 and endpointName = ?2 and kind = ?3 order by at desc, id",
                                teamId,
                                name,
                                page.kind()),
                        page);
    }

    private static List<EndpointEvent> paged(PanacheQuery<EndpointEvent> query, HistoryPage page) {
        return query.range(page.offset(), page.offset() + page.limit() - 1).list();
    }
}
