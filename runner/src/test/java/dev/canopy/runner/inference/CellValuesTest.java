package dev.canopy.runner.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CellValuesTest {

    @Test
    void treatsEmptyAndTheProfilersMissingTokensAsMissing() {
        for (String missing : new String[] {"", "  ", "NA", "N/A", "NaN", "nan", "null", "NULL", " None ", null}) {
            assertThat(CellValues.isMissing(missing)).as("'%s'", missing).isTrue();
        }
        for (String present : new String[] {"na", "none", "0", "-", "."}) {
            assertThat(CellValues.isMissing(present)).as("'%s'", present).isFalse();
        }
    }

    @Test
    void readsOnlyPlainDecimalNumbers() {
        assertThat(CellValues.parseNumber(" 39.1 ")).isEqualTo(39.1);
        assertThat(CellValues.parseNumber("-1e3")).isEqualTo(-1000.0);
        assertThat(CellValues.parseNumber(".5")).isEqualTo(0.5);
        assertThat(CellValues.parseNumber("1.")).isEqualTo(1.0);
        for (String notANumber : new String[] {"abc", "0x10", "Infinity", "1d", "1e999", "1,5", "+"}) {
            assertThat(CellValues.parseNumber(notANumber)).as(notANumber).isNaN();
        }
    }

    @Test
    void refusesALongRunOfDigitsWithoutBacktrackingThroughIt() {
        // With a backtracking pattern this took minutes (quadratic in the length); a client sends such a value.
        String digits = "1".repeat(200_000);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(CellValues.parseNumber(digits + "x")).isNaN();
            assertThat(CellValues.parseNumber(digits + "e")).isNaN();
            assertThat(CellValues.parseNumber(digits.substring(0, 300) + ".5"))
                    .isEqualTo(Double.parseDouble(digits.substring(0, 300) + ".5"));
        });
    }

    /** The shape {@link CellValues#isDecimal} scans for, as a regular expression: the oracle for the scan. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    @Test
    void theScanAcceptsExactlyWhatTheDecimalPatternDoes() {
        String alphabet = "0123456789+-.eE x\u0663";
        SplittableRandom random = new SplittableRandom(5);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder candidate = new StringBuilder();
            int length = random.nextInt(9);
            for (int c = 0; c < length; c++) {
                // Digits twice as likely as the rest, so that many candidates are numbers.
                candidate.append(
                        random.nextBoolean()
                                ? (char) ('0' + random.nextInt(10))
                                : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String value = candidate.toString();
            boolean expected = DECIMAL.matcher(value).matches();
            assertThat(CellValues.isDecimal(value)).as("'%s'", value).isEqualTo(expected);
            accepted += expected ? 1 : 0;
        }
        assertThat(accepted).isBetween(20_000, 180_000);
    }

    @Test
    void readsTrueFalseYesNoInAnyCase() {
        assertThat(CellValues.parseBoolean("TRUE")).isEqualTo(1.0);
        assertThat(CellValues.parseBoolean("Yes")).isEqualTo(1.0);
        assertThat(CellValues.parseBoolean("false")).isEqualTo(0.0);
        assertThat(CellValues.parseBoolean("no")).isEqualTo(0.0);
        assertThat(CellValues.parseBoolean("1")).isNaN();
    }
}
