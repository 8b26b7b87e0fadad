package dev.canopy.api.carbon;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class IntensityTraceRepository implements PanacheRepositoryBase<IntensityTrace, UUID> {

    Optional<IntensityTrace> findByTeamAndZone(UUID teamId, String zone) {
        return find("teamId = ?1 and zone = ?2", teamId, zone).firstResultOptional();
    }

    List<IntensityTrace> findByTeam(UUID teamId) {
        return list("teamId = ?1 order by zone", teamId);
    }
}
