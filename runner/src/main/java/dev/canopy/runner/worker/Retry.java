package dev.canopy.runner.worker;

import dev.canopy.runner.recipe.TrainingStopped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Calls the control plane again while it is unreachable (a network failure, a 5xx, a proxy's 408 or 429), waiting 1,
 * 2, 4, 8, then 10 s between tries, for up to 10 minutes: a control plane being restarted or failed over comes back
 * within that, and a run's report or result that gave up sooner would cost the run its attempt. A refusal or a lost
 * run is never retried.
 */
final class Retry {

    /** How long a call is tried before it is given up. */
    static final Duration OUTAGE = Duration.ofMinutes(10);

    private Retry() {}

    interface Call<T> {
        T run() throws IOException, InterruptedException;
    }

    interface Action {
        void run() throws IOException, InterruptedException;
    }

    /** {@code call}'s answer; UncheckedIOException once the tries are spent, TrainingStopped when interrupted. */
    static <T> T call(Call<T> call) {
        return call(call, () -> false);
    }

    /** {@link #call(Call)}, given up early (UncheckedIOException) once {@code moot} says the answer is not needed. */
    static <T> T call(Call<T> call, BooleanSupplier moot) {
        long deadline = System.nanoTime() + OUTAGE.toNanos();
        IOException last = null;
        for (int attempt = 0; ; attempt++) {
            try {
                return call.run();
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainingStopped("interrupted");
            }
            if (System.nanoTime() >= deadline || moot.getAsBoolean()) {
                throw new UncheckedIOException("The control plane did not answer", last);
            }
            pause(Math.min(10_000L, 1000L << Math.min(attempt, 4)));
        }
    }

    static void run(Action action) {
        call(() -> {
            action.run();
            return null;
        });
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingStopped("interrupted");
        }
    }
}
