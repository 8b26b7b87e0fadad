package dev.canopy.api.schedule;

import dev.canopy.api.endpoint.EndpointService;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.team.TeamScope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A schedule's {@code promoteTo}: the endpoint its runs' versions are promoted to. */
@ApplicationScoped
class PromotionTarget {

    @Inject
    EndpointService endpoints;

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
}
