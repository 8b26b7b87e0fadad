package dev.canopy.runner.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.runner.inference.ModelSpec.Feature;
import dev.canopy.runner.inference.ModelSpec.Kind;
import dev.canopy.runner.inference.ModelSpec.Task;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureEncoderTest {

    private static final ModelSpec SPEC = new ModelSpec(
            "tabular-classification",
            Task.CLASSIFICATION,
            "label",
            List.of(
                    new Feature("length", Kind.NUMERIC, 10, 2, true, List.of()),
                    new Feature("depth", Kind.NUMERIC, 5, 4, false, List.of()),
                    new Feature("member", Kind.BOOLEAN, 0.5, 0.5, false, List.of()),
                    new Feature("size", Kind.CATEGORICAL, 0, 1, false, List.of("2", "L", "S"))),
            List.of(4),
            "relu",
            0,
            2 + 1 + 1 + 4,
            List.of("a", "b"),
            0,
            1,
            "0.36.0",
            "2.7.1",
            Map.of());

    private final FeatureEncoder encoder = new FeatureEncoder(SPEC);

    /** An encoder for one categorical feature of these categories (and the unknown slot). */
    private static FeatureEncoder categorical(String name, List<String> categories) {
        return new FeatureEncoder(new ModelSpec(
                "tabular-classification",
                Task.CLASSIFICATION,
                "label",
                List.of(new Feature(name, Kind.CATEGORICAL, 0, 1, false, categories)),
                List.of(4),
                "relu",
                0,
                categories.size() + 1,
                List.of("a", "b"),
                0,
                1,
                "0.36.0",
                "2.7.1",
                Map.of()));
    }

    @Test
    void standardisesNumbersAndOneHotEncodesCategories() throws Exception {
        float[] encoded = encode(Map.of("length", 14, "depth", "9", "member", true, "size", "S"));

        assertThat(encoded).containsExactly(2f, 0f, 1f, 1f, 0f, 0f, 1f, 0f);
    }

    @Test
    void readsCsvStringsLikeJsonValues() throws Exception {
        float[] fromCsv = encode(Map.of("length", " 14 ", "depth", "9.0", "member", "YES", "size", " S"));

        assertThat(fromCsv).containsExactly(encode(Map.of("length", 14, "depth", 9.0, "member", true, "size", "S")));
    }

    @Test
    void imputesAMissingNumberWithTheTrainingMeanAndSetsItsIndicator() throws Exception {
        Map<String, Object> record = new HashMap<>();
        record.put("length", null);
        record.put("depth", "NA");
        record.put("member", "");
        record.put("size", "L");

        assertThat(encode(record)).containsExactly(0f, 1f, 0f, 0f, 0f, 1f, 0f, 0f);
    }

    @Test
    void treatsAnAbsentKeyAsMissing() throws Exception {
        assertThat(encode(Map.of("size", "L"))).containsExactly(0f, 1f, 0f, 0f, 0f, 1f, 0f, 0f);
    }

    @Test
    void putsUnseenAndMissingCategoriesInTheUnknownSlot() throws Exception {
        assertThat(encode(Map.of("length", 10, "size", "XL"))).endsWith(0f, 0f, 0f, 1f);
        assertThat(encode(Map.of("length", 10, "size", "None"))).endsWith(0f, 0f, 0f, 1f);
        assertThat(encode(Map.of("length", 10))).endsWith(0f, 0f, 0f, 1f);
    }

    @Test
    void findsACategoryFromAJsonNumberWithoutTrailingZeros() throws Exception {
        assertThat(encode(Map.of("size", 2.0))).endsWith(1f, 0f, 0f, 0f);
        assertThat(encode(Map.of("size", 2))).endsWith(1f, 0f, 0f, 0f);
    }

    /** The CSV spelt them "2.50", "007" and "True": a JSON 2.5, 7 or true is the same category. */
    @Test
    void findsACategoryTheCsvSpeltOtherwiseFromAJsonNumberOrBoolean() throws Exception {
        FeatureEncoder grades = categorical("grade", List.of("007", "2.50", "True", "x"));

        assertThat(encode(grades, Map.of("grade", 7))).containsExactly(1f, 0f, 0f, 0f, 0f);
        assertThat(encode(grades, Map.of("grade", 2.5))).containsExactly(0f, 1f, 0f, 0f, 0f);
        assertThat(encode(grades, Map.of("grade", true))).containsExactly(0f, 0f, 1f, 0f, 0f);
        // Text is read as the CSV was: "2.5" is not "2.50".
        assertThat(encode(grades, Map.of("grade", "2.5"))).containsExactly(0f, 0f, 0f, 0f, 1f);
        assertThat(encode(grades, Map.of("grade", false))).containsExactly(0f, 0f, 0f, 0f, 1f);
    }

    /**
     * Categories that read as numbers too long to write out (from a CSV, or an uploaded spec): written out,
     * "1e2147483647" would take more than the largest array; no JSON number can be them, so they match text only.
     */
    @Test
    void aCategoryThatReadsAsAnEnormousNumberMatchesAsTextOnly() throws Exception {
        FeatureEncoder codes = categorical("code", List.of("1e2147483647", "1e-999999999", "1e3"));

        assertThat(encode(codes, Map.of("code", "1e2147483647"))).containsExactly(1f, 0f, 0f, 0f);
        assertThat(encode(codes, Map.of("code", "1e-999999999"))).containsExactly(0f, 1f, 0f, 0f);
        assertThat(encode(codes, Map.of("code", 1000))).containsExactly(0f, 0f, 1f, 0f);
        assertThat(encode(codes, Map.of("code", 1e300))).containsExactly(0f, 0f, 0f, 1f);
    }

    @Test
    void rejectsANonNumberForANumericFeatureNamingTheField() {
        assertThatThrownBy(() -> encode(Map.of("length", "abc"))).isInstanceOfSatisfying(InvalidRecord.class, e -> {
            assertThat(e.field()).isEqualTo("length");
            assertThat(e.problem()).isEqualTo("must be a number, got 'abc'");
        });
        assertThatThrownBy(() -> encode(Map.of("depth", true)))
                .isInstanceOfSatisfying(
                        InvalidRecord.class, e -> assertThat(e.problem()).isEqualTo("must be a number, got true"));
        assertThatThrownBy(() -> encode(Map.of("depth", Double.NaN)))
                .isInstanceOfSatisfying(InvalidRecord.class, e -> assertThat(e.problem())
                        .isEqualTo("must be a finite number, got NaN"));
    }

    @Test
    void rejectsANonBooleanForABooleanFeature() {
        assertThatThrownBy(() -> encode(Map.of("member", "maybe"))).isInstanceOfSatisfying(InvalidRecord.class, e -> {
            assertThat(e.field()).isEqualTo("member");
            assertThat(e.problem()).isEqualTo("must be true, false, yes or no, got 'maybe'");
        });
    }

    @Test
    void showsAHugeBadValueCutShort() {
        String huge = "1".repeat(1_000_000) + "x";
        assertThatThrownBy(() -> encode(Map.of("length", huge))).isInstanceOfSatisfying(InvalidRecord.class, e -> {
            assertThat(e.problem()).hasSizeLessThan(200).endsWith("… (1000001 characters)'");
        });
    }

    @Test
    void rejectsAnArrayOrObjectForACategory() {
        for (Object value : List.of(List.of("S"), Map.of("a", 1))) {
            assertThatThrownBy(() -> encode(Map.of("size", value))).isInstanceOfSatisfying(InvalidRecord.class, e -> {
                assertThat(e.field()).isEqualTo("size");
                assertThat(e.problem()).startsWith("must be a category");
            });
        }
    }

    @Test
    void namesAValueFarOutsideTheTrainingData() {
        // length: mean 10, std 2. A million standard deviations is the limit; absent and missing values are fine.
        assertThat(encoder.farOutside(Map.<String, Object>of("length", 10 + 2e6)::get))
                .isEmpty();
        assertThat(encoder.farOutside(Map.<String, Object>of("size", "S")::get)).isEmpty();
        assertThat(encoder.farOutside(Map.<String, Object>of("length", 10 - 2.1e6)::get))
                .hasValueSatisfying(e -> {
                    assertThat(e.field()).isEqualTo("length");
                    assertThat(e.problem()).contains("1.05e+06 standard deviations from the training data's mean (10");
                });
        assertThat(encoder.farOutside(Map.<String, Object>of("depth", 1e308)::get))
                .hasValueSatisfying(e -> assertThat(e.field()).isEqualTo("depth"));
    }

    private float[] encode(Map<String, Object> record) throws InvalidRecord {
        return encode(encoder, record);
    }

    private static float[] encode(FeatureEncoder encoder, Map<String, Object> record) throws InvalidRecord {
        float[] out = new float[encoder.width()];
        encoder.encode(record::get, out, 0);
        return out;
    }
}
