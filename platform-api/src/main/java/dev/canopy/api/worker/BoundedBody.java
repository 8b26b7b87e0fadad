package dev.canopy.api.worker;

import dev.canopy.api.error.PayloadTooLarge;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A streamed request body that fails with 413 as soon as more than its limit has been read. */
final class BoundedBody extends FilterInputStream {

    private final long maxBytes;
    private final String what;
    private long count;

    /** @param what the body, as the refusal names it ("checkpoints") */
    BoundedBody(InputStream in, long maxBytes, String what) {
        super(in);
        this.maxBytes = maxBytes;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    private void counted(int n) {
        count += n;
        if (count > maxBytes) {
            throw new PayloadTooLarge(
                    what + " are limited to " + maxBytes + " bytes (canopy.runners.max-artifact-size)");
        }
    }
}
