package dev.canopy.api.artifact;

import dev.canopy.api.config.CanopyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * {@link ArtifactStore} in a directory ({@code canopy.artifacts-directory}, by default {@code
 * $CANOPY_HOME/artifacts}): {@code <key>} under it, staging in {@code .staging}.
 */
@ApplicationScoped
class FileSystemArtifactStore implements ArtifactStore {

    private final Path root;
    private final Path staging;

    @Inject
    FileSystemArtifactStore(CanopyConfig config) {
        this(config.artifactsPath());
    }

    FileSystemArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.staging = this.root.resolve(".staging");
    }

    @Override
    public Staged stage() throws IOException {
        Files.createDirectories(staging);
        return new StagedFile(Files.createTempFile(staging, "upload-", ".part"));
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(resolve(key));
    }

    @Override
    public long size(String key) throws IOException {
        return Files.size(resolve(key));
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(resolve(key));
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(resolve(key));
    }

    @Override
    public void deleteAll(String folder) throws IOException {
        Path top = resolve(folder);
        if (top.equals(root) || !Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(top)) {
            // Deepest first, so that each folder is empty when its turn comes.
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    @Override
    public int deleteAbandonedStaging(Duration idle) throws IOException {
        if (!Files.isDirectory(staging)) {
            return 0;
        }
        FileTime before = FileTime.from(Instant.now().minus(idle));
        int deleted = 0;
        try (Stream<Path> files = Files.list(staging)) {
            for (Path file : files.toList()) {
                try {
                    if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                            && Files.getLastModifiedTime(file).compareTo(before) < 0
                            && Files.deleteIfExists(file)) {
                        deleted++;
                    }
                } catch (NoSuchFileException e) {
                    // Committed or closed meanwhile.
                }
            }
        }
        return deleted;
    }

    /**
     * Makes a folder's entries durable (fsync of the directory; Linux and macOS allow opening one for reading).
     * Where a platform cannot open a folder (Windows), the rename stands and durability is the file system's; a
     * failing fsync (a disk in trouble) fails the commit.
     */
    private static void forceFolder(Path folder) throws IOException {
        FileChannel directory;
        try {
            directory = FileChannel.open(folder, StandardOpenOption.READ);
        } catch (IOException e) {
            return;
        }
        try (directory) {
            directory.force(true);
        }
    }

    private Path resolve(String key) {
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.startsWith(staging) || key.isBlank()) {
            throw new IllegalArgumentException("Artifact key outside the store: " + key);
        }
        return path;
    }

    /** Package-private for tests that stage into a file of their own (a device that is always full, say). */
    final class StagedFile implements Staged {

        private final Path file;
        private final FileChannel channel;
        private final OutputStream output;
        private boolean committed;

        StagedFile(Path file) throws IOException {
            this.file = file;
            this.channel = FileChannel.open(file, StandardOpenOption.WRITE);
            this.output = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        }

        @Override
        public OutputStream output() {
            return output;
        }

        @Override
        public void commit(String key) throws IOException {
            // On disk before it has a name: the caller's transaction commits a reference to it next, and after a
            // power cut a renamed file whose data never reached the disk would be there, empty or cut short.
            output.flush();
            channel.force(true);
            output.close();
            Path target = resolve(key);
            // The folders made for it (a run's checkpoints, a team's first model) must be on disk too: each one's
            // entry is in the folder above it, up to one that was there.
            Path existed = target.getParent();
            while (!Files.isDirectory(existed)) {
                existed = existed.getParent();
            }
            Files.createDirectories(target.getParent());
            try {
                // A rename: on Linux it replaces what is under the key (readers of the old file read it to its
                // end), which is the same content, the keys being content-addressed or fenced by the run's attempt.
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                // A file system whose rename does not replace: keep what is there, the same content.
                Files.deleteIfExists(file);
            }
            if (!Files.exists(target)) {
                throw new IOException("Artifact " + key + " was not stored");
            }
            // And the new name itself, which lives in the folder.
            for (Path folder = target.getParent(); ; folder = folder.getParent()) {
                forceFolder(folder);
                if (folder.equals(existed)) {
                    break;
                }
            }
            committed = true;
        }

        /**
         * Deletes the staged file unless committed, also when closing fails: a disk that filled up fails the flush
         * of what is still buffered, and the partial file (gigabytes, maybe) would keep it full until the sweep.
         */
        @Override
        public void close() throws IOException {
            try {
                output.close();
            } finally {
                channel.close();
                if (!committed) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
