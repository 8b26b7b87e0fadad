package dev.canopy.api.run;

import static dev.canopy.api.run.RunFields.MAX_PARAM_VALUE;
import static dev.canopy.api.run.RunFields.MAX_TAG_VALUE;
import static dev.canopy.api.run.RunFields.checkClientTags;
import static dev.canopy.api.run.RunFields.checkKey;
import static dev.canopy.api.run.RunFields.checkSize;
import static dev.canopy.api.run.RunFields.checkValue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.InvalidState;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.experiment.ExperimentRef;
import dev.canopy.api.experiment.ExperimentService;
import dev.canopy.api.run.RunRecords.CreateRunRequest;
import dev.canopy.api.run.RunRecords.DatasetInput;
import dev.canopy.api.run.RunRecords.RunResponse;
import dev.canopy.api.run.RunRecords.UpdateRunRequest;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import dev.canopy.scheduler.queue.CancelOutcome;
import dev.canopy.scheduler.queue.RunQueue;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Runs: creation, params, tags, lineage and status. Search is {@link RunSearch}, metrics {@link MetricIngestion}. */
@ApplicationScoped
public class RunService {

    /** A schedule's run carries two tags of the platform's besides its template's. */
    private static final int MAX_TEMPLATE_TAGS = RunFields.MAX_TAGS - 2;

    @Inject
    RunRepository runs;

    @Inject
    TeamAccess access;

    @Inject
    ExperimentService experiments;

    @Inject
    DatasetService datasets;

    @Inject
    RunViews views;

    @Inject
    ObjectMapper json;

    @Inject
    TrainedRuns trained;

    @Inject
    RunQueue queue;

    @Inject
    Event<TrainedRunEnded> endedRuns;

    @Transactional
    RunResponse create(String team, CreateRunRequest request) {
        TeamScope scope = access.write(team);
        checkClientTags("tags", request.tags());
        return create(scope, request);
    }

    /** Launches a trained run from a template on behalf of a schedule; {@code tags} mark where it came from. */
    @Transactional
    public UUID launch(TeamScope scope, RunTemplate template, UUID scheduleId, Map<String, String> tags) {
        Run run = trained.submit(scope, template.toRequest(tags));
        run.scheduleId = scheduleId;
        return run.id;
    }

    /** Checks a template as if it were submitted now (experiment, dataset, recipe and its params). */
    public void check(TeamScope scope, RunTemplate template) {
        checkTemplateTags(template);
        try {
            trained.check(scope, template.toRequest(Map.of()));
        } catch (InvalidRequest e) {
            throw e.within("runTemplate");
        }
    }

    /** {@link #check} for a template whose dataset has no version yet: what can be checked before the data. */
    public void checkBeforeData(TeamScope scope, RunTemplate template) {
        checkTemplateTags(template);
        try {
            trained.checkBeforeData(scope, template.toRequest(Map.of()));
        } catch (InvalidRequest e) {
            throw e.within("runTemplate");
        }
    }

    private static void checkTemplateTags(RunTemplate template) {
        checkClientTags("runTemplate.tags", template.tags());
        if (template.tags() != null && template.tags().size() > MAX_TEMPLATE_TAGS) {
            throw new InvalidRequest(
                    "runTemplate.tags", "at most " + MAX_TEMPLATE_TAGS + " (a fired run adds two of the platform's)");
        }
    }

    private RunResponse create(TeamScope scope, CreateRunRequest request) {
        if (request.recipe() != null) {
            return views.of(scope, trained.submit(scope, request));
        }
        if (request.dataset() != null
                || request.resources() != null
                || request.gpus() != null
                || request.registerAs() != null
                || request.maxAttempts() != null) {
            throw new InvalidRequest(
                    "recipe",
                    "dataset, resources, gpus, maxAttempts and registerAs are for trained runs: name a recipe");
        }
        ExperimentRef experiment = experiments.require(scope, request.experiment());
        Instant now = DatabaseTime.now();
        String name = request.name() == null || request.name().isBlank() ? defaultName(now) : request.name();
        Run run = Run.tracked(scope.teamId(), experiment.id(), name, scope.userId(), now);
        if (request.params() != null) {
            request.params()
                    .forEach((k, v) ->
                            run.logParam(checkKey("params", k), checkValue("params", k, text(v), MAX_PARAM_VALUE)));
        }
        orEmpty(request.tags())
                .forEach((k, v) -> run.setTag(checkKey("tags", k), checkValue("tags", k, v, MAX_TAG_VALUE)));
        if (request.inputs() != null) {
            request.inputs().forEach(input -> run.inputs.add(resolveInput(scope, input)));
        }
        runs.persist(run);
        Log.infof(
                "Run %s (%s) started in experiment %s of team %s",
                run.id, run.name, experiment.name(), scope.teamName());
        return views.of(scope, run);
    }

    RunResponse get(String team, UUID runId) {
        TeamScope scope = access.read(team);
        return views.of(scope, find(scope, runId));
    }

    @Transactional
    RunResponse update(String team, UUID runId, UpdateRunRequest request) {
        TeamScope scope = access.write(team);
        Run run = findForWrite(scope, runId);
        if (request.status() != null) {
            if (run.kind != RunKind.TRACKED && request.status() != run.status) {
                throw new InvalidState("Run " + runId + " is trained by Canopy; its status follows its runner");
            }
            run.moveTo(request.status(), DatabaseTime.now());
            Log.infof("Run %s is now %s", run.id, run.status);
        }
        if (request.tags() != null) {
            int before = run.tags.size();
            checkClientTags("tags", request.tags());
            request.tags().forEach((k, v) -> {
                if (v == null) {
                    run.removeTag(k);
                } else {
                    run.setTag(checkKey("tags", k), checkValue("tags", k, v, MAX_TAG_VALUE));
                }
            });
            checkSize("tags", before, run.tags.size(), RunFields.MAX_TAGS);
        }
        if (request.name() != null && !request.name().isBlank()) {
            run.name = request.name();
        }
        return views.of(scope, run);
    }

    @Transactional
    RunResponse logParams(String team, UUID runId, Map<String, String> params) {
        TeamScope scope = access.write(team);
        Run run = findForWrite(scope, runId);
        int before = run.params.size();
        params.forEach((k, v) -> run.logParam(checkKey("params", k), checkValue("params", k, v, MAX_PARAM_VALUE)));
        checkSize("params", before, run.params.size(), RunFields.MAX_PARAMS);
        return views.of(scope, run);
    }

    @Transactional
    RunResponse addInput(String team, UUID runId, DatasetInput input) {
        TeamScope scope = access.write(team);
        Run run = findForWrite(scope, runId);
        if (run.kind != RunKind.TRACKED) {
            // Its runner trains on the dataset version it was submitted with, which its model's lineage names.
            throw new InvalidState("Run " + runId + " is trained by Canopy on the dataset version it was submitted"
                    + " with; inputs can be added to tracked runs only");
        }
        int before = run.inputs.size();
        run.inputs.add(resolveInput(scope, input));
        checkSize("inputs", before, run.inputs.size(), RunFields.MAX_INPUTS);
        return views.of(scope, run);
    }

    /**
     * Cancels a run. A tracked or a waiting run ends KILLED at once; a run a runner holds is flagged, and its
     * runner stops within seconds (at its next heartbeat or report) and ends it KILLED.
     */
    @Transactional
    RunResponse cancel(String team, UUID runId) {
        TeamScope scope = access.write(team);
        Run run = find(scope, runId);
        requireNotEnded(run);
        // The queue row first, then the run: the order in which a runner's reports, a release and the reaper lock
        // them. Read again under its lock, the run shows what a completion, failure or requeue committed meanwhile.
        CancelOutcome outcome = run.kind == RunKind.TRAINED ? queue.requestCancel(run.id) : CancelOutcome.NOT_QUEUED;
        runs.getEntityManager().refresh(run, LockModeType.PESSIMISTIC_WRITE);
        requireNotEnded(run);
        if (outcome != CancelOutcome.SIGNALLED) {
            run.moveTo(RunStatus.KILLED, DatabaseTime.now());
            if (run.kind == RunKind.TRAINED) {
                // A run back in the queue may have checkpoints.
                endedRuns.fire(TrainedRunEnded.of(run));
            }
        }
        Log.infof("Run %s cancelled by user %s (%s)", run.id, scope.userId(), outcome);
        return views.of(scope, run);
    }

    private static void requireNotEnded(Run run) {
        if (run.status.isTerminal()) {
            throw new InvalidState("Run " + run.id + " already ended " + run.status);
        }
    }

    /**
     * The run, locked against status changes until the caller's transaction ends; refused unless it accepts
     * writes (it is RUNNING).
     */
    Run requireRunningForWrite(TeamScope scope, UUID runId) {
        Run run = findForWrite(scope, runId);
        if (run.status != RunStatus.RUNNING) {
            throw new InvalidState(
                    "Run " + runId + " is " + run.status + "; metrics are accepted only while it is RUNNING");
        }
        return run;
    }

    Run find(TeamScope scope, UUID runId) {
        return runs.findInTeam(scope.teamId(), runId).orElseThrow(() -> new NotFound("run", runId));
    }

    /**
     * The run, locked until the transaction ends: a change checks the run as the change before it left it (a status
     * move checked against RUNNING while a cancel committed KILLED would write FINISHED over it).
     */
    private Run findForWrite(TeamScope scope, UUID runId) {
        return runs.findInTeamForWrite(scope.teamId(), runId).orElseThrow(() -> new NotFound("run", runId));
    }

    private UUID resolveInput(TeamScope scope, DatasetInput input) {
        return datasets.resolve(scope, input.name(), input.version()).id();
    }

    private static String defaultName(Instant now) {
        return "run-" + now.toString().replace(":", "").replace("-", "").substring(0, 15);
    }

    /**
     * Param values of tracked runs are strings; other JSON values are turned into their JSON text (an object as
     * {@code {"a":1}}, not Java's {@code {a=1}}).
     */
    private String text(Object value) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A value read from JSON is always JSON", e);
        }
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
