package dev.canopy.api.schedule;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.endpoint.GateSpec;
import dev.canopy.api.error.Conflict;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.InvalidState;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.run.RunService;
import dev.canopy.api.run.RunTemplate;
import dev.canopy.api.schedule.ScheduleRecords.CreateScheduleRequest;
import dev.canopy.api.schedule.ScheduleRecords.ScheduleResponse;
import dev.canopy.api.schedule.ScheduleRecords.UpdateScheduleRequest;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import dev.canopy.scheduler.schedule.CronSchedules;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;

/**
 * Retraining schedules: created, changed, paused and deleted, each checked as a whole when saved. A cron schedule
 * is a Quartz trigger (clustered: one control plane fires it); a data schedule fires when a new version of its
 * dataset is committed. {@link ScheduleFires} carries out the fires.
 */
@ApplicationScoped
class ScheduleService {

    @Inject
    PromotionTarget promotionTarget;

    @Inject
    ScheduleRepository schedules;

    @Inject
    TeamAccess access;

    @Inject
    DatasetService datasets;

    @Inject
    RunService runs;

    @Inject
    CronSchedules cron;

    @Inject
    ScheduleConfig config;

    @Transactional
    ScheduleResponse create(String team, CreateScheduleRequest request) {
        TeamScope scope = access.write(team);
        if ((request.cron() == null) == (request.onNewDatasetVersion() == null)) {
            throw new InvalidRequest("cron", "give either cron or onNewDatasetVersion, not both and not neither");
        }
        if (schedules.findByTeamAndName(scope.teamId(), request.name()).isPresent()) {
            throw new Conflict("Schedule '" + request.name() + "' already exists", "name", "already taken");
        }
        ZoneId zone = zoneOf(request.timeZone());
        Schedule schedule = new Schedule(scope.teamId(), request.name(), scope.userId(), DatabaseTime.now());
        schedule.timeZone = zone.getId();
        schedule.runTemplate = request.runTemplate();
        schedule.promoteTo = request.promoteTo();
        schedule.promoteGates = GateSpec.checkedAll(request.promoteGates(), "promoteGates");
        promotionTarget.check(scope, schedule);
        if (request.cron() != null) {
            CronSchedules.problemWith(request.cron(), zone, config.minInterval())
                    .ifPresent(p -> {
                        throw new InvalidRequest("cron", "invalid cron expression: " + p);
                    });
            schedule.cron = request.cron();
        } else {
            schedule.onDatasetId = datasets.idOf(scope, request.onNewDatasetVersion());
        }
        // The whole schedule first: a template pinned to a version of the dataset it watches is 400 even before
        // that dataset has a version.
        checkTogether(scope, schedule);
        checkTemplate(scope, schedule);
        schedules.persist(schedule);
        if (schedule.cron != null) {
            putCron(schedule, zone);
        }
        Log.infof("Schedule %s (%s) created in team %s", schedule.name, schedule.id, scope.teamName());
        return toResponse(scope, schedule);
    }

    @Transactional
    ScheduleResponse update(String team, String name, UpdateScheduleRequest request) {
        TeamScope scope = access.write(team);
        Schedule schedule = findForUpdate(scope, name);
        if (request.cron() != null && request.onNewDatasetVersion() != null) {
            throw new InvalidRequest("cron", "give either cron or onNewDatasetVersion, not both");
        }
        if (request.runTemplate() != null) {
            schedule.runTemplate = request.runTemplate();
        }
        if (request.promoteTo() != null) {
            schedule.promoteTo = request.promoteTo().isBlank() ? null : request.promoteTo();
        }
        if (request.promoteTo() != null || request.runTemplate() != null) {
            promotionTarget.check(scope, schedule);
        }
        if (request.promoteGates() != null) {
            schedule.promoteGates = GateSpec.checkedAll(request.promoteGates(), "promoteGates");
        }
        if (request.timeZone() != null) {
            schedule.timeZone = zoneOf(request.timeZone()).getId();
        }
        if (request.onNewDatasetVersion() != null) {
            schedule.onDatasetId = datasets.idOf(scope, request.onNewDatasetVersion());
            if (schedule.cron != null) {
                cron.remove(schedule.id);
                schedule.cron = null;
            }
        } else if (request.cron() != null) {
            CronSchedules.problemWith(request.cron(), ZoneId.of(schedule.timeZone), config.minInterval())
                    .ifPresent(p -> {
                        throw new InvalidRequest("cron", "invalid cron expression: " + p);
                    });
            schedule.cron = request.cron();
            schedule.onDatasetId = null;
        }
        checkTogether(scope, schedule);
        if (request.runTemplate() != null || request.onNewDatasetVersion() != null || request.cron() != null) {
            checkTemplate(scope, schedule);
        }
        if (schedule.cron != null && request.cron() == null && request.timeZone() != null) {
            // The same cron in another zone may have no time left (a date and year that have passed there).
            CronSchedules.problemWith(schedule.cron, ZoneId.of(schedule.timeZone), config.minInterval())
                    .ifPresent(p -> {
                        throw new InvalidRequest("timeZone", "in this time zone the cron is invalid: " + p);
                    });
        }
        if (schedule.cron != null && (request.cron() != null || request.timeZone() != null)) {
            // zoneOf: a zone stored before such zones were refused is 400 here, asking for one the trigger can keep.
            putCron(schedule, zoneOf(schedule.timeZone));
            if (schedule.paused) {
                cron.pause(schedule.id);
            }
        }
        schedule.actFor(scope.userId());
        Log.infof("Schedule %s updated", schedule.id);
        return toResponse(scope, schedule);
    }

    List<ScheduleResponse> list(String team) {
        TeamScope scope = access.read(team);
        return schedules.findByTeam(scope.teamId()).stream()
                .map(s -> toResponse(scope, s))
                .toList();
    }

    ScheduleResponse get(String team, String name) {
        TeamScope scope = access.read(team);
        return toResponse(scope, find(scope, name));
    }

    @Transactional
    ScheduleResponse pause(String team, String name, boolean paused) {
        TeamScope scope = access.write(team);
        Schedule schedule = findForUpdate(scope, name);
        if (!paused && schedule.cron != null && finished(schedule)) {
            throw new InvalidState("Schedule '" + name + "' never fires again: its cron's last time (" + schedule.cron
                    + " in " + schedule.timeZone + ") has passed; change its cron or delete it");
        }
        schedule.pause(paused, scope.userId());
        if (schedule.cron != null && !(paused && finished(schedule))) {
            if (paused) {
                cron.pause(schedule.id);
            } else {
                // A new trigger: it fires next at the cron's next time, not at once for the fires missed while
                // paused (resuming the paused trigger would make up one).
                putCron(schedule, zoneOf(schedule.timeZone));
            }
        }
        Log.infof("Schedule %s %s", schedule.id, paused ? "paused" : "resumed");
        return toResponse(scope, schedule);
    }

    @Transactional
    void delete(String team, String name) {
        // The row first, as every other change takes it, then Quartz's lock: never the other way round.
        Schedule schedule = findForUpdate(access.write(team), name);
        if (schedule.cron != null) {
            cron.remove(schedule.id);
        }
        schedules.delete(schedule);
        Log.infof("Schedule %s deleted", schedule.id);
    }

    /**
     * Checks the run template as a run request, against the data it would train on now; a schedule on the first
     * version of a dataset still to come is checked without data, and its parameters when that version arrives.
     */
    private void checkTemplate(TeamScope scope, Schedule schedule) {
        RunTemplate template = schedule.runTemplate;
        boolean firstVersionToCome = schedule.onDatasetId != null
                && template.trainsLatest()
                && template.dataset().name().equals(datasets.nameOf(scope, schedule.onDatasetId))
                && !datasets.hasVersions(scope, template.dataset().name());
        if (firstVersionToCome) {
            runs.checkBeforeData(scope, template);
        } else {
            runs.check(scope, template);
        }
    }

    /**
     * What only the whole schedule shows: gates with no endpoint to promote to, held-out gates on data the team
     * lacks or the runs train on, and a data schedule whose template trains a fixed version of the very dataset it
     * watches.
     */
    private void checkTogether(TeamScope scope, Schedule schedule) {
        promotionTarget.checkGates(scope, schedule);
        RunTemplate template = schedule.runTemplate;
        if (schedule.onDatasetId != null
                && !template.trainsLatest()
                && template.dataset().name().equals(datasets.nameOf(scope, schedule.onDatasetId))) {
            throw new InvalidRequest(
                    "runTemplate.dataset.version",
                    "a schedule on new versions of " + template.dataset().name()
                            + " trains each new version: leave the version out (or give 'latest')");
        }
    }

    /** The schedule's cron trigger; 400 when its last time passed since it was checked (a one-time cron). */
    private void putCron(Schedule schedule, ZoneId zone) {
        try {
            cron.put(schedule.id, schedule.cron, zone);
        } catch (CronSchedules.NeverFires e) {
            throw new InvalidRequest("cron", "invalid cron expression: " + e.getMessage());
        }
    }

    private Schedule findForUpdate(TeamScope scope, String name) {
        return schedules
                .findByTeamAndNameForUpdate(scope.teamId(), name)
                .orElseThrow(() -> new NotFound("schedule", name));
    }

    private Schedule find(TeamScope scope, String name) {
        return schedules.findByTeamAndName(scope.teamId(), name).orElseThrow(() -> new NotFound("schedule", name));
    }

    private static ZoneId zoneOf(String timeZone) {
        ZoneId zone;
        try {
            zone = timeZone == null ? ZoneId.of("UTC") : ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new InvalidRequest("timeZone", "unknown time zone '" + timeZone + "'");
        }
        try {
            CronSchedules.timeZoneOf(zone);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("timeZone", e.getMessage());
        }
        return zone;
    }

    private ScheduleResponse toResponse(TeamScope scope, Schedule s) {
        return new ScheduleResponse(
                s.id,
                s.name,
                s.cron,
                s.timeZone,
                s.onDatasetId == null ? null : datasets.nameOf(scope, s.onDatasetId),
                s.runTemplate,
                s.promoteTo,
                s.promoteGates,
                s.paused,
                s.lastFiredAt,
                s.lastRunId,
                s.lastError,
                s.cron == null ? null : cron.nextFire(s.id).orElse(null),
                s.cron != null && finished(s),
                s.createdAt,
                access.userName(s.createdBy).orElse(null));
    }

    /** A cron schedule whose expression has no time left (a date with a year that has passed). */
    private static boolean finished(Schedule schedule) {
        return CronSchedules.nextFireOf(schedule.cron, ZoneId.of(schedule.timeZone))
                .isEmpty();
    }
}
