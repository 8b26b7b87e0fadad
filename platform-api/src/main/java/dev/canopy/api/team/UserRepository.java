package dev.canopy.api.team;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class UserRepository implements PanacheRepositoryBase<User, UUID> {

    Optional<User> findByName(String name) {
        return find("name", name).firstResultOptional();
    }
}
