package dev.canopy.api.experiment;

import dev.canopy.api.experiment.ExperimentRecords.CreateExperimentRequest;
import dev.canopy.api.experiment.ExperimentRecords.ExperimentResponse;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/v1/teams/{team}/experiments")
public class ExperimentResource {

    @Inject
    ExperimentService service;

    @POST
    public RestResponse<ExperimentResponse> create(
            @PathParam("team") String team, @Valid @NotNull CreateExperimentRequest request) {
        ExperimentResponse experiment = service.create(team, request);
        String path =
                URLEncoder.encode(experiment.name(), StandardCharsets.UTF_8).replace("+", "%20");
        return created(URI.create("/api/v1/teams/" + team + "/experiments/" + path), experiment);
    }

    @GET
    public List<ExperimentResponse> list(@PathParam("team") String team) {
        return service.list(team);
    }

    @GET
    @Path("/{experiment}")
    public ExperimentResponse get(@PathParam("team") String team, @PathParam("experiment") String experiment) {
        return service.get(team, experiment);
    }

    private static <T> RestResponse<T> created(URI location, T body) {
        return RestResponse.ResponseBuilder.<T>created(location).entity(body).build();
    }
}
