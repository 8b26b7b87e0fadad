package dev.canopy.api.schedule;

import dev.canopy.api.config.DaemonThreads;
import dev.canopy.api.endpoint.EndpointPromotions;
import dev.canopy.api.endpoint.EndpointService;
import dev.canopy.api.error.ApiException;
import dev.canopy.api.error.Conflict;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.api.run.RunFinished;
import dev.canopy.api.schedule.PendingPromotions.Pending;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Closes the retraining loop: when a run a schedule launched registers a version and the schedule has {@code
 * promoteTo}, the version is promoted to that endpoint through the schedule's gates, on behalf of the user who
 * made the schedule. A refusal is an audit record of the endpoint like any other and leaves it untouched.
 *
 * <p>The version waits in {@link PendingPromotions} from the transaction that ends the run until its promotion is
 * decided, so a control plane that stops in between leaves it for another (or itself, restarted) to decide.
 */
@ApplicationScoped
class SchedulePromotions {

    /** How often a promotion is tried when its endpoint keeps changing while its gates are checked. */
    private static final int MAX_PROMOTION_ATTEMPTS = 3;

    /** How many times a promotion that fails on an internal error is taken up before it is given up. */
    private static final int MAX_DECISION_ATTEMPTS = 3;

    @Inject
    ScheduleRepository schedules;

    @Inject
    EndpointPromotions promotions;

    @Inject
    ModelService models;

    @Inject
    EndpointService endpoints;

    @Inject
    TeamAccess access;

    @Inject
    PendingPromotions pending;

    @Inject
    ScheduleConfig config;

    @Inject
    PromotionStillDue stillDue;

    private final ExecutorService worker =
            Executors.newSingleThreadExecutor(DaemonThreads.named("canopy-schedule-promotions"));

    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("canopy-schedule-promotion-leases"));

    /** In the transaction that ends the run: the version waits for its promotion even if this process stops now. */
    void onFinished(@Observes RunFinished run) {
        if (run.scheduleId() != null && run.modelVersionId() != null) {
            pending.add(new Pending(run.modelVersionId(), run.scheduleId(), run.runId(), 1));
        }
    }

    void onFinishedCommitted(@Observes(during = TransactionPhase.AFTER_SUCCESS) RunFinished run) {
        if (run.scheduleId() != null && run.modelVersionId() != null) {
            pending.hold(run.modelVersionId());
            // Loading and warming the version takes a moment: not on the runner's request.
            worker.execute(() -> promote(new Pending(run.modelVersionId(), run.scheduleId(), run.runId(), 1)));
        }
    }

    void start(@Observes StartupEvent started) {
        long period = Math.max(1, config.promotionLease().toMillis() / 4);
        timer.scheduleWithFixedDelay(this::keepLeases, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Renews the leases of the promotions this control plane holds, and takes up those another one left undecided
     * when it stopped (or this one, before a restart).
     */
    private void keepLeases() {
        try {
            pending.renewHeld();
            for (Pending abandoned : pending.takeAbandoned()) {
                Log.infof(
                        "The promotion of the version run %s registered was left undecided by a control plane that"
                                + " stopped; deciding it here",
                        abandoned.runId());
                worker.execute(() -> promote(abandoned));
            }
        } catch (RuntimeException e) {
            Log.warnf("Scheduled promotions could not be swept: %s", e.getMessage());
        }
    }

    /** Decides a promotion, then says so (its row goes); one that could not be decided waits to be taken again. */
    private void promote(Pending run) {
        boolean decided = false;
        try {
            decided = decide(run);
        } finally {
            try {
                if (decided) {
                    pending.decided(run.versionId());
                } else {
                    pending.release(run.versionId());
                }
            } catch (RuntimeException e) {
                pending.release(run.versionId());
                Log.warnf(
                        "The promotion of the version run %s registered could not be recorded as decided (%s); it"
                                + " will be decided again",
                        run.runId(), e.getMessage());
            }
        }
    }

    /**
     * Decides a promotion: promotes the version, or says on the schedule why not. False when an internal error kept it
     * from being decided and it is to be tried again (after a lease), which it is twice.
     */
    private boolean decide(Pending run) {
        ManagedContext request = Arc.container().requestContext();
        request.activate();
        try {
            Schedule schedule = QuarkusTransaction.requiringNew().call(() -> schedules.findById(run.scheduleId()));
            if (schedule == null || schedule.promoteTo == null) {
                return true;
            }
            TeamScope scope = access.system(schedule.teamId, schedule.createdBy);
            RegisteredVersion version = QuarkusTransaction.requiringNew()
                    .call(() -> models.byIds(List.of(run.versionId())).get(run.versionId()));
            if (schedule.paused) {
                // Pausing stops the loop: a run launched before the pause registers its version, nothing more.
                notPromoted(schedule, version.label() + " was not promoted: the schedule is paused");
                return true;
            }
            // Checked when the schedule was saved, but the endpoint may have been made again for another model.
            String served = QuarkusTransaction.requiringNew()
                    .call(() -> endpoints.modelOf(scope, schedule.promoteTo).orElse(null));
            if (!version.model().equals(served)) {
                notPromoted(
                        schedule,
                        version.label() + " was not promoted: endpoint '" + schedule.promoteTo + "' "
                                + (served == null ? "no longer exists" : "serves model " + served + " now"));
                return true;
            }
            for (int attempt = 1; ; attempt++) {
                if (liveAlready(scope, schedule, version)) {
                    return true;
                }
                // Before the gates too, as they may take a while (a held-out evaluation).
                QuarkusTransaction.requiringNew()
                        .run(() -> stillDue.requireNoLaterRunLive(schedule, scope, version.id()));
                try {
                    promotions.promoteAs(
                            scope,
                            "schedule " + schedule.name,
                            schedule.promoteTo,
                            String.valueOf(version.version()),
                            schedule.promoteGates,
                            "retrained by schedule " + schedule.name + " (run " + run.runId() + ")",
                            () -> stillDue.check(schedule, scope, run.versionId()));
                    break;
                } catch (Conflict e) {
                    // The endpoint changed while the gates were checked (a canary decided, say): check them again
                    // on the endpoint as it is now, as a person would promote again.
                    if (attempt == MAX_PROMOTION_ATTEMPTS) {
                        throw e;
                    }
                    Log.infof("Schedule %s: %s; trying again", schedule.name, e.getMessage());
                }
            }
            Log.infof("Schedule %s promoted %s to endpoint %s", schedule.name, version.label(), schedule.promoteTo);
            return true;
        } catch (PendingPromotions.TakenOver e) {
            // This control plane's lease ran out while the gates ran: the one that took it up decides, and says so.
            Log.infof("Schedule run %s: %s; it decides", run.runId(), e.getMessage());
            return true;
        } catch (ApiException e) {
            // A refusal's details name the gates that failed and why.
            String details = e.details().stream()
                    .map(d -> d.problem())
                    .collect(Collectors.joining(
                            "; ", e.details().isEmpty() ? "" : " (", e.details().isEmpty() ? "" : ")"));
            notPromoted(run, "the version of run " + run.runId() + " was not promoted: " + e.getMessage() + details);
            return true;
        } catch (RuntimeException e) {
            // The database failing over, the pool exhausted, a shutdown: not the schedule's doing, so not the end.
            if (run.attempts() < MAX_DECISION_ATTEMPTS) {
                Log.errorf(e, "Schedule run %s: promoting its version failed; it is tried again later", run.runId());
                return false;
            }
            Log.errorf(e, "Schedule run %s: promoting its version failed, for the last time", run.runId());
            notPromoted(
                    run,
                    "the version of run " + run.runId() + " was not promoted: an internal error, " + run.attempts()
                            + " times (the server log has it)");
            return true;
        } finally {
            request.terminate();
        }
    }

    /**
     * Whether the version is live on the schedule's endpoint already: promoted before the control plane that did it
     * could say so (it stopped), or by a person meanwhile (a retry after a conflict finds it so), which is done, not
     * refused.
     */
    private boolean liveAlready(TeamScope scope, Schedule schedule, RegisteredVersion version) {
        UUID live = QuarkusTransaction.requiringNew()
                .call(() -> endpoints.liveVersionOf(scope, schedule.promoteTo).orElse(null));
        if (version.id().equals(live)) {
            Log.infof(
                    "Schedule %s: %s is live on endpoint %s already",
                    schedule.name, version.label(), schedule.promoteTo);
            return true;
        }
        return false;
    }

    /**
     * Says on the schedule why the version its run registered was not promoted (its {@code lastError}, until its next
     * fire), and in the log: a schedule whose endpoint was deleted, or whose gates keep refusing, must not stop
     * promoting in silence.
     */
    private void notPromoted(Schedule schedule, String problem) {
        Log.infof("Schedule %s: %s", schedule.name, problem);
        QuarkusTransaction.requiringNew().run(() -> {
            Schedule current = schedules.findById(schedule.id);
            if (current != null) {
                current.noteError(problem);
            }
        });
    }

    private void notPromoted(Pending run, String problem) {
        Schedule schedule = QuarkusTransaction.requiringNew().call(() -> schedules.findById(run.scheduleId()));
        if (schedule != null) {
            notPromoted(schedule, problem);
        }
    }

    /** Before the database goes: a promotion decided meanwhile is taken up again once its lease runs out. */
    void stop(@Observes ShutdownEvent stopping) {
        timer.shutdownNow();
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
        worker.shutdown();
    }
}
