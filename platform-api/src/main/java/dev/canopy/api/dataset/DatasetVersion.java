package dev.canopy.api.dataset;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One immutable version of a dataset: content-addressed by SHA-256, profiled on upload. */
@Entity
@Immutable
@Table(name = "dataset_versions")
class DatasetVersion {

    @Id
    UUID id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "dataset_id", nullable = false)
    Dataset dataset;

    @Column(name = "version", nullable = false)
    int version;

    @Column(name = "sha256", nullable = false, length = 64)
    String sha256;

    @Column(name = "size_bytes", nullable = false)
    long sizeBytes;

    @Column(name = "row_count", nullable = false)
    long rowCount;

    @Column(name = "artifact_key", nullable = false, length = 200)
    String artifactKey;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "columns", nullable = false, columnDefinition = "jsonb")
    List<ColumnProfile> columns;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "created_by")
    UUID createdBy;

    protected DatasetVersion() {}

    DatasetVersion(
            Dataset dataset,
            int version,
            String sha256,
            long sizeBytes,
            DatasetProfile profile,
            String artifactKey,
            UUID createdBy,
            Instant now) {
        this.id = UUID.randomUUID();
        this.dataset = dataset;
        this.version = version;
        this.sha256 = sha256;
        this.sizeBytes = sizeBytes;
        this.rowCount = profile.rowCount();
        this.columns = profile.columns();
        this.artifactKey = artifactKey;
        this.createdBy = createdBy;
        this.createdAt = now;
    }
}
