package dev.canopy.api.carbon;

import dev.canopy.api.error.InvalidRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

/** Which grid intensity a zone gets from the shipped tables: for checking a runner's {@code --zone} before use. */
@Path("/api/v1/carbon/intensity")
public class IntensityResource {

    @Inject
    GridIntensity grid;

    @GET
    public Intensity resolve(@QueryParam("zone") String zone) {
        if (zone == null || zone.isBlank()) {
            throw new InvalidRequest("zone", "name a zone: an ISO country code (DE, DEU) or a cloud region");
        }
        return grid.resolve(zone);
    }
}
