package dev.canopy.runner.inference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.ZipInputStream;

/** Reading a zip entry into memory with a bound. */
final class ZipEntries {

    /** What entries are read in: a {@link ByteArrayOutputStream}, doubling, would hold three times an entry. */
    private static final int CHUNK = 1 << 20;

    /** The largest array a JVM allocates. */
    private static final long MAX_ENTRY = Integer.MAX_VALUE - 8;

    private ZipEntries() {}

    /**
     * The current entry, refused ({@link IllegalArgumentException} with {@code tooLarge}'s message) once it passes
     * {@code limit} bytes. Read in chunks put together once at the end, so that an entry takes twice its size at
     * most while read.
     */
    static byte[] readAtMost(ZipInputStream zip, long limit, Supplier<String> tooLarge) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        long total = 0;
        for (int n = CHUNK; n == CHUNK; ) {
            byte[] chunk = new byte[CHUNK];
            n = zip.readNBytes(chunk, 0, CHUNK);
            total += n;
            if (total > limit) {
                throw new IllegalArgumentException(tooLarge.get());
            }
            if (total > MAX_ENTRY) {
                throw new IllegalArgumentException(
                        "not a model artifact this platform can hold: an entry passes " + MAX_ENTRY + " bytes");
            }
            chunks.add(n == CHUNK ? chunk : Arrays.copyOf(chunk, n));
        }
        byte[] content = new byte[(int) total];
        int at = 0;
        for (byte[] chunk : chunks) {
            System.arraycopy(chunk, 0, content, at, chunk.length);
            at += chunk.length;
        }
        return content;
    }
}
