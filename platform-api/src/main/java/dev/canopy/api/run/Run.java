package dev.canopy.api.run;

import dev.canopy.api.error.Conflict;
import dev.canopy.api.error.InvalidState;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.hibernate.annotations.BatchSize;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

// Writes only the columns that changed: a rename that read the run before its runner's completion must not write
// back the status (and model version) it read.
@Entity
@Table(name = "runs")
@DynamicUpdate
class Run {

    @Id
    UUID id;

    @Column(name = "team_id", nullable = false)
    UUID teamId;

    @Column(name = "experiment_id", nullable = false)
    UUID experimentId;

    @Column(name = "name", nullable = false, length = 200)
    String name;

    @Enumerated(EnumType.STRING)
    @Column(name = "kind", nullable = false, length = 16)
    RunKind kind;

    @Enumerated(EnumType.STRING)
    @Column(name = "status", nullable = false, length = 16)
    RunStatus status;

    @Column(name = "recipe", length = 100)
    String recipe;

    @Column(name = "attempt", nullable = false)
    int attempt;

    @Column(name = "priority", nullable = false)
    int priority;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "created_by")
    UUID createdBy;

    @Column(name = "started_at")
    Instant startedAt;

    @Column(name = "ended_at")
    Instant endedAt;

    @Column(name = "error", length = 4000)
    String error;

    /** Trained runs: the recipe's parameters as validated (typed JSON); also logged as string params. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "recipe_params", columnDefinition = "jsonb")
    Map<String, Object> recipeParams;

    @Column(name = "register_as", length = 100)
    String registerAs;

    @Column(name = "gpus", nullable = false)
    int gpus;

    @Column(name = "max_attempts", nullable = false)
    int maxAttempts = 1;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "progress", columnDefinition = "jsonb")
    RunProgress progress;

    /** What the recipe had to say (columns left out, rows dropped, ...). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "notes", columnDefinition = "jsonb")
    List<String> notes;

    /** Warnings the run was given when it was submitted (the team's CO2e budget nearly spent, say). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "warnings", columnDefinition = "jsonb")
    List<String> warnings;

    /** The last epoch whose checkpoint is committed; a resumed attempt continues after it. */
    @Column(name = "checkpoint_epoch")
    Integer checkpointEpoch;

    @Column(name = "model_version_id")
    UUID modelVersionId;

    @Column(name = "schedule_id")
    UUID scheduleId;

    /** Immutable once set: the same value again is fine, another value is a conflict. */
    @ElementCollection
    @BatchSize(size = 100)
    @CollectionTable(name = "run_params", joinColumns = @JoinColumn(name = "run_id"))
    @MapKeyColumn(name = "key", length = 250)
    @Column(name = "value", nullable = false, length = 6000)
    Map<String, String> params = new HashMap<>();

    @ElementCollection
    @BatchSize(size = 100)
    @CollectionTable(name = "run_tags", joinColumns = @JoinColumn(name = "run_id"))
    @MapKeyColumn(name = "key", length = 250)
    @Column(name = "value", nullable = false, length = 8000)
    Map<String, String> tags = new HashMap<>();

    /** Lineage: the dataset versions this run read. */
    @ElementCollection
    @BatchSize(size = 100)
    @CollectionTable(name = "run_inputs", joinColumns = @JoinColumn(name = "run_id"))
    @Column(name = "dataset_version_id", nullable = false)
    Set<UUID> inputs = new HashSet<>();

    protected Run() {}

    /** A run tracked from outside: it is RUNNING from the moment it is created. */
    static Run tracked(UUID teamId, UUID experimentId, String name, UUID createdBy, Instant now) {
        Run run = new Run();
        run.id = UUID.randomUUID();
        run.teamId = teamId;
        run.experimentId = experimentId;
        run.name = name;
        run.kind = RunKind.TRACKED;
        run.status = RunStatus.RUNNING;
        run.createdBy = createdBy;
        run.createdAt = now;
        run.startedAt = now;
        return run;
    }

    /** A run to be trained by a runner: it waits in the queue until one claims it. */
    static Run trained(TrainedRunSpec spec, UUID createdBy, Instant now) {
        Run run = new Run();
        run.id = UUID.randomUUID();
        run.teamId = spec.teamId();
        run.experimentId = spec.experimentId();
        run.name = spec.name();
        run.kind = RunKind.TRAINED;
        run.status = RunStatus.QUEUED;
        run.recipe = spec.recipe();
        run.recipeParams = spec.params();
        run.registerAs = spec.registerAs();
        run.gpus = spec.gpus();
        run.priority = spec.priority();
        run.maxAttempts = spec.maxAttempts();
        run.notes = spec.notes();
        run.inputs.add(spec.datasetVersionId());
        run.createdBy = createdBy;
        run.createdAt = now;
        return run;
    }

    /** A runner claimed the run (again): it is RUNNING under this attempt. */
    void claimed(int attempt, Instant now) {
        moveTo(RunStatus.RUNNING, now);
        this.attempt = attempt;
    }

    /** Its runner was lost: back to QUEUED for the next attempt, which resumes from the last checkpoint. */
    void requeued() {
        if (kind != RunKind.TRAINED || status != RunStatus.RUNNING) {
            throw new InvalidState(
                    "Run " + id + " is " + status + "; only a running trained run goes back to the queue");
        }
        status = RunStatus.QUEUED;
    }

    void fail(String reason, Instant now) {
        moveTo(RunStatus.FAILED, now);
        error = reason;
    }

    void logParam(String key, String value) {
        String existing = params.get(key);
        if (existing == null) {
            if (status.isTerminal()) {
                throw new InvalidState("Run " + id + " is " + status + "; params can no longer be added");
            }
            params.put(key, value);
        } else if (!existing.equals(value)) {
            throw new Conflict(
                    "Param '" + key + "' of run " + id + " is already '" + existing + "'; params are immutable",
                    "params." + key,
                    "already set to a different value");
        }
    }

    void setTag(String key, String value) {
        tags.put(key, value);
    }

    void removeTag(String key) {
        tags.remove(key);
    }

    /** Moves to {@code next}; the same status again is a no-op, an illegal move is refused. */
    void moveTo(RunStatus next, Instant now) {
        if (Objects.equals(status, next)) {
            return;
        }
        if (!status.canMoveTo(next)) {
            throw new InvalidState("Run " + id + " cannot go from " + status + " to " + next);
        }
        status = next;
        if (next == RunStatus.RUNNING && startedAt == null) {
            startedAt = now;
        }
        if (next.isTerminal()) {
            endedAt = now;
        }
    }
}
