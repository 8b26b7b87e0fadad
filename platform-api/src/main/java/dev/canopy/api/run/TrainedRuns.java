package dev.canopy.api.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.carbon.CarbonBudgets;
import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.dataset.DatasetVersionRef;
import dev.canopy.api.error.ErrorResponse;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.experiment.ExperimentRef;
import dev.canopy.api.experiment.ExperimentService;
import dev.canopy.api.run.RunRecords.CreateRunRequest;
import dev.canopy.api.team.TeamScope;
import dev.canopy.runner.recipe.Recipe;
import dev.canopy.runner.recipe.Validation;
import dev.canopy.scheduler.queue.QueueConfig;
import dev.canopy.scheduler.queue.QueuedRun;
import dev.canopy.scheduler.queue.RunQueue;
import dev.canopy.scheduler.quota.TeamQuota;
import dev.canopy.scheduler.quota.TeamQuotas;
import dev.canopy.scheduler.worker.WorkerRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Submitting runs for Canopy to train: the request is checked against the recipe and the dataset's profile
 * before anything is queued, so that a wrong label column fails now and not on a GPU an hour later.
 */
@ApplicationScoped
class TrainedRuns {

    @Inject
    ExperimentService experiments;

    @Inject
    DatasetService datasets;

    @Inject
    RecipeCatalog recipes;

    @Inject
    WorkerRegistry workers;

    @Inject
    RunQueue queue;

    @Inject
    QueueConfig queueConfig;

    @Inject
    RunRepository runs;

    @Inject
    ObjectMapper json;

    @Inject
    CarbonBudgets budgets;

    @Inject
    TeamQuotas quotas;

    /** Checks a request as {@link #submit} would, without storing anything. */
    void check(TeamScope scope, CreateRunRequest request) {
        experiments.require(scope, request.experiment());
        validate(scope, request, dataset(scope, request));
    }

    /**
     * Checks what a request says apart from its data, for a dataset with no version yet: the experiment, the recipe
     * (its parameters are checked against the first version, when a run is made of it), GPUs, tags, registerAs.
     */
    void checkBeforeData(TeamScope scope, CreateRunRequest request) {
        experiments.require(scope, request.experiment());
        checkShape(request);
        if (recipes.find(request.recipe()).isEmpty() && !workers.anyOffers(request.recipe(), scope.teamId())) {
            throw unknownRecipe(request.recipe());
        }
    }

    /** Stores and queues a trained run (in the caller's transaction). */
    Run submit(TeamScope scope, CreateRunRequest request) {
        ExperimentRef experiment = experiments.require(scope, request.experiment());
        DatasetVersionRef dataset = dataset(scope, request);
        Validation validation = validate(scope, request, dataset);
        List<String> warnings = new ArrayList<>(budgets.admit(scope));
        int gpus = request.gpuCount();
        int mostGpus = gpus == 0 ? 0 : workers.mostGpusFor(scope.teamId());
        if (gpus > mostGpus) {
            // Queued all the same: a GPU runner may register later. Said now rather than left to a silent wait.
            warnings.add("no runner online for this team has " + gpus + " GPU(s) (the most any has is " + mostGpus
                    + "); the run waits QUEUED until such a runner is online");
        }
        TeamQuota quota = quotas.get(scope.teamId());
        if (quota.maxConcurrentRuns() != null && quota.maxConcurrentRuns() == 0) {
            warnings.add("the team's limit allows no concurrent runs (maxConcurrentRuns 0); the run waits QUEUED"
                    + " until a platform admin raises it");
        } else if (quota.maxGpus() != null && gpus > quota.maxGpus()) {
            warnings.add("the run needs " + gpus + " GPU(s) but the team's limit is " + quota.maxGpus()
                    + " (maxGpus); it waits QUEUED until a platform admin raises it");
        }
        Instant now = DatabaseTime.now();
        TrainedRunSpec spec = new TrainedRunSpec(
                scope.teamId(),
                experiment.id(),
                request.name() == null || request.name().isBlank()
                        ? request.recipe() + "-" + stamp(now)
                        : request.name(),
                request.recipe(),
                validation.resolvedParams(),
                dataset.id(),
                request.registerAs(),
                gpus,
                request.priority() == null ? 0 : request.priority(),
                request.maxAttempts() == null ? queueConfig.maxAttempts() : request.maxAttempts(),
                validation.notes());
        Run run = Run.trained(spec, scope.userId(), now);
        run.warnings = warnings.isEmpty() ? null : warnings;
        // Held to the limits of any run's params: a recipe only runners have checked none of them.
        validation
                .resolvedParams()
                .forEach((k, v) -> run.logParam(
                        RunFields.checkKey("params", k),
                        RunFields.checkValue("params", k, asText(v), RunFields.MAX_PARAM_VALUE)));
        orEmpty(request.tags()).forEach(run::setTag);
        // The queue row refers to the run: flush before the queue's own SQL.
        runs.persistAndFlush(run);
        queue.enqueue(new QueuedRun(run.id, scope.teamId(), run.recipe, run.priority, gpus, run.maxAttempts));
        Log.infof(
                "Run %s (%s) queued: %s on dataset %s v%d, %d GPU(s), priority %d",
                run.id, run.name, run.recipe, dataset.dataset(), dataset.version(), gpus, run.priority);
        return run;
    }

    private DatasetVersionRef dataset(TeamScope scope, CreateRunRequest request) {
        if (request.dataset() == null) {
            throw new InvalidRequest("dataset", "a trained run needs a dataset version: {name, version}");
        }
        try {
            return datasets.resolve(
                    scope, request.dataset().name(), request.dataset().version());
        } catch (InvalidRequest e) {
            // "version" is the request's dataset.version.
            throw e.within("dataset");
        }
    }

    /** Validates with the recipe if this control plane has it; otherwise a runner must at least offer it. */
    private Validation validate(TeamScope scope, CreateRunRequest request, DatasetVersionRef dataset) {
        checkShape(request);
        Map<String, Object> params = request.params() == null ? Map.of() : request.params();
        Recipe recipe = recipes.find(request.recipe()).orElse(null);
        if (recipe == null) {
            if (!workers.anyOffers(request.recipe(), scope.teamId())) {
                throw unknownRecipe(request.recipe());
            }
            return new Validation(List.of(), List.of("recipe checked by its runner only"), new LinkedHashMap<>(params));
        }
        return validateParams(recipe, params, dataset);
    }

    private InvalidRequest unknownRecipe(String name) {
        return new InvalidRequest(
                "recipe", "unknown recipe '" + name + "'; known: " + String.join(", ", recipes.names()));
    }

    /** What a request must be whatever its data: one way of asking for GPUs, a model name, tags within limits. */
    private static void checkShape(CreateRunRequest request) {
        if (request.gpus() != null && request.resources() != null) {
            throw new InvalidRequest("gpus", "give gpus or resources.gpus, not both");
        }
        // Checked here too, not only on the request body: a schedule's stored template reaches this directly.
        if (request.registerAs() != null
                && !RunRecords.MODEL_NAME.matcher(request.registerAs()).matches()) {
            throw new InvalidRequest("registerAs", RunRecords.MODEL_NAME_RULE);
        }
        // As for a tracked run's tags; a schedule's template is checked here too, not only when it fires.
        orEmpty(request.tags())
                .forEach((key, value) ->
                        RunFields.checkValue("tags", RunFields.checkKey("tags", key), value, RunFields.MAX_TAG_VALUE));
    }

    private static Validation validateParams(Recipe recipe, Map<String, Object> params, DatasetVersionRef dataset) {
        Validation validation = recipe.validate(params, RecipeCatalog.profileOf(dataset));
        if (!validation.problems().isEmpty()) {
            List<ErrorResponse.Detail> details = new ArrayList<>();
            validation
                    .problems()
                    // A recipe's problem with the dataset itself (too few rows) names the request's dataset.
                    .forEach(p -> details.add(new ErrorResponse.Detail(
                            p.field().equals("dataset") ? "dataset" : "params." + p.field(), p.problem())));
            throw new InvalidRequest(
                    "The parameters do not fit recipe " + recipe.name() + " and dataset " + dataset.dataset() + ": "
                            + details.get(0).field() + " " + details.get(0).problem(),
                    details);
        }
        return validation;
    }

    private String asText(Object value) {
        if (value instanceof String text) {
            return text;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A validated parameter is always JSON", e);
        }
    }

    private static String stamp(Instant now) {
        return now.toString().replace(":", "").replace("-", "").substring(0, 15);
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
