package dev.canopy.api.dataset;

import java.util.List;
import java.util.UUID;

/** A dataset version as other features see it (lineage, training): identity, content hash, size and profile. */
public record DatasetVersionRef(
        UUID id,
        String dataset,
        int version,
        String sha256,
        long sizeBytes,
        long rowCount,
        List<ColumnProfile> columns) {

    static DatasetVersionRef from(DatasetVersion v) {
        return new DatasetVersionRef(v.id, v.dataset.name, v.version, v.sha256, v.sizeBytes, v.rowCount, v.columns);
    }
}
