package dev.canopy.api.run;

import dev.canopy.api.team.TeamAccess;
import dev.canopy.scheduler.queue.QueueEntry;
import dev.canopy.scheduler.queue.QueueListing;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.List;

/** The team's trained runs held by runners and waiting, in claim order. */
@Path("/api/v1/teams/{team}/queue")
public class QueueResource {

    @Inject
    TeamAccess access;

    @Inject
    QueueListing queue;

    @GET
    public List<QueueEntry> list(@PathParam("team") String team) {
        return queue.entries(access.read(team).teamId());
    }
}
