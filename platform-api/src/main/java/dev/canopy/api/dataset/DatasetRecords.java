package dev.canopy.api.dataset;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Request and response records of the dataset feature. */
final class DatasetRecords {

    static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}";
    static final String NAME_RULE = "must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit";

    private DatasetRecords() {}

    record CreateDatasetRequest(
            @NotBlank @Pattern(regexp = NAME, message = NAME_RULE) String name, @Size(max = 2000) String description) {}

    record DatasetResponse(
            UUID id, String name, String description, Instant createdAt, Integer latestVersion, int versionCount) {}

    record VersionResponse(
            String dataset,
            int version,
            String sha256,
            long sizeBytes,
            long rowCount,
            List<ColumnProfile> columns,
            Instant createdAt) {
        static VersionResponse from(DatasetVersion v) {
            return new VersionResponse(
                    v.dataset.name, v.version, v.sha256, v.sizeBytes, v.rowCount, v.columns, v.createdAt);
        }
    }
}
