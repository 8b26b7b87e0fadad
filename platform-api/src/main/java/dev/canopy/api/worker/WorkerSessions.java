package dev.canopy.api.worker;

import dev.canopy.api.carbon.EnergyAccounting;
import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.dataset.DatasetVersionRef;
import dev.canopy.api.error.Conflict;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.run.RunExecutions;
import dev.canopy.api.run.RunExecutions.Execution;
import dev.canopy.api.run.RunProgress;
import dev.canopy.api.team.Caller;
import dev.canopy.api.team.CurrentCaller;
import dev.canopy.api.team.TokenService;
import dev.canopy.api.worker.WorkerRecords.Assignment;
import dev.canopy.api.worker.WorkerRecords.DatasetDescription;
import dev.canopy.api.worker.WorkerRecords.HeartbeatRequest;
import dev.canopy.api.worker.WorkerRecords.HeartbeatResponse;
import dev.canopy.api.worker.WorkerRecords.RegisterRequest;
import dev.canopy.api.worker.WorkerRecords.RegisterResponse;
import dev.canopy.scheduler.queue.ClaimRequest;
import dev.canopy.scheduler.queue.HeartbeatResult;
import dev.canopy.scheduler.queue.HeldRun;
import dev.canopy.scheduler.queue.Lease;
import dev.canopy.scheduler.queue.QueueConfig;
import dev.canopy.scheduler.queue.QueueSignals;
import dev.canopy.scheduler.queue.RunQueue;
import dev.canopy.scheduler.worker.Worker;
import dev.canopy.scheduler.worker.WorkerInfo;
import dev.canopy.scheduler.worker.WorkerRegistry;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.context.ManagedExecutor;

/**
 * A runner's session: registering, heartbeats, and claiming work. A claim waits (long-polls) up to
 * {@code waitSeconds} for a run, woken by the queue's NOTIFY and retrying on a timer, without holding a thread.
 */
@ApplicationScoped
class WorkerSessions {

    @Inject
    CurrentCaller currentCaller;

    @Inject
    TokenService tokens;

    @Inject
    WorkerRegistry registry;

    @Inject
    RunQueue queue;

    @Inject
    QueueSignals signals;

    @Inject
    QueueConfig config;

    @Inject
    RunExecutions executions;

    @Inject
    DatasetService datasets;

    @Inject
    ManagedExecutor executor;

    @Inject
    EnergyAccounting energy;

    /**
     * Per runner with a claim waiting on this control plane: completed when the runner says it drains, or when a newer
     * claim of the runner replaces it.
     */
    private final Map<UUID, CompletableFuture<Void>> drains = new ConcurrentHashMap<>();

    RegisterResponse register(RegisterRequest request) {
        Caller caller = currentCaller.get();
        WorkerInfo info = new WorkerInfo(
                request.name(),
                caller.tokenTeamId(),
                request.host(),
                request.cpuModel(),
                request.cores(),
                request.memoryBytes(),
                request.gpus().stream()
                        .map(g -> new WorkerInfo.Gpu(g.index(), g.name(), g.memoryBytes()))
                        .toList(),
                request.recipes(),
                request.djlVersion(),
                request.pytorchVersion(),
                request.zone(),
                request.pue(),
                request.energyMethods() == null ? Map.of() : request.energyMethods());
        // Names are per team. A name moves to a new token only when the old one no longer works (revoked, expired,
        // or an embedded runner's restart), and without the runs the old token's runner held.
        UUID replacing = registry.findByName(caller.tokenTeamId(), request.name())
                .filter(known -> !known.tokenId().equals(caller.tokenId()))
                .map(known -> {
                    if (tokens.isActive(known.tokenId())) {
                        throw taken(request.name());
                    }
                    queue.takeBackRunsOf(known.id());
                    return known.tokenId();
                })
                .orElse(null);
        // Taken by another token since it was looked up (two registering at once): the first one keeps it.
        UUID id = registry.register(info, caller.tokenId(), replacing).orElseThrow(() -> taken(request.name()));
        Log.infof(
                "Runner %s (%s) registered: %d cores, %d GPU(s), recipes %s",
                request.name(), id, request.cores(), request.gpus().size(), request.recipes());
        return new RegisterResponse(
                id, config.heartbeat().toSeconds(), config.lease().toSeconds());
    }

    private static Conflict taken(String name) {
        return new Conflict("Runner name '" + name + "' belongs to another runner token", "name", "taken");
    }

    @Transactional
    HeartbeatResponse heartbeat(UUID workerId, HeartbeatRequest request) {
        Worker worker = requireOwn(workerId);
        registry.heartbeat(workerId, request.draining());
        if (request.draining()) {
            CompletableFuture<Void> drain = drains.get(workerId);
            if (drain != null) {
                // Not from this thread: the woken claim would run in (and break) this heartbeat's transaction.
                CompletableFuture.runAsync(() -> drain.complete(null));
            }
        }
        HeartbeatResult result = queue.heartbeat(
                workerId,
                request.runs().stream()
                        .map(r -> new HeldRun(r.runId(), r.attempt()))
                        .toList());
        request.runs().stream()
                .filter(r -> r.progress() != null && result.renewed().contains(r.runId()))
                .forEach(r -> executions.progress(
                        r.runId(),
                        new RunProgress(
                                r.progress().epoch(),
                                r.progress().epochs(),
                                r.progress().fraction(),
                                r.progress().etaSeconds())));
        // Energy of the attempts still held; a lost attempt's energy stands as last reported.
        request.runs().stream()
                .filter(r -> r.energy() != null && result.renewed().contains(r.runId()))
                .forEach(r -> energy.run(
                        executions.execution(r.runId()).teamId(),
                        r.runId(),
                        r.attempt(),
                        reporter(worker),
                        r.energy(),
                        false));
        if (request.idle() != null) {
            energy.idle(
                    reporter(worker), request.idle().session(), request.idle().energy());
        }
        return new HeartbeatResponse(result.cancel(), result.lost());
    }

    /**
     * Completes with a run as soon as one fits the runner, or empty when {@code wait} has passed or the runner
     * says, in a heartbeat to this control plane, that it drains.
     */
    CompletionStage<Optional<Assignment>> claim(UUID workerId, int freeGpus, Duration wait) {
        Worker worker = requireOwn(workerId);
        if (Worker.DRAINING.equals(worker.state())) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        // A runner cannot have more free GPUs than it registered.
        ClaimRequest request = new ClaimRequest(
                workerId,
                worker.info().teamId(),
                Math.min(freeGpus, worker.info().gpus().size()),
                worker.info().recipes());
        Instant deadline = Instant.now().plus(wait.compareTo(config.longPoll()) > 0 ? config.longPoll() : wait);
        // A runner waits in one claim at a time; a newer claim replaces an abandoned one, which ends now: left to
        // run to its deadline it could still lease a run, whose answer would go to a runner no longer listening
        // (killed, or its connection reset) and cost the run an attempt when the lease expired.
        CompletableFuture<Void> drain = new CompletableFuture<>();
        CompletableFuture<Void> abandoned = drains.put(workerId, drain);
        if (abandoned != null) {
            abandoned.complete(null);
        }
        return attempt(request, worker.tokenId(), deadline, drain)
                .whenComplete((assignment, error) -> drains.remove(workerId, drain));
    }

    private CompletionStage<Optional<Assignment>> attempt(
            ClaimRequest request, UUID tokenId, Instant deadline, CompletableFuture<Void> drain) {
        if (drain.isDone()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        // Taken before the claim: a run queued while the claim finds nothing wakes this wait, not the next one.
        CompletableFuture<Void> notified = signals.next();
        Optional<Assignment> assignment = QuarkusTransaction.requiringNew().call(() -> {
            if (registry.draining(request.workerId())) {
                // Said in a heartbeat to another control plane: this one's drain future hears only its own.
                drain.complete(null);
                return Optional.<Assignment>empty();
            }
            return claimNow(request, tokenId);
        });
        long left = Duration.between(Instant.now(), deadline).toMillis();
        if (assignment.isPresent() || left <= 0 || drain.isDone()) {
            return CompletableFuture.completedFuture(assignment);
        }
        CompletableFuture<Void> timer = new CompletableFuture<Void>()
                .completeOnTimeout(null, Math.min(left, config.pollFallback().toMillis()), TimeUnit.MILLISECONDS);
        return CompletableFuture.anyOf(notified, timer, drain)
                .thenComposeAsync(woken -> attempt(request, tokenId, deadline, drain), executor);
    }

    private Optional<Assignment> claimNow(ClaimRequest request, UUID tokenId) {
        if (!tokens.isActive(tokenId)) {
            // Revoked (or expired) while the runner waited in a long poll: it is leased nothing, and its next call is
            // refused with 401.
            return Optional.empty();
        }
        while (true) {
            Optional<Lease> lease = queue.claim(request);
            if (lease.isEmpty()) {
                return Optional.empty();
            }
            Optional<Execution> run =
                    executions.claimed(lease.get().runId(), lease.get().attempt());
            if (run.isPresent()) {
                return Optional.of(assignment(lease.get(), run.get()));
            }
            // A run that ended while still queued (never left so by this code, but one such row must not stop
            // every runner that claims it): out of the queue, and the claim goes on.
            queue.remove(lease.get().runId());
            Log.warnf(
                    "Run %s had ended but was still queued; removed from the queue",
                    lease.get().runId());
        }
    }

    private Assignment assignment(Lease lease, Execution run) {
        DatasetVersionRef dataset = datasets.version(run.datasetVersionId());
        return new Assignment(
                run.runId(),
                lease.attempt(),
                run.name(),
                run.recipe(),
                run.params(),
                run.gpus(),
                new DatasetDescription(
                        dataset.dataset(),
                        dataset.version(),
                        dataset.sha256(),
                        dataset.sizeBytes(),
                        dataset.rowCount(),
                        dataset.columns()),
                run.checkpointEpoch());
    }

    static EnergyAccounting.Reporter reporter(Worker worker) {
        return new EnergyAccounting.Reporter(
                worker.id(),
                worker.info().name(),
                worker.info().zone(),
                worker.info().pue(),
                worker.registeredAt());
    }

    /** Whether the runner has a claim waiting here for work (authenticated, its long poll under way). */
    boolean claimWaiting(UUID workerId) {
        return drains.containsKey(workerId);
    }

    /** The runner, if it is the caller's (a runner token speaks only for the runners it registered). */
    Worker requireOwn(UUID workerId) {
        Caller caller = currentCaller.get();
        return registry.find(workerId)
                .filter(w -> w.tokenId().equals(caller.tokenId()))
                .orElseThrow(() -> new NotFound("runner", workerId));
    }
}
