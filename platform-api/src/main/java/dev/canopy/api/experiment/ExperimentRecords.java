package dev.canopy.api.experiment;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

final class ExperimentRecords {

    private ExperimentRecords() {}

    /**
     * Experiment names are free text (like MLflow's: {@code /Users/me/churn}) but without control characters, and
     * neither "." nor "..": a URL path segment of either is resolved away by HTTP clients and servers, so {@code
     * GET …/experiments/..} would answer for the team instead.
     */
    record CreateExperimentRequest(
            @NotBlank
                    @Size(max = 200)
                    @Pattern(
                            regexp = "(?!\\.\\.?$)[^\\p{Cntrl}]+",
                            message = "must not contain control characters, nor be '.' or '..' (which a URL cannot"
                                    + " name)")
                    String name,
            @Size(max = 2000) String description) {}

    record ExperimentResponse(UUID id, String name, String description, Instant createdAt) {
        static ExperimentResponse from(Experiment e) {
            return new ExperimentResponse(e.id, e.name, e.description, e.createdAt);
        }
    }
}
