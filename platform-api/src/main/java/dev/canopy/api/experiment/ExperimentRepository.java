package dev.canopy.api.experiment;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class ExperimentRepository implements PanacheRepositoryBase<Experiment, UUID> {

    Optional<Experiment> findByTeamAndName(UUID teamId, String name) {
        return find("teamId = ?1 and name = ?2", teamId, name).firstResultOptional();
    }

    List<Experiment> findByTeam(UUID teamId) {
        return list("teamId = ?1 order by name", teamId);
    }

    List<Experiment> listByIds(Collection<UUID> ids) {
        return ids.isEmpty() ? List.of() : list("id in ?1", ids);
    }
}
