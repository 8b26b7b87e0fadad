package dev.canopy.runner.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Dataset versions on the runner's disk, by content hash: a version is downloaded once and checked. The cache keeps
 * what it downloaded while the disk has room; before a download that would leave less than {@link #RESERVE_BYTES}
 * free it deletes the least recently used versions (a use touches the file) until there is room. A version that
 * cannot fit even then fails with {@link TooLarge}, a disk that cannot even keep the reserve with {@link NoRoom}.
 */
final class DatasetCache {

    interface Download {
        void to(Path file) throws IOException, InterruptedException;
    }

    /**
     * The runner's disk, not the run, is the trouble (not even {@link #RESERVE_BYTES} can be had): the run can go to
     * another runner at no cost.
     */
    static final class NoRoom extends IOException {
        NoRoom(String message) {
            super(message);
        }
    }

    /** This dataset does not fit on the runner's disk, whatever it deletes; smaller ones do. */
    static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    /**
     * The dataset came down twice with other content than its SHA-256 says: the control plane's stored copy is
     * damaged (one bad download, a proxy cutting it short, is tried again), and every runner would get the same.
     */
    static final class Corrupt extends IOException {
        Corrupt(String message) {
            super(message);
        }
    }

    /** How long a version stays undeletable after its last use. */
    static final Duration IN_USE = Duration.ofHours(1);

    private static final long MIB = 1 << 20;

    /** Free space a download must leave on the disk: the runner's checkpoints and logs, and everything else there. */
    static final long RESERVE_BYTES = 256L << 20;

    private static final Logger LOG = Logger.getLogger(DatasetCache.class.getName());

    /** Bytes a process may still write in a folder's file system. */
    @FunctionalInterface
    interface FreeSpace {
        long of(Path folder) throws IOException;
    }

    private final Path directory;
    private final FreeSpace freeSpace;

    DatasetCache(Path workDir) {
        this(workDir, folder -> Files.getFileStore(folder).getUsableSpace());
    }

    DatasetCache(Path workDir, FreeSpace freeSpace) {
        this.directory = workDir.resolve("datasets");
        this.freeSpace = freeSpace;
    }

    /**
     * The dataset version's file, downloaded first unless cached.
     *
     * @param sizeBytes its size, to make room for it; 0 when not known (nothing is deleted then)
     * @throws TooLarge when the disk cannot hold it beside {@link #RESERVE_BYTES} whatever it deletes (nothing is)
     * @throws NoRoom when the disk cannot even keep {@link #RESERVE_BYTES} free
     */
    Path get(String sha256, long sizeBytes, Download download) throws IOException, InterruptedException {
        Path file = directory.resolve(sha256 + ".csv");
        if (Files.exists(file)) {
            touch(file);
            return file;
        }
        Files.createDirectories(directory);
        makeRoom(sizeBytes);
        Path partial = Files.createTempFile(directory, sha256, ".part");
        try {
            for (int tries = 1; ; tries++) {
                download.to(partial);
                String actual = sha256Of(partial);
                if (actual.equals(sha256)) {
                    break;
                }
                if (tries == 2) {
                    throw new Corrupt("its content came down twice with SHA-256 " + actual + ", not the " + sha256
                            + " it was stored with");
                }
                // Emptied: a download writes over the file without cutting what is beyond its own end.
                Files.write(partial, new byte[0]);
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /**
     * Whether the cache's folder takes a small file (64 KiB) now: false on a full or read-only disk, which then, not
     * the control plane, failed a download.
     */
    boolean writable() {
        try {
            Files.createDirectories(directory);
            Path probe = Files.createTempFile(directory, "canopy-check", ".tmp");
            try {
                Files.write(probe, new byte[64 << 10]);
            } finally {
                Files.deleteIfExists(probe);
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Deletes least recently used versions until the download fits beside {@link #RESERVE_BYTES}; deletes nothing
     * when that cannot be done. A version used within {@link #IN_USE} stays: runners sharing a work directory (say,
     * one per GPU) may have just prepared a run on it, which reads it once training starts.
     */
    private void makeRoom(long sizeBytes) throws IOException {
        if (sizeBytes <= 0) {
            return;
        }
        long needed = sizeBytes + RESERVE_BYTES;
        long free = freeSpace.of(directory);
        if (free >= needed) {
            return;
        }
        List<Path> evictable = leastRecentlyUsedFirst();
        long reclaimable = evictable.stream().mapToLong(DatasetCache::sizeOf).sum();
        if (free + reclaimable < RESERVE_BYTES) {
            throw new NoRoom(directory + " has " + free / MIB + " MiB free, and " + reclaimable / MIB
                    + " MiB of cached datasets to delete, less than the " + RESERVE_BYTES / MIB
                    + " MiB that must stay free");
        }
        if (free + reclaimable < needed) {
            throw new TooLarge("the dataset (" + sizeBytes / MIB + " MiB) does not fit in " + directory + ": "
                    + (free + reclaimable) / MIB + " MiB could be freed there, and " + RESERVE_BYTES / MIB
                    + " MiB must stay free");
        }
        for (Path cached : evictable) {
            long size = sizeOf(cached);
            if (Files.deleteIfExists(cached)) {
                LOG.info(() -> "Deleted cached dataset " + cached.getFileName() + " (" + size / MIB
                        + " MiB, least recently used) to make room for a download");
            }
            free = freeSpace.of(directory);
            if (free >= needed) {
                return;
            }
        }
        throw new NoRoom(directory + " has " + free / MIB + " MiB free with its cached datasets deleted: something"
                + " else filled it meanwhile");
    }

    /**
     * Cached versions not used within {@link #IN_USE}, least recently used first; a partial download (another
     * runner's, under way) stays.
     */
    private List<Path> leastRecentlyUsedFirst() throws IOException {
        FileTime recent = FileTime.fromMillis(System.currentTimeMillis() - IN_USE.toMillis());
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".csv"))
                    .filter(f -> lastUsed(f).compareTo(recent) < 0)
                    .sorted(Comparator.comparing(DatasetCache::lastUsed))
                    .toList();
        }
    }

    private static FileTime lastUsed(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (NoSuchFileException e) {
            // Deleted this instant by another runner's eviction: the caller's open fails and says so.
        } catch (IOException e) {
            // Only its place in the eviction order is lost.
        }
    }

    private static String sha256Of(Path file) throws IOException {
        try (DigestInputStream in =
                new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
