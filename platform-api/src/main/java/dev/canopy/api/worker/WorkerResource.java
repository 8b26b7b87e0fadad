package dev.canopy.api.worker;

import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.QueryParameters;
import dev.canopy.api.error.StreamedBody;
import dev.canopy.api.team.RunnerProtocol;
import dev.canopy.api.team.TokenRecords.CreateRunnerTokenRequest;
import dev.canopy.api.team.TokenRecords.CreatedTokenResponse;
import dev.canopy.api.team.TokenRecords.TokenResponse;
import dev.canopy.api.team.TokenService;
import dev.canopy.api.worker.RunProtocol.Checkpoint;
import dev.canopy.api.worker.WorkerRecords.Assignment;
import dev.canopy.api.worker.WorkerRecords.ClaimRequest;
import dev.canopy.api.worker.WorkerRecords.CompleteRequest;
import dev.canopy.api.worker.WorkerRecords.EpochReport;
import dev.canopy.api.worker.WorkerRecords.EpochResponse;
import dev.canopy.api.worker.WorkerRecords.FailRequest;
import dev.canopy.api.worker.WorkerRecords.HeartbeatRequest;
import dev.canopy.api.worker.WorkerRecords.HeartbeatResponse;
import dev.canopy.api.worker.WorkerRecords.RegisterRequest;
import dev.canopy.api.worker.WorkerRecords.RegisterResponse;
import dev.canopy.api.worker.WorkerRecords.StoppedRequest;
import dev.canopy.api.worker.WorkerRecords.WorkerResponse;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The runners: for people, their list and runner tokens; for runners (runner tokens only, {@link RunnerProtocol}),
 * the worker protocol: register, heartbeat, claim, and report on the runs they hold.
 */
@Path("/api/v1/workers")
public class WorkerResource {

    @Inject
    WorkerSessions sessions;

    @Inject
    RunProtocol runs;

    @Inject
    WorkerDirectory directory;

    @Inject
    TokenService tokens;

    /** Runners with their devices, state, last heartbeat and the runs of the caller's teams they hold. */
    @GET
    public List<WorkerResponse> list() {
        return directory.list();
    }

    /** A token for a runner ({@code java -jar canopy-runner.jar --server URL --token TOKEN}). */
    @POST
    @Path("/tokens")
    public RestResponse<CreatedTokenResponse> createToken(@Valid @NotNull CreateRunnerTokenRequest request) {
        CreatedTokenResponse token = tokens.createRunnerToken(request);
        return RestResponse.ResponseBuilder.<CreatedTokenResponse>created(URI.create("/api/v1/tokens/" + token.id()))
                .entity(token)
                .build();
    }

    /** Runner tokens of a team ({@code ?team=}, its admins), or of every team (platform admins); revoke with
     * {@code DELETE /api/v1/tokens/{id}}. */
    @GET
    @Path("/tokens")
    public List<TokenResponse> listTokens(@QueryParam("team") String team) {
        return tokens.listRunnerTokens(team);
    }

    @RunnerProtocol
    @POST
    @Path("/register")
    public RegisterResponse register(@Valid @NotNull RegisterRequest request) {
        return sessions.register(request);
    }

    @RunnerProtocol
    @POST
    @Path("/{workerId}/heartbeat")
    public HeartbeatResponse heartbeat(@PathParam("workerId") UUID workerId, @Valid @NotNull HeartbeatRequest request) {
        return sessions.heartbeat(workerId, request);
    }

    /** Long-polls for a run: 200 with the assignment, or 204 when none came within {@code waitSeconds}. */
    @RunnerProtocol
    @POST
    @Path("/{workerId}/claim")
    @Blocking
    public CompletionStage<RestResponse<Assignment>> claim(
            @PathParam("workerId") UUID workerId, @Valid @NotNull ClaimRequest request) {
        Duration wait = Duration.ofSeconds(request.waitSeconds() == null ? 0 : request.waitSeconds());
        return sessions.claim(workerId, request.freeGpus(), wait)
                .thenApply(claimed -> claimed.map(RestResponse::ok).orElseGet(RestResponse::noContent));
    }

    @RunnerProtocol
    @GET
    @Path("/{workerId}/runs/{runId}/dataset")
    @Produces("text/csv")
    public RestResponse<InputStream> dataset(
            @PathParam("workerId") UUID workerId, @PathParam("runId") UUID runId, @QueryParam("attempt") String attempt)
            throws IOException {
        DatasetService.Content content = runs.dataset(workerId, runId, attempt(attempt));
        return RestResponse.ResponseBuilder.ok(content.stream(), "text/csv")
                .header("Content-Length", content.sizeBytes())
                .header("ETag", "\"" + content.sha256() + "\"")
                .build();
    }

    @RunnerProtocol
    @GET
    @Path("/{workerId}/runs/{runId}/checkpoint")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public RestResponse<InputStream> checkpoint(
            @PathParam("workerId") UUID workerId, @PathParam("runId") UUID runId, @QueryParam("attempt") String attempt)
            throws IOException {
        Checkpoint checkpoint = runs.checkpoint(workerId, runId, attempt(attempt));
        return RestResponse.ResponseBuilder.ok(checkpoint.stream(), MediaType.APPLICATION_OCTET_STREAM)
                .header("Canopy-Checkpoint-Epoch", checkpoint.epoch())
                .build();
    }

    @RunnerProtocol
    @PUT
    @Path("/{workerId}/runs/{runId}/checkpoints/{epoch}")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @StreamedBody
    public void putCheckpoint(
            @PathParam("workerId") UUID workerId,
            @PathParam("runId") UUID runId,
            @PathParam("epoch") int epoch,
            @QueryParam("attempt") String attempt,
            InputStream body)
            throws IOException {
        runs.putCheckpoint(workerId, runId, attempt(attempt), epoch, body);
    }

    @RunnerProtocol
    @POST
    @Path("/{workerId}/runs/{runId}/epochs")
    public EpochResponse epoch(
            @PathParam("workerId") UUID workerId, @PathParam("runId") UUID runId, @Valid @NotNull EpochReport report) {
        return runs.epoch(workerId, runId, report);
    }

    @RunnerProtocol
    @PUT
    @Path("/{workerId}/runs/{runId}/model")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @StreamedBody
    public void putModel(
            @PathParam("workerId") UUID workerId,
            @PathParam("runId") UUID runId,
            @QueryParam("attempt") String attempt,
            InputStream body)
            throws IOException {
        runs.putModel(workerId, runId, attempt(attempt), body);
    }

    @RunnerProtocol
    @POST
    @Path("/{workerId}/runs/{runId}/complete")
    public void complete(
            @PathParam("workerId") UUID workerId,
            @PathParam("runId") UUID runId,
            @Valid @NotNull CompleteRequest request) {
        runs.complete(workerId, runId, request);
    }

    @RunnerProtocol
    @POST
    @Path("/{workerId}/runs/{runId}/fail")
    public void fail(
            @PathParam("workerId") UUID workerId, @PathParam("runId") UUID runId, @Valid @NotNull FailRequest request) {
        runs.fail(workerId, runId, request);
    }

    @RunnerProtocol
    @POST
    @Path("/{workerId}/runs/{runId}/stopped")
    public void stopped(
            @PathParam("workerId") UUID workerId,
            @PathParam("runId") UUID runId,
            @Valid @NotNull StoppedRequest request) {
        runs.stopped(workerId, runId, request);
    }

    /** The {@code attempt} query parameter: required, a whole number from 1 (400 naming it otherwise, not a 404). */
    private static int attempt(String raw) {
        Integer attempt = QueryParameters.wholeNumber("attempt", raw, 1, Integer.MAX_VALUE);
        if (attempt == null) {
            throw new InvalidRequest("attempt", "is required: the attempt this runner holds the run under");
        }
        return attempt;
    }
}
