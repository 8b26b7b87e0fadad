package dev.canopy.api.endpoint;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
class EndpointEventRepository implements PanacheRepositoryBase<EndpointEvent, UUID> {

    /** The endpoint's audit trail, newest first. */
    List<EndpointEvent> findByEndpoint(UUID endpointId, int limit) {
        return find("endpointId = ?1 order by at desc, id", endpointId)
                .page(0, limit)
                .list();
    }

    /** The records of every endpoint the team has had under that name, newest first. */
    List<EndpointEvent> findByTeamAndName(UUID teamId, String name, int limit) {
        return find("teamId = ?1 and endpointName = ?2 order by at desc, id", teamId, name)
                .page(0, limit)
                .list();
    }
}
