package dev.canopy.api.team;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.Conflict;
import dev.canopy.api.error.Forbidden;
import dev.canopy.api.team.TeamRecords.CreateUserRequest;
import dev.canopy.api.team.TeamRecords.UserResponse;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.List;

/** Users of the platform; managed by platform admins. */
@ApplicationScoped
class UserService {

    @Inject
    UserRepository users;

    @Inject
    CurrentCaller currentCaller;

    @Transactional
    UserResponse create(CreateUserRequest request) {
        requirePlatformAdmin();
        if (users.findByName(request.name()).isPresent()) {
            throw new Conflict("User '" + request.name() + "' already exists", "name", "already taken");
        }
        User user = new User(request.name(), Boolean.TRUE.equals(request.platformAdmin()), DatabaseTime.now());
        users.persist(user);
        Log.infof(
                "User %s (%s) created by %s",
                user.name, user.id, currentCaller.get().userName());
        return UserResponse.from(user);
    }

    List<UserResponse> list() {
        requirePlatformAdmin();
        return users.listAll().stream().map(UserResponse::from).toList();
    }

    private void requirePlatformAdmin() {
        if (!currentCaller.get().actsAsPlatformAdmin()) {
            throw new Forbidden("Only a platform admin may manage users");
        }
    }
}
