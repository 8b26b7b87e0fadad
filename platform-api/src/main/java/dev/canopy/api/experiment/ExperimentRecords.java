package dev.canopy.api.experiment;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

final class ExperimentRecords {

    private ExperimentRecords() {}

    /** Experiment names are free text (like MLflow's) but without control characters. */
    record CreateExperimentRequest(
            @NotBlank
                    @Size(max = 200)
                    @Pattern(regexp = "[^\\p{Cntrl}]+", message = "must not contain control characters")
                    String name,
            @Size(max = 2000) String description) {}

    record ExperimentResponse(UUID id, String name, String description, Instant createdAt) {
        static ExperimentResponse from(Experiment e) {
            return new ExperimentResponse(e.id, e.name, e.description, e.createdAt);
        }
    }
}
