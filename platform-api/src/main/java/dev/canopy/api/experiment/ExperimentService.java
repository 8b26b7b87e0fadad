package dev.canopy.api.experiment;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.Conflict;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.experiment.ExperimentRecords.CreateExperimentRequest;
import dev.canopy.api.experiment.ExperimentRecords.ExperimentResponse;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** Experiments group the runs of a team. */
@ApplicationScoped
public class ExperimentService {

    @Inject
    ExperimentRepository experiments;

    @Inject
    TeamAccess access;

    @Transactional
    ExperimentResponse create(String team, CreateExperimentRequest request) {
        TeamScope scope = access.write(team);
        if (experiments.findByTeamAndName(scope.teamId(), request.name()).isPresent()) {
            throw new Conflict("Experiment '" + request.name() + "' already exists", "name", "already taken");
        }
        Experiment experiment = new Experiment(
                scope.teamId(), request.name(), request.description(), scope.userId(), DatabaseTime.now());
        experiments.persist(experiment);
        Log.infof("Experiment %s (%s) created in team %s", experiment.name, experiment.id, scope.teamName());
        return ExperimentResponse.from(experiment);
    }

    List<ExperimentResponse> list(String team) {
        return experiments.findByTeam(access.read(team).teamId()).stream()
                .map(ExperimentResponse::from)
                .toList();
    }

    ExperimentResponse get(String team, String name) {
        TeamScope scope = access.read(team);
        return ExperimentResponse.from(find(scope, name));
    }

    /** The team's experiment of that name; 404 if there is none. */
    public ExperimentRef require(TeamScope scope, String name) {
        Experiment experiment = find(scope, name);
        return new ExperimentRef(experiment.id, experiment.name);
    }

    /** Names of experiments by id, for responses that list runs. */
    public Map<UUID, String> namesOf(Collection<UUID> ids) {
        return experiments.listByIds(ids).stream().collect(Collectors.toMap(e -> e.id, e -> e.name));
    }

    private Experiment find(TeamScope scope, String name) {
        return experiments.findByTeamAndName(scope.teamId(), name).orElseThrow(() -> new NotFound("experiment", name));
    }
}
