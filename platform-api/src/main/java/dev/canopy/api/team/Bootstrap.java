package dev.canopy.api.team;

import dev.canopy.api.config.CanopyConfig;
import dev.canopy.api.config.DatabaseTime;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * First start: when no user exists yet, creates team {@code default}, platform admin {@code admin} (an admin of
 * that team) and a token for it, written to {@code $CANOPY_HOME/admin-token} with mode 600. The log names the
 * file, never the token.
 */
@ApplicationScoped
class Bootstrap {

    static final String DEFAULT_TEAM = "default";
    static final String ADMIN_USER = "admin";

    @Inject
    UserRepository users;

    @Inject
    TeamRepository teams;

    @Inject
    MembershipRepository memberships;

    @Inject
    TokenService tokens;

    @Inject
    EntityManager entityManager;

    @Inject
    CanopyConfig config;

    /** Runs before other start-up observers (the embedded runners need the admin to exist). */
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        Path file = createFirstAdminIfNeeded();
        if (file != null) {
            Log.infof(
                    "First start: created team '%s' and user '%s'; admin token written to %s",
                    DEFAULT_TEAM, ADMIN_USER, file);
        }
    }

    /**
     * Creates the first admin and writes its token to the file, before the transaction commits: a file that cannot
     * be written (a home that is not writable, a full disk) fails the start with nothing created, so the next start
     * tries again rather than finding an admin whose only token was lost. Returns the file, or null when users exist
     * already.
     */
    @Transactional
    Path createFirstAdminIfNeeded() {
        // Several control planes may start at once on one database: only one may bootstrap.
        entityManager
                .createNativeQuery("SELECT pg_advisory_xact_lock(hashtext('canopy-bootstrap'))")
                .getSingleResult();
        if (users.count() > 0) {
            return null;
        }
        Instant now = DatabaseTime.now();
        Team team = new Team(DEFAULT_TEAM, now);
        User admin = new User(ADMIN_USER, true, now);
        teams.persist(team);
        users.persist(admin);
        memberships.persist(new Membership(team, admin, Role.ADMIN, now));
        return writeTokenFile(
                tokens.createBootstrapToken(admin, "bootstrap admin token").token());
    }

    private Path writeTokenFile(String secret) {
        Path home = config.homeDirectory();
        Path file = home.resolve("admin-token");
        try {
            Files.createDirectories(home);
            Path temporary = Files.createTempFile(
                    home,
                    "admin-token",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, secret + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the admin token to " + file, e);
        }
    }
}
