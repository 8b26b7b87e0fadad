package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's dataset cache on a disk of a given size: least recently used versions make room for a new one. */
class DatasetCacheTest {

    private static final long MIB = 1 << 20;

    /** A disk of {@code capacity} bytes holding nothing but the cache's files. */
    private static DatasetCache.FreeSpace disk(long capacity) {
        return folder -> {
            try (Stream<Path> files = Files.list(folder)) {
                return capacity - files.mapToLong(DatasetCacheTest::size).sum();
            }
        };
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    /** Caches {@code content} (as a download of it would), last used {@code minutesAgo}. */
    private static Path cache(DatasetCache cache, byte[] content, int minutesAgo) throws Exception {
        Path file = cache.get(sha256(content), content.length, target -> Files.write(target, content));
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - minutesAgo * 60_000L));
        return file;
    }

    private static byte[] content(String name, long bytes) {
        byte[] content = new byte[(int) bytes];
        byte[] label = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(label, 0, content, 0, label.length);
        return content;
    }

    /** One bad download (a proxy cutting it short) is tried again; two mean the stored copy is damaged. */
    @Test
    void aDownloadWithOtherContentIsTriedOnceMoreThenCalledCorrupt(@TempDir Path work) throws Exception {
        DatasetCache cache = new DatasetCache(work, disk(DatasetCache.RESERVE_BYTES + 10 * MIB));
        byte[] content = content("good", 1024);
        int[] downloads = {0};
        Path file = cache.get(sha256(content), content.length, target -> {
            downloads[0]++;
            Files.write(target, downloads[0] == 1 ? content("cut", 10) : content);
        });
        assertThat(downloads[0]).isEqualTo(2);
        assertThat(Files.readAllBytes(file)).isEqualTo(content);

        byte[] damaged = content("damaged", 1024);
        assertThatThrownBy(() -> cache.get(sha256(damaged), damaged.length, target -> Files.write(target, content)))
                .isInstanceOf(DatasetCache.Corrupt.class)
                .hasMessageStartingWith("its content came down twice with SHA-256 " + sha256(content));
        try (Stream<Path> left = Files.list(file.getParent())) {
            assertThat(left).noneMatch(f -> f.getFileName().toString().endsWith(".part"));
        }
    }

    @Test
    void deletesTheLeastRecentlyUsedVersionsUntilTheNewOneFitsBesideTheReserve(@TempDir Path work) throws Exception {
        DatasetCache cache = new DatasetCache(work, disk(DatasetCache.RESERVE_BYTES + 10 * MIB));
        Path oldest = cache(cache, content("a", 4 * MIB), 300);
        Path recent = cache(cache, content("b", 4 * MIB), 100);
        Path older = cache(cache, content("c", 1 * MIB), 200);
        // Used again now: the most recent of all.
        byte[] olderContent = Files.readAllBytes(older);
        assertThat(cache.get(sha256(olderContent), olderContent.length, target -> {
                    throw new AssertionError("cached: not downloaded again");
                }))
                .isEqualTo(older);

        Path added = cache(cache, content("d", 4 * MIB), 0);

        assertThat(added).exists();
        assertThat(oldest).doesNotExist();
        assertThat(recent).exists();
        assertThat(older).exists();
    }

    @Test
    void aVersionTheDiskCannotHoldEvenEmptiedIsTooLargeAndDeletesNothing(@TempDir Path work) throws Exception {
        DatasetCache cache = new DatasetCache(work, disk(DatasetCache.RESERVE_BYTES + 10 * MIB));
        Path cached = cache(cache, content("a", 4 * MIB), 120);
        byte[] tooBig = content("big", 11 * MIB);

        assertThatThrownBy(() -> cache.get(sha256(tooBig), tooBig.length, target -> Files.write(target, tooBig)))
                .isInstanceOf(DatasetCache.TooLarge.class)
                .hasMessageContaining("the dataset (11 MiB) does not fit");
        // Nothing deleted for a download that could not fit anyway.
        assertThat(cached).exists();
    }

    @Test
    void aVersionUsedWithinTheHourIsNotDeleted(@TempDir Path work) throws Exception {
        DatasetCache cache = new DatasetCache(work, disk(DatasetCache.RESERVE_BYTES + 10 * MIB));
        // Prepared a minute ago by another runner sharing the work directory: its run has yet to read it.
        Path recent = cache(cache, content("a", 4 * MIB), 1);
        Path old = cache(cache, content("b", 4 * MIB), 90);
        byte[] next = content("c", 4 * MIB);

        cache.get(sha256(next), next.length, target -> Files.write(target, next));
        assertThat(recent).exists();
        assertThat(old).doesNotExist();

        byte[] another = content("d", 4 * MIB);
        assertThatThrownBy(() -> cache.get(sha256(another), another.length, target -> Files.write(target, another)))
                .isInstanceOf(DatasetCache.TooLarge.class);
    }

    @Test
    void aDiskThatCannotKeepTheReserveEvenEmptiedIsNoRoom(@TempDir Path work) throws Exception {
        DatasetCache cache = new DatasetCache(work, folder -> DatasetCache.RESERVE_BYTES - 1);
        byte[] small = content("s", 1024);

        assertThatThrownBy(() -> cache.get(sha256(small), small.length, target -> Files.write(target, small)))
                .isInstanceOf(DatasetCache.NoRoom.class)
                .hasMessageContaining("must stay free");
    }

    @Test
    void aCacheFolderThatCannotBeWrittenIsSeenAsSuch(@TempDir Path work) throws Exception {
        assertThat(new DatasetCache(work.resolve("fine")).writable()).isTrue();
        Path broken = Files.createDirectories(work.resolve("broken"));
        // A file where the folder belongs: as a read-only or full disk, nothing can be written there.
        Files.writeString(broken.resolve("datasets"), "");

        assertThat(new DatasetCache(broken).writable()).isFalse();
    }
}
