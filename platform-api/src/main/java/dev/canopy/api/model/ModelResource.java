package dev.canopy.api.model;

import dev.canopy.api.model.ModelRecords.ModelResponse;
import dev.canopy.api.model.ModelRecords.VersionResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/v1/teams/{team}/models")
public class ModelResource {

    @Inject
    ModelService service;

    @GET
    public List<ModelResponse> list(@PathParam("team") String team) {
        return service.list(team);
    }

    @GET
    @Path("/{model}")
    public ModelResponse get(@PathParam("team") String team, @PathParam("model") String model) {
        return service.get(team, model);
    }

    @GET
    @Path("/{model}/versions")
    public List<VersionResponse> versions(@PathParam("team") String team, @PathParam("model") String model) {
        return service.versions(team, model);
    }

    /** A version with its lineage; {@code version} may be "latest". */
    @GET
    @Path("/{model}/versions/{version}")
    public VersionResponse version(
            @PathParam("team") String team, @PathParam("model") String model, @PathParam("version") String version) {
        return service.version(team, model, version);
    }

    /** The model artifact: a zip of the DJL parameters and {@code spec.json}. */
    @GET
    @Path("/{model}/versions/{version}/artifact")
    @Produces("application/zip")
    public RestResponse<InputStream> artifact(
            @PathParam("team") String team, @PathParam("model") String model, @PathParam("version") String version)
            throws IOException {
        return RestResponse.ResponseBuilder.ok(service.artifact(team, model, version), "application/zip")
                .header("Content-Disposition", "attachment; filename=\"" + model + "-v" + version + ".zip\"")
                .build();
    }
}
