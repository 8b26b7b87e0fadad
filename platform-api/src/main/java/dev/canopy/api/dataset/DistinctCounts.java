package dev.canopy.api.dataset;

import dev.canopy.api.dataset.ColumnProfile.CategoryCount;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * Counts occurrences of up to {@code cap} distinct values, within the memory {@link DistinctMemory} gives it; once that
 * many are known new values are ignored, and a new value that does not fit in memory is ignored too (a shorter one
 * may still fit). Either way the counter reports that it is capped: its count is a lower bound. (A value's cost is
 * its chars plus the array around them; the table's slots count too.)
 *
 * <p>An open-addressing table keyed by the chars themselves rather than a {@code HashMap<String, ...>}: counting a
 * value that is already known, or ignoring one past the cap, then allocates nothing, which matters at one lookup
 * per field of multi-GB files.
 */
final class DistinctCounts {

    private static final int INITIAL_CAPACITY = 16;

    /** A slot's share of the table: a reference, a hash and a count. */
    private static final int SLOT_BYTES = 8 + 4 + 8;

    /** A kept value's array beyond its chars: header, length and padding. */
    private static final int KEY_OVERHEAD_BYTES = 24;

    private final int cap;
    private final DistinctMemory memory;
    /** The hash's key, drawn per table so that nobody can write values that collide (see {@link CharSlice}). */
    private final long seed = ThreadLocalRandom.current().nextLong();

    private final long multiplier = ThreadLocalRandom.current().nextLong() | 1;

    private long bytes;
    private char[][] keys = new char[INITIAL_CAPACITY][];
    private int[] hashes = new int[INITIAL_CAPACITY];
    private long[] counts = new long[INITIAL_CAPACITY];
    private int size;
    private boolean capped;

    DistinctCounts(int cap, DistinctMemory memory) {
        this.cap = cap;
        this.memory = memory;
    }

    /** Counts one occurrence of {@code value}. */
    void add(CharSlice value) {
        int hash = value.contentHash(seed, multiplier);
        int mask = keys.length - 1;
        int slot = spread(hash) & mask;
        while (keys[slot] != null) {
            if (hashes[slot] == hash && value.contentEquals(keys[slot])) {
                counts[slot]++;
                return;
            }
            slot = (slot + 1) & mask;
        }
        long cost = KEY_OVERHEAD_BYTES + 2L * value.length();
        // Keeping the table at most half full keeps probe sequences short: one more value may need a table twice
        // as large, which must fit too.
        long growth = 2 * (size + 1) > keys.length ? (long) keys.length * SLOT_BYTES : 0;
        // The first value also pays for the table it starts.
        long table = size == 0 ? (long) INITIAL_CAPACITY * SLOT_BYTES : 0;
        if (size == cap || !memory.take(bytes, table + cost + growth)) {
            capped = true;
            return;
        }
        bytes += table;
        keys[slot] = value.toCharArray();
        hashes[slot] = hash;
        counts[slot] = 1;
        size++;
        bytes += cost + growth;
        if (growth > 0) {
            grow();
        }
    }

    /** The number of distinct values counted, at most the cap. */
    int size() {
        return size;
    }

    /** Whether a value was ignored because the cap had been reached. */
    boolean capped() {
        return capped;
    }

    /**
     * The {@code limit} most frequent values, most frequent first and ties by value ascending; a value longer than
     * {@link ColumnProfile#MAX_SHOWN_CHARS} is cut to them and ends with "…".
     */
    List<CategoryCount> top(int limit) {
        Comparator<Integer> order = Comparator.<Integer>comparingLong(slot -> -counts[slot])
                .thenComparing(slot -> keys[slot], Arrays::compare);
        return slots().boxed()
                .sorted(order)
                .limit(limit)
                .map(slot -> new CategoryCount(shown(keys[slot]), counts[slot]))
                .toList();
    }

    /**
     * The value as a profile shows it: a profile is stored with its version and read with every look at it, and a
     * value may be a megabyte long.
     */
    private static String shown(char[] value) {
        if (value.length <= ColumnProfile.MAX_SHOWN_CHARS) {
            return new String(value);
        }
        int end = ColumnProfile.MAX_SHOWN_CHARS;
        if (Character.isHighSurrogate(value[end - 1])) {
            // Not half a character.
            end--;
        }
        return new String(value, 0, end) + "…";
    }

    private IntStream slots() {
        return IntStream.range(0, keys.length).filter(slot -> keys[slot] != null);
    }

    private void grow() {
        char[][] oldKeys = keys;
        int[] oldHashes = hashes;
        long[] oldCounts = counts;
        keys = new char[2 * oldKeys.length][];
        hashes = new int[keys.length];
        counts = new long[keys.length];
        int mask = keys.length - 1;
        for (int old = 0; old < oldKeys.length; old++) {
            if (oldKeys[old] != null) {
                int slot = spread(oldHashes[old]) & mask;
                while (keys[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = oldKeys[old];
                hashes[slot] = oldHashes[old];
                counts[slot] = oldCounts[old];
            }
        }
    }

    /** Mixes the high bits in, since the table index only uses the low ones. */
    private static int spread(int hash) {
        int mixed = hash * 0x9E3779B9;
        return mixed ^ (mixed >>> 16);
    }
}
