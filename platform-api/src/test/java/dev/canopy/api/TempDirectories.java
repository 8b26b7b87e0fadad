package dev.canopy.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Temporary directories of tests and benchmarks (platform homes with their databases, runner work directories),
 * deleted when the JVM exits: a full test run made about 40 of them, hundreds of megabytes, and left them all.
 * Best effort: a file that cannot be deleted is left.
 */
public final class TempDirectories {

    private static final List<Path> CREATED = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> CREATED.forEach(TempDirectories::deleteQuietly)));
    }

    private TempDirectories() {}

    /** A new directory under the system's temporary directory, deleted with its content at exit. */
    public static Path create(String prefix) {
        try {
            Path directory = Files.createTempDirectory(prefix);
            CREATED.add(directory);
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // Left behind: a process may still hold it.
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // Gone already, or unreadable: nothing more to do.
        }
    }
}
