package dev.canopy.api.error;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A streamed request body ({@link StreamedBody}) that fails with 413 as soon as more than its limit has been read,
 * so that an oversized upload is refused without being held, or stored, whole.
 */
public class BoundedBody extends FilterInputStream {

    private final long maxBytes;
    private final String what;
    private final String setting;
    private long count;

    /**
     * @param what the body, as the refusal names it ("Dataset uploads")
     * @param setting the configuration property that sets {@code maxBytes}, named in the refusal
     */
    public BoundedBody(InputStream in, long maxBytes, String what, String setting) {
        super(in);
        this.maxBytes = maxBytes;
        this.what = what;
        this.setting = setting;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            count += n;
            if (count > maxBytes) {
                throw tooLarge(maxBytes, what, setting);
            }
        }
        return n;
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    /** The refusal of a body over {@code maxBytes}, also for one whose Content-Length says so before it is read. */
    public static PayloadTooLarge tooLarge(long maxBytes, String what, String setting) {
        return new PayloadTooLarge(what + " are limited to " + maxBytes + " bytes (" + setting + ")");
    }
}
