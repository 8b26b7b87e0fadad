package dev.canopy.api.run;

import dev.canopy.api.error.QueryParameters;
import dev.canopy.api.run.MetricRecords.IngestResponse;
import dev.canopy.api.run.MetricRecords.MetricBatchRequest;
import dev.canopy.api.run.MetricRecords.SeriesResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

@Path("/api/v1/teams/{team}/runs/{runId}/metrics")
public class RunMetricsResource {

    @Inject
    MetricIngestion ingestion;

    @Inject
    MetricHistory history;

    /**
     * Logs a batch of points (10,000 and more per request are fine); a retried {@code batchId} changes nothing.
     * The body is read by {@link MetricBatchReader} while the points are written, not bound to objects first.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(schema = @Schema(implementation = MetricBatchRequest.class)))
    public IngestResponse log(@PathParam("team") String team, @PathParam("runId") UUID runId, byte[] batch) {
        return ingestion.ingest(team, runId, batch);
    }

    @GET
    public List<SeriesResponse> series(@PathParam("team") String team, @PathParam("runId") UUID runId) {
        return history.series(team, runId);
    }

    /** The whole history of a key, or at most {@code maxPoints} points that keep each bucket's min and max. */
    @GET
    @Path("/{key: .+}")
    @Produces(MediaType.APPLICATION_JSON)
    public Object history(
            @PathParam("team") String team,
            @PathParam("runId") UUID runId,
            @PathParam("key") String key,
            @QueryParam("maxPoints") String maxPoints) {
        // Its range (from configuration) is the history's to check.
        return history.history(
                team,
                runId,
                key,
                QueryParameters.wholeNumber("maxPoints", maxPoints, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }
}
