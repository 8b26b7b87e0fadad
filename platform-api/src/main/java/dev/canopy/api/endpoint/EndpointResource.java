package dev.canopy.api.endpoint;

import dev.canopy.api.endpoint.EndpointRecords.CreateEndpointRequest;
import dev.canopy.api.endpoint.EndpointRecords.EndpointResponse;
import dev.canopy.api.endpoint.EndpointRecords.EventResponse;
import dev.canopy.api.endpoint.EndpointRecords.PredictRequest;
import dev.canopy.api.endpoint.EndpointRecords.PredictResponse;
import dev.canopy.api.endpoint.EndpointRecords.PromotionRequest;
import dev.canopy.api.endpoint.EndpointRecords.RollbackRequest;
import dev.canopy.api.team.TeamAccess;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/v1/teams/{team}/endpoints")
public class EndpointResource {

    @Inject
    EndpointService service;

    @Inject
    EndpointPromotions promotions;

    @Inject
    EndpointRollbacks rollbacks;

    @Inject
    EndpointBatchingService batchings;

    @Inject
    EndpointServing serving;

    @Inject
    TeamAccess access;

    @POST
    public RestResponse<EndpointResponse> create(
            @PathParam("team") String team, @Valid @NotNull CreateEndpointRequest request) {
        EndpointResponse endpoint = service.create(team, request);
        return RestResponse.ResponseBuilder.<EndpointResponse>created(
                        URI.create("/api/v1/teams/" + team + "/endpoints/" + endpoint.name()))
                .entity(endpoint)
                .build();
    }

    @GET
    public List<EndpointResponse> list(@PathParam("team") String team) {
        return service.list(team);
    }

    /** Status, live and previous version, canary, and per version: counts, latency, energy per 1,000. */
    @GET
    @Path("/{endpoint}")
    public EndpointResponse get(@PathParam("team") String team, @PathParam("endpoint") String endpoint) {
        return service.get(team, endpoint);
    }

    /**
     * Replaces the endpoint's micro-batching: {@code {enabled?, maxBatchRecords?, maxWaitMs?}}, a field left out
     * taking the platform's default ({@code {}}: all of them).
     */
    @PUT
    @Path("/{endpoint}/batching")
    public EndpointResponse setBatching(
            @PathParam("team") String team,
            @PathParam("endpoint") String endpoint,
            @NotNull EndpointBatching batching) {
        return batchings.setBatching(team, endpoint, batching);
    }

    @DELETE
    @Path("/{endpoint}")
    public void delete(@PathParam("team") String team, @PathParam("endpoint") String endpoint) {
        service.delete(team, endpoint);
    }

    /** Promotes a version through gates; 201 with the audit record, or 409 listing the failed gates. */
    @POST
    @Path("/{endpoint}/promotions")
    public RestResponse<EventResponse> promote(
            @PathParam("team") String team,
            @PathParam("endpoint") String endpoint,
            @Valid @NotNull PromotionRequest request) {
        EventResponse event = promotions.promote(team, endpoint, request);
        return RestResponse.ResponseBuilder.<EventResponse>created(
                        URI.create("/api/v1/teams/" + team + "/endpoints/" + endpoint + "/promotions"))
                .entity(event)
                .build();
    }

    /**
     * The audit trail: promotions (refused ones too, with gate results), canaries, rollbacks; newest first, a page at
     * a time.
     *
     * @param limit the most records (1-1000, default 200)
     * @param offset how many to pass over first (default 0)
     * @param kind only records of this kind (PROMOTED, REJECTED, ROLLED_BACK, ...)
     */
    @GET
    @Path("/{endpoint}/promotions")
    public List<EventResponse> history(
            @PathParam("team") String team,
            @PathParam("endpoint") String endpoint,
            @QueryParam("limit") String limit,
            @QueryParam("offset") String offset,
            @QueryParam("kind") String kind) {
        return service.history(team, endpoint, HistoryPage.of(limit, offset, kind));
    }

    @POST
    @Path("/{endpoint}/rollback")
    // A one-field request: without this, a text/plain body would be turned into the record through its
    // constructor (a 500) rather than refused with 415.
    @Consumes(MediaType.APPLICATION_JSON)
    public EndpointResponse rollback(
            @PathParam("team") String team, @PathParam("endpoint") String endpoint, @Valid RollbackRequest request) {
        return rollbacks.rollback(team, endpoint, request == null ? null : request.reason());
    }

    /** Predictions from the live version (or the canary, for its share), with the version that answered. */
    @POST
    @Path("/{endpoint}/predict")
    public PredictResponse predict(
            @PathParam("team") String team,
            @PathParam("endpoint") String endpoint,
            @Valid @NotNull PredictRequest request) {
        return serving.predict(access.read(team), endpoint, request.records());
    }
}
