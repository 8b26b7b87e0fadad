package dev.canopy.api.schedule;

import dev.canopy.api.schedule.ScheduleRecords.CreateScheduleRequest;
import dev.canopy.api.schedule.ScheduleRecords.ScheduleResponse;
import dev.canopy.api.schedule.ScheduleRecords.UpdateScheduleRequest;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.net.URI;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/v1/teams/{team}/schedules")
public class ScheduleResource {

    @Inject
    ScheduleService service;

    @POST
    public RestResponse<ScheduleResponse> create(
            @PathParam("team") String team, @Valid @NotNull CreateScheduleRequest request) {
        ScheduleResponse schedule = service.create(team, request);
        URI location = URI.create("/api/v1/teams/" + team + "/schedules/" + schedule.name());
        return RestResponse.ResponseBuilder.<ScheduleResponse>created(location)
                .entity(schedule)
                .build();
    }

    @GET
    public List<ScheduleResponse> list(@PathParam("team") String team) {
        return service.list(team);
    }

    @GET
    @Path("/{schedule}")
    public ScheduleResponse get(@PathParam("team") String team, @PathParam("schedule") String schedule) {
        return service.get(team, schedule);
    }

    /** Changes what is given (cron or dataset trigger, time zone, run template, promoteTo); the rest stays. */
    @PATCH
    @Path("/{schedule}")
    public ScheduleResponse update(
            @PathParam("team") String team,
            @PathParam("schedule") String schedule,
            @Valid @NotNull UpdateScheduleRequest request) {
        return service.update(team, schedule, request);
    }

    @POST
    @Path("/{schedule}/pause")
    public ScheduleResponse pause(@PathParam("team") String team, @PathParam("schedule") String schedule) {
        return service.pause(team, schedule, true);
    }

    @POST
    @Path("/{schedule}/resume")
    public ScheduleResponse resume(@PathParam("team") String team, @PathParam("schedule") String schedule) {
        return service.pause(team, schedule, false);
    }

    @DELETE
    @Path("/{schedule}")
    public void delete(@PathParam("team") String team, @PathParam("schedule") String schedule) {
        service.delete(team, schedule);
    }
}
