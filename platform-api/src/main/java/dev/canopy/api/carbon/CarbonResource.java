package dev.canopy.api.carbon;

import dev.canopy.api.carbon.CarbonRecords.BudgetRequest;
import dev.canopy.api.carbon.CarbonRecords.BudgetResponse;
import dev.canopy.api.carbon.CarbonRecords.Summary;
import dev.canopy.api.carbon.CarbonRecords.TraceResponse;
import dev.canopy.api.error.StreamedBody;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * A team's carbon accounting: summaries (JSON or CSV), its monthly CO2e budget, and the grid intensity traces it
 * uploaded per zone.
 */
@Path("/api/v1/teams/{team}/carbon")
public class CarbonResource {

    @Inject
    CarbonSummaries summaries;

    @Inject
    CarbonBudgets budgets;

    @Inject
    IntensityTraces traces;

    /**
     * Energy (kWh) and emissions (kg CO2e) from {@code from} (default: 30 days before {@code to}, from the start of
     * that month or day when grouped by month or day) to {@code to}
     * (default: now), ISO dates or instants, optionally grouped by day, month, experiment, model, worker or run;
     * {@code format=csv} for a CSV export.
     */
    @GET
    @Path("/summary")
    public RestResponse<Object> summary(
            @PathParam("team") String team,
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("groupBy") String groupBy,
            @QueryParam("format") String format) {
        Period period = Period.of(from, to, groupBy);
        Summary summary = summaries.summary(team, period.from(), period.to(), groupBy);
        if ("csv".equalsIgnoreCase(format)) {
            return RestResponse.ResponseBuilder.ok((Object) CarbonSummaries.csv(summary), "text/csv")
                    .header("Content-Disposition", "attachment; filename=\"carbon-" + summary.team() + ".csv\"")
                    .build();
        }
        return RestResponse.ok(summary);
    }

    @GET
    @Path("/budget")
    public BudgetResponse budget(@PathParam("team") String team) {
        return budgets.get(team);
    }

    /** Sets the monthly budget (team admins): {@code {monthlyKgCo2e, warnPercent?: 80, enforcement?: REFUSE|WARN}}. */
    @PUT
    @Path("/budget")
    public BudgetResponse setBudget(@PathParam("team") String team, @Valid @NotNull BudgetRequest request) {
        return budgets.set(team, request);
    }

    @DELETE
    @Path("/budget")
    public void deleteBudget(@PathParam("team") String team) {
        budgets.delete(team);
    }

    @GET
    @Path("/traces")
    public List<TraceResponse> traces(@PathParam("team") String team) {
        return traces.list(team);
    }

    @GET
    @Path("/traces/{zone}")
    public TraceResponse trace(@PathParam("team") String team, @PathParam("zone") String zone) {
        return traces.get(team, zone);
    }

    /**
     * Uploads (or replaces) the team's intensity trace for a zone (team admins): CSV lines {@code timestamp,g/kWh}.
     */
    @PUT
    @Path("/traces/{zone}")
    @Consumes({"text/csv", "text/plain", "application/octet-stream"})
    @StreamedBody
    public RestResponse<TraceResponse> putTrace(
            @PathParam("team") String team,
            @PathParam("zone") String zone,
            @QueryParam("source") String source,
            InputStream csv)
            throws IOException {
        IntensityTraces.Stored stored = traces.put(team, zone, source, csv);
        if (stored.created()) {
            return RestResponse.ResponseBuilder.<TraceResponse>created(URI.create("/api/v1/teams/" + team
                            + "/carbon/traces/" + stored.trace().zone()))
                    .entity(stored.trace())
                    .build();
        }
        return RestResponse.ok(stored.trace());
    }

    @DELETE
    @Path("/traces/{zone}")
    public void deleteTrace(@PathParam("team") String team, @PathParam("zone") String zone) {
        traces.delete(team, zone);
    }
}
