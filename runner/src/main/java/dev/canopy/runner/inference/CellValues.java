package dev.canopy.runner.inference;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How raw dataset values are read, with the same rules as the platform's dataset profiler: values are trimmed; empty
 * and {@code NA}, {@code N/A}, {@code NaN}, {@code nan}, {@code null}, {@code NULL}, {@code None} are missing;
 * numbers are plain decimals; booleans are true/false/yes/no in any case.
 */
public final class CellValues {

    private static final Set<String> MISSING_TOKENS = Set.of("NA", "N/A", "NaN", "nan", "null", "NULL", "None");

    /**
     * Decimal shape only: no hexadecimal, no Infinity/NaN, no {@code 1d} type suffixes. Possessive quantifiers: a
     * long run of digits followed by something else fails at once instead of backtracking through every split.
     */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?+(\\d++(\\.\\d*+)?+|\\.\\d++)([eE][+-]?+\\d++)?+");

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
        if (!DECIMAL.matcher(value).matches()) {
            return Double.NaN;
        }
        double number = Double.parseDouble(value);
        return Double.isInfinite(number) ? Double.NaN : number;
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
