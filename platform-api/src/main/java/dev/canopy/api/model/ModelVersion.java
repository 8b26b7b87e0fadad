package dev.canopy.api.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An immutable version of a model, with the lineage that produced it. */
@Entity
@Immutable
@Table(name = "model_versions")
class ModelVersion {

    @Id
    UUID id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "model_id", nullable = false)
    Model model;

    @Column(name = "version", nullable = false)
    int version;

    @Column(name = "run_id")
    UUID runId;

    @Column(name = "dataset_version_id")
    UUID datasetVersionId;

    @Column(name = "recipe", nullable = false, length = 100)
    String recipe;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "params", nullable = false, columnDefinition = "jsonb")
    Map<String, Object> params;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "metrics", nullable = false, columnDefinition = "jsonb")
    Map<String, Double> metrics;

    @Column(name = "artifact_key", nullable = false, length = 200)
    String artifactKey;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "spec", nullable = false, columnDefinition = "jsonb")
    Map<String, Object> spec;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    protected ModelVersion() {}

    ModelVersion(Model model, int version, NewModelVersion source, Instant now) {
        this.id = UUID.randomUUID();
        this.model = model;
        this.version = version;
        this.runId = source.runId();
        this.datasetVersionId = source.datasetVersionId();
        this.recipe = source.recipe();
        this.params = source.params();
        this.metrics = source.metrics();
        this.artifactKey = source.artifactKey();
        this.spec = source.spec();
        this.createdAt = now;
    }
}
