package dev.canopy.api.dataset;

import dev.canopy.api.dataset.DatasetRecords.CreateDatasetRequest;
import dev.canopy.api.dataset.DatasetRecords.DatasetResponse;
import dev.canopy.api.dataset.DatasetRecords.VersionResponse;
import dev.canopy.api.dataset.DatasetService.Content;
import dev.canopy.api.dataset.DatasetService.UploadResult;
import dev.canopy.api.error.QueryParameters;
import dev.canopy.api.error.StreamedBody;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/v1/teams/{team}/datasets")
public class DatasetResource {

    @Inject
    DatasetService service;

    @POST
    public RestResponse<DatasetResponse> create(
            @PathParam("team") String team, @Valid @NotNull CreateDatasetRequest request) {
        DatasetResponse dataset = service.create(team, request);
        return created(URI.create("/api/v1/teams/" + team + "/datasets/" + dataset.name()), dataset);
    }

    @GET
    public List<DatasetResponse> list(@PathParam("team") String team) {
        return service.list(team);
    }

    @GET
    @Path("/{dataset}")
    public DatasetResponse get(@PathParam("team") String team, @PathParam("dataset") String dataset) {
        return service.get(team, dataset);
    }

    /** Versions listed at most, and by default: each comes with its profile (megabytes, for a wide file). */
    static final int MAX_VERSIONS_LISTED = 100;

    /**
     * A page of the dataset's versions with their profiles.
     *
     * @param order {@code asc} (default) or {@code desc}, newest first
     * @param limit the most versions (1-100, default 100)
     * @param offset how many to pass over first (default 0)
     */
    @GET
    @Path("/{dataset}/versions")
    public List<VersionResponse> versions(
            @PathParam("team") String team,
            @PathParam("dataset") String dataset,
            @QueryParam("order") String order,
            @QueryParam("limit") String limit,
            @QueryParam("offset") String offset) {
        QueryParameters.Page page = QueryParameters.page(limit, offset, MAX_VERSIONS_LISTED, MAX_VERSIONS_LISTED);
        return service.versions(team, dataset, QueryParameters.newestFirst(order), page.offset(), page.limit());
    }

    /** Uploads a CSV as a new version (201), or finds the version with the same bytes (200). */
    @POST
    @Path("/{dataset}/versions")
    @Consumes({"text/csv", "text/plain", "application/octet-stream"})
    @StreamedBody
    public RestResponse<VersionResponse> upload(
            @PathParam("team") String team,
            @PathParam("dataset") String dataset,
            @HeaderParam("Content-Length") Long declaredLength,
            InputStream body)
            throws IOException {
        UploadResult result = service.upload(team, dataset, declaredLength, body);
        VersionResponse version = result.version();
        URI location = URI.create("/api/v1/teams/" + team + "/datasets/" + dataset + "/versions/" + version.version());
        return result.created() ? created(location, version) : RestResponse.ok(version);
    }

    @GET
    @Path("/{dataset}/versions/{version}")
    public VersionResponse version(
            @PathParam("team") String team,
            @PathParam("dataset") String dataset,
            @PathParam("version") String version) {
        return service.version(team, dataset, version);
    }

    @GET
    @Path("/{dataset}/versions/{version}/content")
    @Produces("text/csv")
    public RestResponse<InputStream> content(
            @PathParam("team") String team, @PathParam("dataset") String dataset, @PathParam("version") String version)
            throws IOException {
        Content content = service.content(team, dataset, version);
        return RestResponse.ResponseBuilder.ok(content.stream(), "text/csv; charset=utf-8")
                .header("Content-Length", content.sizeBytes())
                .header("ETag", "\"" + content.sha256() + "\"")
                .header("Content-Disposition", "attachment; filename=\"" + content.fileName() + "\"")
                .build();
    }

    private static <T> RestResponse<T> created(URI location, T body) {
        return RestResponse.ResponseBuilder.<T>created(location).entity(body).build();
    }
}
