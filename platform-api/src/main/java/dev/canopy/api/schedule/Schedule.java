package dev.canopy.api.schedule;

import dev.canopy.api.endpoint.GateSpec;
import dev.canopy.api.run.RunTemplate;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A retraining schedule: on a cron expression, or on every new version of a dataset. Updates write only the columns
 * they changed: a fire noting its run or error never writes back a pause or a change it did not read.
 */
@Entity
@DynamicUpdate
@Table(name = "schedules")
class Schedule {

    @Id
    UUID id;

    @Column(name = "team_id", nullable = false)
    UUID teamId;

    @Column(name = "name", nullable = false, length = 100)
    String name;

    @Column(name = "cron", length = 120)
    String cron;

    @Column(name = "time_zone", nullable = false, length = 64)
    String timeZone;

    @Column(name = "on_dataset_id")
    UUID onDatasetId;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "run_template", nullable = false, columnDefinition = "jsonb")
    RunTemplate runTemplate;

    @Column(name = "promote_to", length = 100)
    String promoteTo;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "promote_gates", nullable = false, columnDefinition = "jsonb")
    List<GateSpec> promoteGates = new ArrayList<>();

    @Column(name = "paused", nullable = false)
    boolean paused;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    /** Who it acts for: who made it, or who last changed or resumed it (the column keeps its first name). */
    @Column(name = "created_by")
    UUID createdBy;

    @Column(name = "last_fired_at")
    Instant lastFiredAt;

    @Column(name = "last_run_id")
    UUID lastRunId;

    @Column(name = "last_error", length = 2000)
    String lastError;

    /** Records why the last fire launched nothing, or its run's version was not promoted (cut to the column's 2,000). */
    void noteError(String problem) {
        lastError = problem.length() <= 2000 ? problem : problem.substring(0, 1999) + "…";
    }

    protected Schedule() {}

    Schedule(UUID teamId, String name, UUID createdBy, Instant now) {
        this.id = UUID.randomUUID();
        this.teamId = teamId;
        this.name = name;
        this.createdBy = createdBy;
        this.createdAt = now;
    }

    /**
     * From now on it acts for {@code user}, who changed or resumed it: a member who made it promote elsewhere, say,
     * must not leave it acting for its maker after they have left the team themselves.
     */
    void actFor(UUID user) {
        createdBy = user;
    }

    /** Pauses or resumes it; resumed by {@code user}, it acts for them from now on, as when changed. */
    void pause(boolean pause, UUID user) {
        paused = pause;
        if (!pause) {
            actFor(user);
        }
    }
}
