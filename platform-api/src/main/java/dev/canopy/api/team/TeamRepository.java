package dev.canopy.api.team;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class TeamRepository implements PanacheRepositoryBase<Team, UUID> {

    Optional<Team> findByName(String name) {
        return find("name", name).firstResultOptional();
    }
}
