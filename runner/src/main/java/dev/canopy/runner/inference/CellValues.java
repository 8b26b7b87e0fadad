package dev.canopy.runner.inference;

import java.util.Locale;
import java.util.Set;

/**
 * How raw dataset values are read, with the same rules as the platform's dataset profiler: values are trimmed; empty
 * and {@code NA}, {@code N/A}, {@code NaN}, {@code nan}, {@code null}, {@code NULL}, {@code None} are missing;
 * numbers are plain decimals; booleans are true/false/yes/no in any case.
 */
public final class CellValues {

    private static final Set<String> MISSING_TOKENS = Set.of("NA", "N/A", "NaN", "nan", "null", "NULL", "None");

    private CellValues() {}

    /** Whether a raw value (trimmed here) stands for no value; {@code null} is missing too. */
    public static boolean isMissing(String raw) {
        if (raw == null) {
            return true;
        }
        String value = raw.trim();
        return value.isEmpty() || MISSING_TOKENS.contains(value);
    }

    /** The number a raw (non-missing) value spells, or NaN when it is not a finite decimal number. */
    public static double parseNumber(String raw) {
        String value = raw.trim();
        if (!isDecimal(value)) {
            return Double.NaN;
        }
        double number = Double.parseDouble(value);
        return Double.isInfinite(number) ? Double.NaN : number;
    }

    /**
     * Whether {@code value} has a plain decimal's shape, {@code [+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?} with ASCII
     * digits: no hexadecimal, no Infinity/NaN, no {@code 1d} type suffixes. A scan rather than a regular expression:
     * every numeric cell of a training set and of a prediction goes through here, and a matcher per cell was a
     * quarter of what a training run allocated.
     */
    static boolean isDecimal(String value) {
        int n = value.length();
        int i = sign(value, 0);
        int integer = digits(value, i);
        i += integer;
        int fraction = 0;
        if (i < n && value.charAt(i) == '.') {
            fraction = digits(value, i + 1);
            i += 1 + fraction;
        }
        if (integer == 0 && fraction == 0) {
            return false;
        }
        if (i < n && (value.charAt(i) == 'e' || value.charAt(i) == 'E')) {
            i = sign(value, i + 1);
            int exponent = digits(value, i);
            if (exponent == 0) {
                return false;
            }
            i += exponent;
        }
        return i == n;
    }

    private static int sign(String value, int at) {
        return at < value.length() && (value.charAt(at) == '+' || value.charAt(at) == '-') ? at + 1 : at;
    }

    /** How many ASCII digits start at {@code at}. */
    private static int digits(String value, int at) {
        int end = at;
        while (end < value.length() && value.charAt(end) >= '0' && value.charAt(end) <= '9') {
            end++;
        }
        return end - at;
    }

    /** 1 for true/yes, 0 for false/no (any case), NaN for anything else. */
    public static double parseBoolean(String raw) {
        String value = raw.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "yes" -> 1;
            case "false", "no" -> 0;
            default -> Double.NaN;
        };
    }
}
