package dev.canopy.api.schedule;

import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.endpoint.EndpointService;
import dev.canopy.api.endpoint.GateSpec;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.run.RunTemplate;
import dev.canopy.api.team.TeamScope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/** A schedule's {@code promoteTo}: the endpoint its runs' versions are promoted to. */
@ApplicationScoped
class PromotionTarget {

    @Inject
    EndpointService endpoints;

    @Inject
    DatasetService datasets;

    /**
     * Checks a schedule being saved: the endpoint it promotes to exists and serves the model its runs register
     * versions of (else 400 on promoteTo, since nothing could ever be promoted).
     */
    void check(TeamScope scope, Schedule schedule) {
        String endpoint = schedule.promoteTo;
        if (endpoint == null) {
            return;
        }
        String model = endpoints
                .modelOf(scope, endpoint)
                .orElseThrow(() ->
                        new InvalidRequest("promoteTo", "no endpoint '" + endpoint + "' in team " + scope.teamName()));
        String registerAs = schedule.runTemplate.registerAs();
        if (registerAs == null) {
            throw new InvalidRequest(
                    "promoteTo",
                    "the run template registers no model version: set runTemplate.registerAs to '" + model
                            + "', the model endpoint '" + endpoint + "' serves");
        }
        if (!registerAs.equals(model)) {
            throw new InvalidRequest(
                    "promoteTo",
                    "endpoint '" + endpoint + "' serves model '" + model + "', but the run template registers its"
                            + " versions as '" + registerAs + "'");
        }
    }

    /**
     * Checks a schedule's gates: none without {@code promoteTo}; a held-out gate on a dataset version the team has, and
     * not on the one its runs train on (each new version would be scored on its own training rows).
     */
    void checkGates(TeamScope scope, Schedule schedule) {
        List<GateSpec> gates = schedule.promoteGates == null ? List.of() : schedule.promoteGates;
        if (!gates.isEmpty() && schedule.promoteTo == null) {
            throw new InvalidRequest("promoteGates", "gates are for promoting: give promoteTo, the endpoint");
        }
        for (int i = 0; i < gates.size(); i++) {
            GateSpec gate = gates.get(i);
            if (gate.dataset() == null) {
                continue;
            }
            String field = "promoteGates[" + i + "]";
            try {
                datasets.idOf(scope, gate.dataset());
            } catch (NotFound e) {
                throw new InvalidRequest(field + ".dataset", e.getMessage());
            }
            try {
                datasets.resolve(scope, gate.dataset(), gate.datasetVersion());
            } catch (NotFound | InvalidRequest e) {
                throw new InvalidRequest(field + ".datasetVersion", e.getMessage());
            }
            RunTemplate template = schedule.runTemplate;
            boolean trainedOn = gate.dataset().equals(template.dataset().name())
                    && ("latest".equals(gate.datasetVersion())
                            ? template.trainsLatest()
                            : gate.datasetVersion().equals(template.dataset().version()));
            if (trainedOn) {
                throw new InvalidRequest(
                        field + ".datasetVersion",
                        "each version the schedule registers is trained on that version of " + gate.dataset()
                                + ", which a held-out gate must not score it on: name data it does not train on");
            }
        }
    }
}
