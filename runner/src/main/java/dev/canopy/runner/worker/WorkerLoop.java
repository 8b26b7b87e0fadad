package dev.canopy.runner.worker;

import dev.canopy.runner.energy.EnergyMeter;
import dev.canopy.runner.energy.Slot;
import dev.canopy.runner.recipe.Recipe;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A runner: registers, heartbeats, long-polls for runs and trains them one at a time on its GPU set (or CPU),
 * each claimed attempt carried out by {@link RunAttempts}.
 * {@link #drain()} makes it take nothing new, stop its run at the next checkpoint (the run resumes elsewhere),
 * and return. Runs standalone ({@link RunnerMain}) or inside the control plane.
 */
public final class WorkerLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(WorkerLoop.class.getName());
    private static final int CLAIM_WAIT_SECONDS = 20;

    /**
     * The right to claim and train, one per process: DJL's PyTorch engine keeps training state process-wide (one
     * gradient collector may collect at a time, and the random generator that seeds initialisation and dropout is
     * the process's), so two runs training at once in one process (embedded runners, {@code
     * canopy.runner.embedded.count} above 1) failed one another. Runner processes of their own train in parallel.
     */
    private static final Semaphore TRAINING = new Semaphore(1);

    private static final long UNFIT_FIRST_WAIT_MS = 30_000;
    private static final long UNFIT_LONGEST_WAIT_MS = 600_000;
    /**
     * How long heartbeats renew an attempt still being prepared: the dataset download's own limit. A download that
     * stalls beyond it no longer holds the run, which goes back to the queue when its lease expires.
     */
    private static final long PREPARATION_LIMIT_NANOS = Duration.ofHours(1).toNanos();

    private final RunnerOptions options;
    private final Supplier<URI> server;
    private final Map<String, Recipe> recipes = new TreeMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch drainRequested = new CountDownLatch(1);
    private volatile boolean draining;
    private volatile long drainedAtNanos;
    private volatile boolean failed;
    private final EnergyMeter meter;
    private final UUID session = UUID.randomUUID();
    /** The attempt claimed last, from its claim until it ends (its run's dataset may take minutes to download). */
    private volatile ClaimedAttempt claimed;

    private volatile ScheduledExecutorService heartbeats;
    private volatile ControlPlane controlPlane;
    private MachineInfo machine;
    private List<Integer> gpuSet;
    private Slot slot;

    /**
     * @param server where the control plane is; asked at start, so that an embedded runner can learn its port late
     * @param meter the energy meter of this process (one per process, shared by its runners)
     */
    public WorkerLoop(RunnerOptions options, Supplier<URI> server, EnergyMeter meter) {
        this.options = options;
        this.server = server;
        this.meter = meter;
        ServiceLoader.load(Recipe.class, Recipe.class.getClassLoader()).forEach(r -> recipes.put(r.name(), r));
    }

    @Override
    public void run() {
        heartbeats = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "heartbeat"));
        try {
            Protocol.Registered registered = register();
            heartbeats.scheduleWithFixedDelay(this::heartbeat, 0, registered.heartbeatSeconds(), TimeUnit.SECONDS);
            RunAttempts attempts = new RunAttempts(
                    options.name(), recipes, controlPlane, slot, gpuSet, new DatasetCache(options.workDir()));
            long retry = 0;
            long unfitWait = 0;
            while (!draining) {
                // One run trains at a time in a process (see TRAINING): embedded runners take turns to claim.
                if (!TRAINING.tryAcquire(1, TimeUnit.SECONDS)) {
                    continue;
                }
                try {
                    Optional<Protocol.Assignment> assignment;
                    try {
                        assignment = controlPlane.claim(machine.gpus().size(), CLAIM_WAIT_SECONDS);
                        retry = 0;
                    } catch (IOException e) {
                        // A control plane restarting or briefly failing (5xx): wait and claim again. Refusals (a
                        // revoked token, an unknown runner) are not IOExceptions and end the loop below.
                        if (draining) {
                            // It closed the waiting claim while this runner drained: an embedded runner at stop.
                            break;
                        }
                        retry = Math.min(Math.max(retry * 2, 500), 10_000);
                        long wait = retry;
                        LOG.warning(() -> "Claim failed (" + e.getMessage() + "); claiming again in " + wait + " ms");
                        drainRequested.await(wait, TimeUnit.MILLISECONDS);
                        continue;
                    }
                    if (assignment.isPresent() && draining) {
                        // Leased as the drain began (its heartbeat not yet seen where the claim waited): given back
                        // untouched, at no cost, rather than prepared and trained for an epoch.
                        attempts.giveBack(assignment.get());
                        break;
                    }
                    if (assignment.isPresent()) {
                        ClaimedAttempt claim = new ClaimedAttempt(assignment.get());
                        claimed = claim;
                        if (draining) {
                            // Began after the check above, and perhaps before drain() could see this claim.
                            claim.drain(drainedAtNanos);
                        }
                        boolean taken;
                        try {
                            taken = attempts.execute(claim);
                        } finally {
                            claimed = null;
                        }
                        if (taken) {
                            unfitWait = 0;
                        } else {
                            // Its own disk failed it: other runners take the queue meanwhile. Tried again after 30 s,
                            // twice as long each time up to 10 minutes, in case room was made.
                            unfitWait = Math.min(Math.max(unfitWait * 2, UNFIT_FIRST_WAIT_MS), UNFIT_LONGEST_WAIT_MS);
                            long wait = unfitWait;
                            LOG.warning(() -> "Runner " + options.name() + " claims again in " + wait / 1000
                                    + " s: it could not take its last run (see above)");
                            drainRequested.await(wait, TimeUnit.MILLISECONDS);
                        }
                    }
                } finally {
                    TRAINING.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalArgumentException | ControlPlane.Refused e) {
            // Options that do not fit this machine (--gpu-ids of GPUs it lacks), or a control plane that refuses
            // this runner (a revoked token): said in one line.
            failed = true;
            LOG.severe(() -> "Runner " + options.name() + " stopped: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            // LinkageError: natives that do not load (a broken PYTORCH_LIBRARY_PATH). Any other Error too stops the
            // runner as failed (exit status 1), so that a supervisor restarts it.
            failed = true;
            LOG.log(Level.SEVERE, "Runner " + options.name() + " stopped", e);
        } finally {
            heartbeats.shutdownNow();
            if (draining && !failed) {
                LOG.info(() -> "Runner " + options.name() + " stopped: drained");
            }
            stopped.countDown();
        }
    }

    /**
     * Takes no new run; the current one stops after its next checkpoint (a download under way at once) and goes back
     * to the queue.
     */
    public void drain() {
        if (draining) {
            return;
        }
        drainedAtNanos = System.nanoTime();
        draining = true;
        drainRequested.countDown();
        ClaimedAttempt claim = claimed;
        if (claim != null) {
            claim.drain(drainedAtNanos);
        }
        LOG.info(() -> "Runner " + options.name() + " draining: it claims no new run"
                + (claim == null
                        ? ""
                        : "; run " + claim.assignment().runId() + " stops after its next checkpoint and goes back to"
                                + " the queue"));
        // Said at once rather than at the next heartbeat: the control plane ends a waiting claim of a draining
        // runner, so an idle runner stops now instead of when its claim times out.
        ScheduledExecutorService beats = heartbeats;
        if (beats != null && controlPlane != null) {
            try {
                beats.execute(this::heartbeat);
            } catch (RejectedExecutionException e) {
                // The loop has already ended.
            }
        }
    }

    /** Whether the loop ended on an error rather than a drain (an unusable engine, say). */
    public boolean failed() {
        return failed;
    }

    /** Waits for the loop to end after {@link #drain()}. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Protocol.Registered register() throws InterruptedException {
        gpuSet = options.gpuSet(MachineInfo.engineGpus());
        EngineSelfTest.run(gpuSet);
        machine = MachineInfo.detect(gpuSet, meter.gpus());
        slot = meter.slot(options.name(), gpuSet);
        meter.describe().forEach(line -> LOG.info(() -> "Runner " + options.name() + " energy meter: " + line));
        Protocol.Register register = HeldAttempts.registration(options, machine, recipes.keySet(), meter);
        for (long wait = 500; ; wait = Math.min(wait * 2, 10_000)) {
            // Asked again on every try: an embedded runner may start before its server listens.
            URI target = server.get();
            try {
                controlPlane = new ControlPlane(target, options.token());
                Protocol.Registered registered = controlPlane.register(register);
                LOG.info(() -> "Runner " + options.name() + " registered as " + registered.workerId() + " with "
                        + machine.gpus().size() + " GPU(s), " + MachineInfo.engineThreads()
                        + " PyTorch thread(s), recipes " + recipes.keySet());
                return registered;
            } catch (IOException | IllegalArgumentException e) {
                long retry = wait;
                // A refused connection's message is null: the exception's class says what happened.
                LOG.warning(() -> "Control plane at " + target + " not reachable yet ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); retrying in "
                        + retry + " ms");
                if (drainRequested.await(wait, TimeUnit.MILLISECONDS)) {
                    throw new InterruptedException("drained before the control plane could be reached");
                }
            }
        }
    }

    /** Catches whatever it meets, an Error too: one escaping would end every later heartbeat of the executor. */
    private void heartbeat() {
        ClaimedAttempt claim = claimed;
        try {
            List<Protocol.Held> held = HeldAttempts.of(claim, PREPARATION_LIMIT_NANOS);
            Protocol.Idle idle = new Protocol.Idle(session, Protocol.Energy.of(slot.idle()));
            Protocol.HeartbeatReply reply = controlPlane.heartbeat(new Protocol.Heartbeat(draining, held, idle));
            // Told of the attempt the heartbeat held, not of whatever this runner holds by now (a late answer about
            // an ended attempt must not touch its run's next).
            if (!held.isEmpty() && reply.cancel().contains(claim.assignment().runId())) {
                claim.cancel();
            }
            if (!held.isEmpty() && reply.lost().contains(claim.assignment().runId())) {
                claim.lose();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | Error e) {
            LOG.warning(() -> "Heartbeat failed: " + e);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread thread = new Thread(r, "canopy-runner-" + name);
        thread.setDaemon(true);
        return thread;
    }
}
