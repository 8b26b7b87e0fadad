package dev.canopy.api.run;

import dev.canopy.api.carbon.CarbonRecords.Forecast;
import dev.canopy.api.carbon.CarbonRecords.RunCarbon;
import dev.canopy.api.carbon.CarbonService;
import dev.canopy.api.carbon.EnergyForecasts;
import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.dataset.DatasetVersionLabel;
import dev.canopy.api.experiment.ExperimentService;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.VersionName;
import dev.canopy.api.run.RunRecords.InputResponse;
import dev.canopy.api.run.RunRecords.ModelVersionRef;
import dev.canopy.api.run.RunRecords.RunResponse;
import dev.canopy.api.team.TeamScope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Builds run responses in bulk: experiment names, inputs and latest metrics in one query each. */
@ApplicationScoped
class RunViews {

    @Inject
    ExperimentService experiments;

    @Inject
    DatasetService datasets;

    @Inject
    MetricSeriesRepository series;

    @Inject
    ModelService models;

    @Inject
    CarbonService carbon;

    @Inject
    EnergyForecasts forecasts;

    RunResponse of(TeamScope scope, Run run) {
        return of(scope, List.of(run)).get(0);
    }

    List<RunResponse> of(TeamScope scope, List<Run> runs) {
        Set<UUID> experimentIds = runs.stream().map(r -> r.experimentId).collect(Collectors.toSet());
        Map<UUID, String> experimentNames = experiments.namesOf(experimentIds);
        Set<UUID> inputIds = new HashSet<>();
        runs.forEach(r -> inputIds.addAll(r.inputs));
        Map<UUID, DatasetVersionLabel> inputs = datasets.findVersions(scope, List.copyOf(inputIds)).stream()
                .collect(Collectors.toMap(DatasetVersionLabel::id, Function.identity()));
        Map<UUID, Map<String, Double>> metrics =
                series.latestValues(runs.stream().map(r -> r.id).toList());
        Map<UUID, VersionName> versions = models.namesOf(
                runs.stream().map(r -> r.modelVersionId).filter(v -> v != null).toList());
        Map<UUID, RunCarbon> energy = carbon.ofRuns(runs.stream().map(r -> r.id).toList());
        // Queued runs of one sweep share their forecast: one query per distinct kind of run, not per run.
        Map<List<Object>, Optional<Forecast>> forecasts = new HashMap<>();
        return runs.stream()
                .map(r -> toResponse(
                        r,
                        experimentNames,
                        inputs,
                        metrics.getOrDefault(r.id, Map.of()),
                        versions,
                        energy.get(r.id),
                        forecast(r, inputs, forecasts)))
                .toList();
    }

    /**
     * A queued trained run's expected energy, from the team's similar finished runs. A run back in the queue with a
     * checkpoint resumes after it: its forecast is that of the epochs left, so that it adds to the energy its earlier
     * attempts already show rather than counting their epochs twice.
     */
    private Forecast forecast(
            Run run, Map<UUID, DatasetVersionLabel> inputs, Map<List<Object>, Optional<Forecast>> known) {
        if (run.status != RunStatus.QUEUED || run.kind != RunKind.TRAINED || run.inputs.isEmpty()) {
            return null;
        }
        DatasetVersionLabel dataset = inputs.get(run.inputs.iterator().next());
        Object epochs = run.recipeParams == null ? null : run.recipeParams.get("epochs");
        if (dataset == null || !(epochs instanceof Number planned)) {
            return null;
        }
        List<Object> kind = List.of(run.teamId, run.recipe, run.gpus, dataset.rowCount(), planned.intValue());
        Forecast whole = known.computeIfAbsent(
                        kind,
                        k -> forecasts.forecast(
                                run.teamId, run.recipe, run.gpus, dataset.rowCount(), planned.intValue()))
                .orElse(null);
        int done = run.checkpointEpoch == null ? 0 : Math.min(run.checkpointEpoch, planned.intValue());
        if (whole == null || done == 0) {
            return whole;
        }
        double left = (double) (planned.intValue() - done) / planned.intValue();
        return new Forecast(
                whole.kwh() * left,
                whole.kgCo2e() * left,
                whole.gCo2ePerKwh(),
                whole.basis() + "; the " + (planned.intValue() - done) + " of " + planned.intValue()
                        + " epochs left, as it resumes after epoch " + done,
                whole.basedOn());
    }

    private static ModelVersionRef modelVersionOf(VersionName version) {
        return version == null ? null : new ModelVersionRef(version.model(), version.version());
    }

    private static RunResponse toResponse(
            Run run,
            Map<UUID, String> experimentNames,
            Map<UUID, DatasetVersionLabel> inputs,
            Map<String, Double> latestMetrics,
            Map<UUID, VersionName> versions,
            RunCarbon energy,
            Forecast forecast) {
        List<InputResponse> runInputs = run.inputs.stream()
                .map(inputs::get)
                .filter(v -> v != null)
                .sorted(Comparator.comparing(DatasetVersionLabel::dataset).thenComparing(DatasetVersionLabel::version))
                .map(v -> new InputResponse(v.dataset(), v.dataset(), v.version(), v.sha256()))
                .toList();
        return new RunResponse(
                run.id,
                experimentNames.get(run.experimentId),
                run.name,
                run.status,
                run.kind,
                run.recipe,
                new TreeMap<>(run.params),
                new TreeMap<>(run.tags),
                runInputs.isEmpty() ? null : runInputs.get(0),
                runInputs,
                run.createdAt,
                run.startedAt,
                run.endedAt,
                run.attempt,
                run.kind == RunKind.TRAINED ? run.maxAttempts : null,
                run.priority,
                run.kind == RunKind.TRAINED ? run.gpus : null,
                progressOf(run),
                run.notes == null ? List.of() : run.notes,
                modelVersionOf(versions.get(run.modelVersionId)),
                new TreeMap<>(latestMetrics),
                run.error,
                run.warnings == null ? List.of() : run.warnings,
                energy == null ? null : energy.energy(),
                energy == null ? null : energy.emissions(),
                forecast);
    }

    /**
     * The run's last progress; a time left only while it runs (an ended run has none, and a run back in the queue
     * after a drain or a lost runner does not know when it will be claimed).
     */
    private static RunProgress progressOf(Run run) {
        RunProgress p = run.progress;
        return p == null || run.status == RunStatus.RUNNING || p.etaSeconds() == null
                ? p
                : new RunProgress(p.epoch(), p.epochs(), p.fraction(), null);
    }
}
