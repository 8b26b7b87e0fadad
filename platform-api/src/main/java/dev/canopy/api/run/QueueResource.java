package dev.canopy.api.run;

import dev.canopy.api.error.QueryParameters;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.scheduler.queue.QueueEntry;
import dev.canopy.scheduler.queue.QueueListing;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/**
 * The team's trained runs held by runners and waiting, in claim order, a page at a time: a team may queue any number
 * of runs.
 */
@Path("/api/v1/teams/{team}/queue")
public class QueueResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    @Inject
    TeamAccess access;

    @Inject
    QueueListing queue;

    /**
     * @param limit the most entries (1-1000, default 100)
     * @param offset how many entries to pass over first (default 0): the next page starts at the last one's offset
     *     plus its size
     */
    @GET
    public List<QueueEntry> list(
            @PathParam("team") String team, @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
        QueryParameters.Page page = QueryParameters.page(limit, offset, DEFAULT_LIMIT, MAX_LIMIT);
        return queue.entries(access.read(team).teamId(), page.offset(), page.limit());
    }
}
