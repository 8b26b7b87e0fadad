package dev.canopy.api.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ValueShapesTest {

    @Test
    void parsesDecimalNumbersExactlyAsDoubleParseDoubleDoes() {
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            String number = randomDecimal(random);
            assertEquals(
                    Double.doubleToRawLongBits(Double.parseDouble(number)),
                    Double.doubleToRawLongBits(ValueShapes.parseNumber(number)),
                    number);
        }
    }

    @Test
    void acceptsEveryDecimalShape() {
        for (String number :
                List.of("0", "-0", "+7", "1.", ".5", "-.5", "3.25", "1e3", "1E-3", "2.5e+10", "007", "1e300")) {
            double expected = Double.parseDouble(number);
            assertEquals(expected, ValueShapes.parseNumber(number), number);
        }
    }

    @Test
    void rejectsWhatIsNotAPlainDecimalNumber() {
        for (String text : List.of(
                "",
                "+",
                "-",
                ".",
                "e5",
                ".e5",
                "1e",
                "1e+",
                "1.2.3",
                "0x1p3",
                "1d",
                "1f",
                "1L",
                "Infinity",
                "-Infinity",
                "NaN",
                " 1",
                "1 ",
                "1,5",
                "--1",
                "1e999",
                "-1e999",
                "١")) {
            assertTrue(Double.isNaN(ValueShapes.parseNumber(text)), text);
        }
    }

    @Test
    void recognisesIsoDatesAndDateTimes() {
        for (String datetime : List.of(
                "2024-02-29",
                "2000-02-29",
                "2024-01-01T00:00",
                "2024-01-01 23:59",
                "2024-01-01T23:59:59",
                "2024-01-01T23:59:59.5",
                "2024-01-01T23:59:59.123456789",
                "2024-01-01T10:00Z",
                "2024-01-01T10:00:00+01:00",
                "2024-01-01 10:00:00.25-18:00")) {
            assertTrue(ValueShapes.isDatetime(datetime), datetime);
        }
    }

    @Test
    void rejectsMalformedOrImpossibleDates() {
        for (String text : List.of(
                "2023-02-29",
                "1900-02-29",
                "2024-04-31",
                "2024-13-01",
                "2024-00-10",
                "2024-01-00",
                "2024-1-01",
                "24-01-01",
                "2024/01/01",
                "2024-01-01T",
                "2024-01-01T24:00",
                "2024-01-01T10:60",
                "2024-01-01T10:00:60",
                "2024-01-01T10",
                "2024-01-01T10:00:00.",
                "2024-01-01T10:00:00.1234567890",
                "2024-01-01T10:00.5",
                "2024-01-01t10:00",
                "2024-01-01T10:00z",
                "2024-01-01T10:00+0100",
                "2024-01-01T10:00+19:00",
                "2024-01-01T10:00Z ",
                "2024-01-01x")) {
            assertFalse(ValueShapes.isDatetime(text), text);
        }
    }

    @Test
    void recognisesBooleansInAnyCaseButNotZeroOrOne() {
        for (String bool : List.of("true", "FALSE", "Yes", "nO", "tRuE")) {
            assertTrue(ValueShapes.isBoolean(bool), bool);
        }
        for (String text : List.of("0", "1", "y", "n", "t", "f", "truth", "yeſ", "on", "off")) {
            assertFalse(ValueShapes.isBoolean(text), text);
        }
    }

    @Test
    void recognisesMissingTokensCaseSensitively() {
        for (String missing : List.of("", "NA", "N/A", "NaN", "nan", "null", "NULL", "None")) {
            assertTrue(ValueShapes.isMissing(missing), missing);
        }
        for (String text : List.of("na", "n/a", "NAN", "Null", "none", "NONE", "-", "?", "NA.")) {
            assertFalse(ValueShapes.isMissing(text), text);
        }
    }

    /** Numbers on both sides of the fast path: few and many digits, small and large exponents. */
    private static String randomDecimal(Random random) {
        StringBuilder number = new StringBuilder();
        if (random.nextInt(3) == 0) {
            number.append(random.nextBoolean() ? '-' : '+');
        }
        int integerDigits = random.nextInt(12);
        appendDigits(number, random, integerDigits);
        if (integerDigits == 0 || random.nextBoolean()) {
            number.append('.');
            appendDigits(number, random, 1 + random.nextInt(12));
        }
        if (random.nextInt(4) == 0) {
            number.append(random.nextBoolean() ? 'e' : 'E').append(random.nextInt(60) - 30);
        }
        return number.toString();
    }

    private static void appendDigits(StringBuilder number, Random random, int count) {
        for (int i = 0; i < count; i++) {
            number.append((char) ('0' + random.nextInt(10)));
        }
    }
}
