package dev.canopy.api.carbon;

import dev.canopy.api.carbon.CarbonRecords.RunEnergyLedger;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.UUID;

/**
 * A run's energy ledger, for audits: its totals as on the run, and every interval charged, with the intensity
 * applied to it and where that came from.
 */
@Path("/api/v1/teams/{team}/runs/{runId}/energy")
public class RunEnergyResource {

    @Inject
    RunEnergyLedgers ledgers;

    @GET
    public RunEnergyLedger ledger(@PathParam("team") String team, @PathParam("runId") UUID runId) {
        return ledgers.of(team, runId);
    }
}
