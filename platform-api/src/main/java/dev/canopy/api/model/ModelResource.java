package dev.canopy.api.model;

import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.QueryParameters;
import dev.canopy.api.model.ModelRecords.AliasRequest;
import dev.canopy.api.model.ModelRecords.AnnotateRequest;
import dev.canopy.api.model.ModelRecords.ModelResponse;
import dev.canopy.api.model.ModelRecords.VersionResponse;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/v1/teams/{team}/models")
public class ModelResource {

    /** The most versions one listing returns (and its default). */
    static final int MAX_VERSIONS_LISTED = 1000;

    @Inject
    ModelService service;

    @Inject
    ModelCuration curation;

    @Inject
    ModelUploads uploads;

    @GET
    public List<ModelResponse> list(@PathParam("team") String team) {
        return service.list(team);
    }

    @GET
    @Path("/{model}")
    public ModelResponse get(@PathParam("team") String team, @PathParam("model") String model) {
        return service.get(team, model);
    }

    /**
     * A page of the model's versions by number.
     *
     * @param order {@code asc} (default) or {@code desc}, newest first
     * @param limit the most versions (1-1000, default 1000)
     * @param offset how many to pass over first (default 0)
     */
    @GET
    @Path("/{model}/versions")
    public List<VersionResponse> versions(
            @PathParam("team") String team,
            @PathParam("model") String model,
            @QueryParam("order") String order,
            @QueryParam("limit") String limit,
            @QueryParam("offset") String offset) {
        QueryParameters.Page page = QueryParameters.page(limit, offset, MAX_VERSIONS_LISTED, MAX_VERSIONS_LISTED);
        return service.versions(team, model, QueryParameters.newestFirst(order), page.offset(), page.limit());
    }

    /** A version with its lineage; {@code version} may be "latest". */
    @GET
    @Path("/{model}/versions/{version}")
    public VersionResponse version(
            @PathParam("team") String team, @PathParam("model") String model, @PathParam("version") String version) {
        return service.version(team, model, version);
    }

    /**
     * Registers a version from a model archive (the zip a trained run produces), creating the model on its first
     * version. The archive must load. Its test metrics may be given as a JSON object in the {@code Canopy-Metrics}
     * header, e.g. {@code {"test_accuracy": 0.97}}; promotion gates read them.
     */
    @POST
    @Path("/{model}/versions")
    @Consumes("application/zip")
    public RestResponse<VersionResponse> upload(
            @PathParam("team") String team,
            @PathParam("model") String model,
            @HeaderParam("Canopy-Metrics") String metrics,
            @Context HttpServerRequest request,
            byte[] archive) {
        if (request.headers().getAll("Canopy-Metrics").size() > 1) {
            // One object: a second header would be dropped without a word.
            throw new InvalidRequest("Canopy-Metrics", "give the header once, with one JSON object");
        }
        VersionResponse version = uploads.upload(team, model, archive, metrics);
        return RestResponse.ResponseBuilder.<VersionResponse>created(
                        URI.create("/api/v1/teams/" + team + "/models/" + model + "/versions/" + version.version()))
                .entity(version)
                .build();
    }

    /** Changes the description ("" clears it) and tags (a null value removes one) of a model. */
    @PATCH
    @Path("/{model}")
    public ModelResponse annotate(
            @PathParam("team") String team, @PathParam("model") String model, @Valid @NotNull AnnotateRequest request) {
        return curation.annotateModel(team, model, request.description(), request.tags());
    }

    /** Changes the description and tags of a version; nothing else of a version ever changes. */
    @PATCH
    @Path("/{model}/versions/{version}")
    public VersionResponse annotateVersion(
            @PathParam("team") String team,
            @PathParam("model") String model,
            @PathParam("version") String version,
            @Valid @NotNull AnnotateRequest request) {
        return curation.annotateVersion(team, model, version, request.description(), request.tags());
    }

    /** Points an alias ("champion", any name) at a version; one version per alias. */
    @PUT
    @Path("/{model}/aliases/{alias}")
    // A one-field request: a text/plain body is refused with 415, not turned into the record (a 500).
    @Consumes(MediaType.APPLICATION_JSON)
    public VersionResponse setAlias(
            @PathParam("team") String team,
            @PathParam("model") String model,
            @PathParam("alias") String alias,
            @Valid @NotNull AliasRequest request) {
        return curation.setAlias(team, model, alias, request.version());
    }

    @DELETE
    @Path("/{model}/aliases/{alias}")
    public void removeAlias(
            @PathParam("team") String team, @PathParam("model") String model, @PathParam("alias") String alias) {
        curation.removeAlias(team, model, alias);
    }

    /** The model artifact: a zip of the DJL parameters and {@code spec.json}. */
    @GET
    @Path("/{model}/versions/{version}/artifact")
    @Produces("application/zip")
    public RestResponse<InputStream> artifact(
            @PathParam("team") String team, @PathParam("model") String model, @PathParam("version") String version)
            throws IOException {
        ModelService.Artifact artifact = service.artifact(team, model, version);
        return RestResponse.ResponseBuilder.ok(artifact.content(), "application/zip")
                .header("Content-Disposition", "attachment; filename=\"" + model + "-v" + artifact.version() + ".zip\"")
                .build();
    }
}
