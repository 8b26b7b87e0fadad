package dev.canopy.runner.worker;

import dev.canopy.runner.recipe.TrainingStopped;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Calls the control plane again, five times in about 30 s, while it is briefly unreachable (a network failure, a 5xx,
 * a proxy's 408 or 429); a refusal or a lost run is never retried.
 */
final class Retry {

    private Retry() {}

    interface Call<T> {
        T run() throws IOException, InterruptedException;
    }

    interface Action {
        void run() throws IOException, InterruptedException;
    }

    /** {@code call}'s answer; UncheckedIOException once the tries are spent, TrainingStopped when interrupted. */
    static <T> T call(Call<T> call) {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return call.run();
            } catch (IOException e) {
                last = e;
                pause(1000L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainingStopped("interrupted");
            }
        }
        throw new UncheckedIOException("The control plane did not answer", last);
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
