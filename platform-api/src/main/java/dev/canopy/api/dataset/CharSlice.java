package dev.canopy.api.dataset;

import java.util.Arrays;

/**
 * A reusable view of a range of a char array, so that values can be inspected and looked up without creating a
 * {@link String} for every field. The view is only valid until the array is reused; {@link #toString()} copies.
 */
final class CharSlice implements CharSequence {

    private char[] chars = new char[0];
    private int start;
    private int length;

    /** Points this slice at {@code chars[start, start + length)} and returns it. */
    CharSlice set(char[] chars, int start, int length) {
        this.chars = chars;
        this.start = start;
        this.length = length;
        return this;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        return chars[start + index];
    }

    @Override
    public CharSequence subSequence(int from, int to) {
        return new String(chars, start + from, to - from);
    }

    /**
     * A hash of the chars under a secret key ({@code seed}, and {@code multiplier}, which must be odd). With {@link
     * String#hashCode()}'s fixed 31 anyone can write any number of values with one hash ("Aa" and "BB", and each
     * string made of such pairs): a CSV of them made every lookup in a column's distinct-value table walk all the
     * values kept, an hour of a core per GB uploaded.
     */
    int contentHash(long seed, long multiplier) {
        long hash = seed;
        for (int i = start, end = start + length; i < end; i++) {
            hash = (hash ^ chars[i]) * multiplier;
        }
        return (int) (hash ^ (hash >>> 32));
    }

    /** Whether {@code other} holds exactly the chars of this slice. */
    boolean contentEquals(char[] other) {
        return Arrays.equals(chars, start, start + length, other, 0, other.length);
    }

    /** A copy of the chars of this slice. */
    char[] toCharArray() {
        return Arrays.copyOfRange(chars, start, start + length);
    }

    @Override
    public String toString() {
        return new String(chars, start, length);
    }
}
