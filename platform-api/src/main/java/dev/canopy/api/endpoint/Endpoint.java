package dev.canopy.api.endpoint;

import dev.canopy.api.error.InvalidState;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A team's named inference endpoint, bound to one model: which version is live, and the canary if any. */
@Entity
@Table(name = "endpoints")
// Writes only the columns that changed: a stale copy must not write back another change's versions.
@DynamicUpdate
class Endpoint {

    @Id
    UUID id;

    @Column(name = "team_id", nullable = false)
    UUID teamId;

    @Column(name = "name", nullable = false, length = 100)
    String name;

    @Column(name = "model_id", nullable = false)
    UUID modelId;

    @Column(name = "live_version_id")
    UUID liveVersionId;

    @Column(name = "previous_version_id")
    UUID previousVersionId;

    @Column(name = "canary_version_id")
    UUID canaryVersionId;

    @Column(name = "canary_percent")
    Integer canaryPercent;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "canary_policy", columnDefinition = "jsonb")
    CanaryPolicy canaryPolicy;

    /** Names this canary (not its version): what control planes saw of it is pooled under this id. */
    @Column(name = "canary_id")
    UUID canaryId;

    @Column(name = "shadow_version_id")
    UUID shadowVersionId;

    /** Names this shadow (not its version): what control planes saw of it is pooled under this id. */
    @Column(name = "shadow_id")
    UUID shadowId;

    /** Its own micro-batching settings; null: the platform's defaults. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "batching", columnDefinition = "jsonb")
    EndpointBatching batching;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    Instant updatedAt;

    protected Endpoint() {}

    Endpoint(UUID teamId, String name, UUID modelId, Instant now) {
        this.id = UUID.randomUUID();
        this.teamId = teamId;
        this.name = name;
        this.modelId = modelId;
        this.createdAt = now;
        this.updatedAt = now;
    }

    /** The versions this endpoint serves: live, canary and shadow, those it has. */
    List<UUID> servedVersionIds() {
        return Stream.of(liveVersionId, canaryVersionId, shadowVersionId)
                .filter(Objects::nonNull)
                .toList();
    }

    /**
     * Whether it routes as {@code other} (an earlier read of it) did: the same live and previous versions, the same
     * canary and the same shadow (each by its id).
     */
    boolean routesAs(Endpoint other) {
        return Objects.equals(liveVersionId, other.liveVersionId)
                && Objects.equals(previousVersionId, other.previousVersionId)
                && Objects.equals(canaryId, other.canaryId)
                && Objects.equals(shadowId, other.shadowId);
    }

    /** Its micro-batching settings, the platform's defaults for the fields it does not set. */
    EndpointBatching batchingSettings() {
        return batching == null ? EndpointBatching.DEFAULTS : batching;
    }

    /** The version takes all traffic; the one it replaces becomes the rollback target; a shadow of it ends. */
    void goLive(UUID version, Instant now) {
        if (!version.equals(liveVersionId)) {
            previousVersionId = liveVersionId;
            liveVersionId = version;
        }
        if (version.equals(shadowVersionId)) {
            clearShadow();
        }
        clearCanary();
        updatedAt = now;
    }

    /** The version sees copies of the requests from now on; its answers are compared, never returned. */
    void startShadow(UUID version, Instant now) {
        if (liveVersionId == null) {
            throw new InvalidState("endpoint '" + name + "' has no live version to shadow; promote one first");
        }
        shadowVersionId = version;
        shadowId = UUID.randomUUID();
        updatedAt = now;
    }

    /** The version answers {@code percent} % of the requests next to the live one; a shadow of it ends. */
    void startCanary(UUID version, int percent, CanaryPolicy policy, Instant now) {
        if (liveVersionId == null) {
            throw new InvalidState("endpoint '" + name + "' has no live version for a canary to be compared with;"
                    + " promote a version without canaryPercent first");
        }
        if (version.equals(shadowVersionId)) {
            // A shadow that becomes the canary answers clients now: comparing it with itself would mean nothing.
            clearShadow();
        }
        canaryVersionId = version;
        canaryPercent = percent;
        canaryPolicy = policy;
        canaryId = UUID.randomUUID();
        updatedAt = now;
    }

    /**
     * Back to the previous state: drops a canary if there is one, else a shadow, else makes the previous version
     * live. Returns the version dropped or replaced.
     */
    UUID rollBack(Instant now) {
        if (canaryVersionId == null && shadowVersionId != null) {
            UUID dropped = shadowVersionId;
            clearShadow();
            updatedAt = now;
            return dropped;
        }
        if (canaryVersionId != null) {
            UUID dropped = canaryVersionId;
            clearCanary();
            updatedAt = now;
            return dropped;
        }
        if (previousVersionId == null) {
            throw new InvalidState("endpoint '" + name + "' has no previous version to roll back to");
        }
        UUID replaced = liveVersionId;
        liveVersionId = previousVersionId;
        previousVersionId = null;
        updatedAt = now;
        return replaced;
    }

    private void clearShadow() {
        shadowVersionId = null;
        shadowId = null;
    }

    private void clearCanary() {
        canaryVersionId = null;
        canaryPercent = null;
        canaryPolicy = null;
        canaryId = null;
    }
}
