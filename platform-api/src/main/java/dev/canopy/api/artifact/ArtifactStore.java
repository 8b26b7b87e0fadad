package dev.canopy.api.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Where immutable content (dataset versions, later checkpoints and models) lives, addressed by key. The default
 * is a directory under {@code $CANOPY_HOME/artifacts}; an object store can implement the same contract.
 *
 * <p>Writing is two-phase so that nothing half-written is ever visible: content is streamed into a
 * {@link Staged} area first and becomes readable under its key only on {@link Staged#commit(String)}.
 */
public interface ArtifactStore {

    /** Starts a staged write. Close it without committing to discard what was written. */
    Staged stage() throws IOException;

    /** Opens committed content for reading; fails with {@link java.nio.file.NoSuchFileException} if absent. */
    InputStream open(String key) throws IOException;

    /** Size in bytes of committed content. */
    long size(String key) throws IOException;

    boolean exists(String key);

    /** Removes committed content; nothing happens if there is none. */
    void delete(String key) throws IOException;

    /** Removes every artifact whose key starts with {@code folder + "/"}, and the folder; nothing if there is none. */
    void deleteAll(String folder) throws IOException;

    /**
     * Deletes staged content nobody has written to for {@code idle}: uploads of a process that was killed while it
     * received them (a live upload writes as it goes). Returns how many were deleted.
     */
    int deleteAbandonedStaging(Duration idle) throws IOException;

    /** Content being written, not yet visible under any key. */
    interface Staged extends AutoCloseable {

        OutputStream output();

        /**
         * Makes the content readable under {@code key}, atomically. If the key exists already (content-addressed
         * keys make that the normal case for a repeated upload) the content under it stays the same: replaced by
         * the same bytes, or kept.
         */
        void commit(String key) throws IOException;

        /** Discards the staged content unless it was committed. */
        @Override
        void close() throws IOException;
    }
}
