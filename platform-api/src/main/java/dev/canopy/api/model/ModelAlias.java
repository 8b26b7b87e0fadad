package dev.canopy.api.model;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

/** A named pointer ("champion", "challenger", …) from a model to one of its versions. */
@Entity
@Table(name = "model_aliases")
class ModelAlias {

    /** A model's alias name. */
    @Embeddable
    record Key(@Column(name = "model_id") UUID modelId, @Column(name = "alias") String alias) implements Serializable {}

    @EmbeddedId
    Key key;

    @Column(name = "version_id", nullable = false)
    UUID versionId;

    @Column(name = "set_by")
    UUID setBy;

    @Column(name = "set_at", nullable = false)
    Instant setAt;

    protected ModelAlias() {}

    ModelAlias(UUID modelId, String alias, UUID versionId, UUID setBy, Instant now) {
        this.key = new Key(modelId, alias);
        point(versionId, setBy, now);
    }

    void point(UUID version, UUID by, Instant now) {
        this.versionId = version;
        this.setBy = by;
        this.setAt = now;
    }
}
