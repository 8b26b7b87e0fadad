package dev.canopy.api.dataset;

import java.time.Month;
import java.time.Year;

/**
 * Recognises the shapes of trimmed CSV values: missing tokens, decimal numbers, booleans and ISO-8601 dates and
 * date-times. Every check looks at the chars directly, because it runs once per field of files of several GB.
 */
final class ValueShapes {

    /** Every power of ten that a double holds exactly. */
    private static final double[] EXACT_POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22
    };

    /** Integers of up to this many decimal digits are below 2^53, so a double holds them exactly. */
    private static final int EXACT_DIGITS = 15;

    /** Exponents are read up to about this size; beyond it every value is 0 or infinite anyway. */
    private static final int EXPONENT_CEILING = 100_000;

    private static final String[] MISSING_TOKENS = {"NA", "N/A", "NaN", "nan", "null", "NULL", "None"};

    private ValueShapes() {}

    /** Whether a trimmed value stands for no value: empty, or one of the common missing tokens (case matters). */
    static boolean isMissing(CharSequence value) {
        int length = value.length();
        if (length == 0) {
            return true;
        }
        if (length > 4) {
            return false;
        }
        for (String token : MISSING_TOKENS) {
            if (token.contentEquals(value)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a trimmed value is {@code true}, {@code false}, {@code yes} or {@code no}, in any case. */
    static boolean isBoolean(CharSequence value) {
        switch (value.length()) {
            case 2:
                return equalsIgnoringAsciiCase(value, "no");
            case 3:
                return equalsIgnoringAsciiCase(value, "yes");
            case 4:
                return equalsIgnoringAsciiCase(value, "true");
            case 5:
                return equalsIgnoringAsciiCase(value, "false");
            default:
                return false;
        }
    }

    /** Whether {@code value} spells the lower-case ASCII letters of {@code word}, each in either case. */
    private static boolean equalsIgnoringAsciiCase(CharSequence value, String word) {
        for (int i = 0; i < word.length(); i++) {
            // Setting bit 0x20 turns an ASCII capital into its small letter and maps nothing else onto a letter.
            if ((value.charAt(i) | 0x20) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a trimmed value of the shape {@code [+-]digits[.digits][(e|E)[+-]digits]}, where either the integer or
     * the fraction digits may be missing but not both (so {@code 1.} and {@code .5} are numbers).
     *
     * <p>Unlike {@link Double#parseDouble}, hexadecimal, {@code Infinity}, {@code NaN}, type suffixes such as
     * {@code 1d} and surrounding spaces are rejected.
     *
     * @return the value, correctly rounded; NaN when the value has another shape or is too large for a double
     */
    static double parseNumber(CharSequence value) {
        int length = value.length();
        int integerStart = length > 0 && (value.charAt(0) == '-' || value.charAt(0) == '+') ? 1 : 0;
        int integerEnd = digitsEnd(value, integerStart);
        boolean hasPoint = integerEnd < length && value.charAt(integerEnd) == '.';
        int fractionEnd = hasPoint ? digitsEnd(value, integerEnd + 1) : integerEnd;
        int fractionDigits = hasPoint ? fractionEnd - integerEnd - 1 : 0;
        int digits = integerEnd - integerStart + fractionDigits;
        if (digits == 0) {
            return Double.NaN;
        }
        // OR-ing 0x20 lower-cases an ASCII letter, so this matches both e and E.
        boolean hasExponent = fractionEnd < length && (value.charAt(fractionEnd) | 0x20) == 'e';
        int exponentStart = fractionEnd + 1;
        if ((hasExponent ? exponentEnd(value, exponentStart) : fractionEnd) != length) {
            return Double.NaN;
        }
        int scale = (hasExponent ? exponent(value, exponentStart) : 0) - fractionDigits;
        if (digits <= EXACT_DIGITS && Math.abs(scale) < EXACT_POWERS_OF_TEN.length) {
            double magnitude = exactlyScaled(value, integerStart, fractionEnd, scale);
            return value.charAt(0) == '-' ? -magnitude : magnitude;
        }
        double parsed = Double.parseDouble(value.toString());
        return Double.isInfinite(parsed) ? Double.NaN : parsed;
    }

    /**
     * The digits from {@code start} to {@code end} (a decimal point among them is skipped) times ten to the power
     * {@code scale}. The digits form an integer below 2^53 and the power of ten is exact, so the single rounding of
     * the one multiplication or division gives the correctly rounded result.
     */
    private static double exactlyScaled(CharSequence value, int start, int end, int scale) {
        long mantissa = 0;
        for (int i = start; i < end; i++) {
            char c = value.charAt(i);
            if (c != '.') {
                mantissa = 10 * mantissa + (c - '0');
            }
        }
        return scale < 0 ? mantissa / EXACT_POWERS_OF_TEN[-scale] : mantissa * EXACT_POWERS_OF_TEN[scale];
    }

    /** The first index from {@code from} on that does not hold a digit. */
    private static int digitsEnd(CharSequence value, int from) {
        int i = from;
        while (i < value.length() && isDigit(value.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The index after an exponent's {@code [+-]digits} starting at {@code from}, or -1 when it has no digits. */
    private static int exponentEnd(CharSequence value, int from) {
        int digitsStart =
                from < value.length() && (value.charAt(from) == '-' || value.charAt(from) == '+') ? from + 1 : from;
        int end = digitsEnd(value, digitsStart);
        return end == digitsStart ? -1 : end;
    }

    /** The exponent {@code [+-]digits} from {@code from} to the end; it stops growing past {@link #EXPONENT_CEILING}. */
    private static int exponent(CharSequence value, int from) {
        boolean negative = value.charAt(from) == '-';
        int i = negative || value.charAt(from) == '+' ? from + 1 : from;
        int exponent = 0;
        for (; i < value.length() && exponent < EXPONENT_CEILING; i++) {
            exponent = 10 * exponent + (value.charAt(i) - '0');
        }
        return negative ? -exponent : exponent;
    }

    /**
     * Whether a trimmed value is an ISO-8601 date {@code yyyy-MM-dd}, or a date-time
     * {@code yyyy-MM-dd'T'HH:mm[:ss[.fraction]]} with {@code T} or a space between date and time, optionally followed
     * by {@code Z} or an offset {@code +hh:mm} / {@code -hh:mm}. Fields are range-checked, leap years included.
     */
    static boolean isDatetime(CharSequence value) {
        int length = value.length();
        if (length < 10 || !isDate(value)) {
            return false;
        }
        if (length == 10) {
            return true;
        }
        char separator = value.charAt(10);
        if (separator != 'T' && separator != ' ') {
            return false;
        }
        int zoneStart = timeEnd(value, 11);
        return zoneStart > 0 && isZone(value, zoneStart);
    }

    private static boolean isDate(CharSequence value) {
        if (value.charAt(4) != '-' || value.charAt(7) != '-') {
            return false;
        }
        int century = twoDigits(value, 0);
        int yearInCentury = twoDigits(value, 2);
        int month = twoDigits(value, 5);
        int day = twoDigits(value, 8);
        if (century < 0 || yearInCentury < 0 || month < 1 || month > 12 || day < 1) {
            return false;
        }
        return day <= Month.of(month).length(Year.isLeap(100L * century + yearInCentury));
    }

    /** The index after {@code HH:mm[:ss[.fraction]]} starting at {@code from}, or -1 when there is none. */
    private static int timeEnd(CharSequence value, int from) {
        if (value.length() < from + 5 || value.charAt(from + 2) != ':') {
            return -1;
        }
        int hour = twoDigits(value, from);
        int minute = twoDigits(value, from + 3);
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
            return -1;
        }
        int i = from + 5;
        if (i == value.length() || value.charAt(i) != ':') {
            return i;
        }
        int second = value.length() >= i + 3 ? twoDigits(value, i + 1) : -1;
        if (second < 0 || second > 59) {
            return -1;
        }
        i += 3;
        if (i == value.length() || value.charAt(i) != '.') {
            return i;
        }
        int fractionStart = ++i;
        while (i < value.length() && isDigit(value.charAt(i))) {
            i++;
        }
        int fractionDigits = i - fractionStart;
        return fractionDigits >= 1 && fractionDigits <= 9 ? i : -1;
    }

    private static boolean isZone(CharSequence value, int from) {
        int length = value.length();
        if (from == length) {
            return true;
        }
        char c = value.charAt(from);
        if (c == 'Z') {
            return from + 1 == length;
        }
        if ((c != '+' && c != '-') || length != from + 6 || value.charAt(from + 3) != ':') {
            return false;
        }
        int hours = twoDigits(value, from + 1);
        int minutes = twoDigits(value, from + 4);
        return hours >= 0 && hours <= 18 && minutes >= 0 && minutes <= 59;
    }

    /** The two-digit number at {@code from}, or -1 when either char is not a digit. */
    private static int twoDigits(CharSequence value, int from) {
        char tens = value.charAt(from);
        char units = value.charAt(from + 1);
        return isDigit(tens) && isDigit(units) ? 10 * (tens - '0') + (units - '0') : -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
