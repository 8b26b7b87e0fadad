package dev.canopy.api.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a byte stream as strict UTF-8, one chunk of at most {@value #CHUNK_SIZE} chars at a time.
 *
 * <p>This replaces an {@link java.io.InputStreamReader} because a reader throws on a malformed byte without
 * handing over the chars decoded before it, so the caller could not tell on which line the bad byte is. Here the
 * chars before a malformed byte always come out first, and only the call after them reports {@link #MALFORMED}.
 */
final class Utf8ChunkReader {

    static final int CHUNK_SIZE = 64 * 1024;

    /** Returned by {@link #read()} once the input has ended. */
    static final int END_OF_INPUT = -1;

    /** Returned by {@link #read()} when the next bytes are not valid UTF-8, and by every later call. */
    static final int MALFORMED = -2;

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(CHUNK_SIZE).flip();
    private final CharBuffer chars = CharBuffer.allocate(CHUNK_SIZE);
    private boolean inputEnded;
    private boolean malformed;

    Utf8ChunkReader(InputStream in) {
        this.in = in;
    }

    /** The chunk that the last successful {@link #read()} filled; it is overwritten by the next call. */
    char[] chunk() {
        return chars.array();
    }

    /**
     * Decodes the next chunk into {@link #chunk()}.
     *
     * @return the number of chars decoded (at least 1), {@link #END_OF_INPUT} or {@link #MALFORMED}
     */
    int read() throws IOException {
        while (!malformed) {
            chars.clear();
            // The UTF-8 decoder keeps no state between calls that flush() would have to emit, so none is needed.
            CoderResult result = decoder.decode(bytes, chars, inputEnded);
            malformed = result.isError();
            if (chars.position() > 0) {
                return chars.position();
            }
            if (result.isUnderflow()) {
                if (inputEnded) {
                    return END_OF_INPUT;
                }
                readBytes();
            }
        }
        return MALFORMED;
    }

    private void readBytes() throws IOException {
        bytes.compact();
        int count = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (count < 0) {
            inputEnded = true;
        } else {
            bytes.position(bytes.position() + count);
        }
        bytes.flip();
    }
}
