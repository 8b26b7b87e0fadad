package dev.canopy.api.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A version of a model, with the lineage that produced it. Everything but its description and tags is immutable.
 */
@Entity
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

    @Column(name = "description", length = 2000)
    String description;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "tags", nullable = false, columnDefinition = "jsonb")
    Map<String, String> tags = new HashMap<>();

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

    /** Sets the description when given ("" clears it) and merges tags (a null value removes that tag). */
    void annotate(String newDescription, Map<String, String> tagChanges) {
        description = Annotations.description(description, newDescription);
        tags = Annotations.mergeTags(tags, tagChanges);
    }
}
