package dev.canopy.api.dataset;

import dev.canopy.api.error.BoundedBody;
import dev.canopy.api.error.PayloadTooLarge;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The request body as the profiler reads it: every byte read is counted against the size limit, hashed with
 * SHA-256 and copied to the staged artifact, so a dataset version is received, checked and stored in one pass
 * with constant memory.
 */
final class UploadStream extends BoundedBody {

    private static final String WHAT = "Dataset uploads";
    private static final String SETTING = "canopy.datasets.max-upload-size";

    private final OutputStream copy;
    private final MessageDigest sha256;

    UploadStream(InputStream in, OutputStream copy, long maxBytes) {
        super(in, maxBytes, WHAT, SETTING);
        this.copy = copy;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            sha256.update(buffer, offset, n);
            copy.write(buffer, offset, n);
        }
        return n;
    }

    static PayloadTooLarge tooLarge(long maxBytes) {
        return BoundedBody.tooLarge(maxBytes, WHAT, SETTING);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipping would leave bytes out of the hash and the copy.
        return 0;
    }

    /** Reads what the consumer left unread, so that the hash and copy cover the whole body. */
    void drain() throws IOException {
        byte[] buffer = new byte[1 << 16];
        while (read(buffer, 0, buffer.length) >= 0) {
            // keep reading
        }
    }

    String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }
}
