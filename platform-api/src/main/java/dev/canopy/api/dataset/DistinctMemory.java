package dev.canopy.api.dataset;

/**
 * The memory a profile's distinct values may take, {@code total} bytes for all columns: half of it is split equally,
 * each column's own whatever the others hold, and the other half is a pool any column draws on, first come, once its
 * own share is used, so columns of few values leave room for the others. About 60 columns of 10,000 distinct
 * 8-character values fit in full (about 1.06 MB each, table included); in a wider file each column keeps at least its
 * share, and the pool goes to the columns that need it first.
 * Profiling reads one field at a time, so nothing here is synchronised.
 */
final class DistinctMemory {

    private final long share;
    private long pool;

    DistinctMemory(long total, int columns) {
        this.share = total / 2 / Math.max(1, columns);
        this.pool = total - share * columns;
    }

    /**
     * Takes {@code cost} more bytes for a column that holds {@code held}: from its share while that lasts, then from the
     * pool. Returns false, taking nothing, when they do not fit.
     */
    boolean take(long held, long cost) {
        long fromPool = Math.max(0, held + cost - Math.max(held, share));
        if (fromPool > pool) {
            return false;
        }
        pool -= fromPool;
        return true;
    }
}
