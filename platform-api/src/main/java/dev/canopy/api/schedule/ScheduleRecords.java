package dev.canopy.api.schedule;

import dev.canopy.api.endpoint.GateSpec;
import dev.canopy.api.run.RunTemplate;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

final class ScheduleRecords {

    private ScheduleRecords() {}

    /**
     * A schedule fires on {@code cron} (Quartz syntax, with seconds: {@code "0 0 2 * * ?"} is 02:00 daily, in
     * {@code timeZone}, default UTC) or on every new version of dataset {@code onNewDatasetVersion}: exactly one
     * of the two. Each fire launches {@code runTemplate}.
     */
    record CreateScheduleRequest(
            @NotBlank
                    @Pattern(
                            regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}",
                            message = "must be 1-100 letters, digits, '.', '_' or '-'")
                    String name,
            @Size(max = 120) String cron,
            @Size(max = 64) String timeZone,
            String onNewDatasetVersion,
            @NotNull @Valid RunTemplate runTemplate,
            @Size(max = 100) String promoteTo,
            @Size(max = 20) List<GateSpec> promoteGates) {}

    /**
     * Changes a schedule; what is left out stays. Giving {@code cron} turns a data schedule into a cron one, giving
     * {@code onNewDatasetVersion} the other way round; an empty {@code promoteTo} clears it; {@code promoteGates}
     * replaces the gates.
     */
    record UpdateScheduleRequest(
            @Size(max = 120) String cron,
            @Size(max = 64) String timeZone,
            String onNewDatasetVersion,
            @Valid RunTemplate runTemplate,
            @Size(max = 100) String promoteTo,
            @Size(max = 20) List<GateSpec> promoteGates) {}

    record ScheduleResponse(
            UUID id,
            String name,
            String cron,
            String timeZone,
            String onNewDatasetVersion,
            RunTemplate runTemplate,
            String promoteTo,
            List<GateSpec> promoteGates,
            boolean paused,
            Instant lastFiredAt,
            UUID lastRunId,
            String lastError,
            Instant nextFireAt,
            boolean finished,
            Instant createdAt,
            String actsFor) {}
}
