package dev.canopy.runner.inference;

import dev.canopy.runner.inference.ModelSpec.Feature;
import dev.canopy.runner.inference.ModelSpec.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns one record into the model's input vector with the preprocessing fitted at training time. Training (CSV strings)
 * and inference (JSON values) share this class, so a value is encoded the same way in both.
 *
 * <p>Values may be {@code String} (trimmed; missing tokens count as missing), {@code Number}, {@code Boolean} or
 * {@code null} (missing). Immutable and thread-safe.
 */
public final class FeatureEncoder {

    /** Standard deviations from the training mean beyond which a value is {@link #farOutside far outside}. */
    static final double FAR_OUTSIDE = 1e6;

    /** Characters of a bad value an error message shows. */
    private static final int MAX_SHOWN = 60;
    /**
     * Digits past which a category is not taken for a number: a JSON number's are at most 1,000 (the parser's
     * limit), a double's at most about 330 written out.
     */
    private static final int MAX_NUMBER_DIGITS = 1_100;

    private final List<Feature> features;
    private final List<Map<String, Integer>> categoryIndexes = new ArrayList<>();
    /** Per feature, the categories that read as a number or a boolean, by their canonical text ("2.0" as "2"). */
    private final List<Map<String, Integer>> canonicalIndexes = new ArrayList<>();

    private final int width;

    public FeatureEncoder(ModelSpec spec) {
        this.features = spec.features();
        int total = 0;
        for (Feature feature : features) {
            Map<String, Integer> index = new HashMap<>();
            Map<String, Integer> canonical = new HashMap<>();
            for (int i = 0; i < feature.categories().size(); i++) {
                String category = feature.categories().get(i);
                index.put(category, i);
                int slot = i;
                canonicalText(category).ifPresent(text -> canonical.putIfAbsent(text, slot));
            }
            categoryIndexes.add(index);
            canonicalIndexes.add(canonical);
            total += feature.width();
        }
        this.width = total;
    }

    /** Width of the encoded vector. */
    public int width() {
        return width;
    }

    /**
     * Writes the encoded record to {@code out[offset .. offset + width())}.
     *
     * @param values gives the raw value of a feature by column name; {@code null} means missing
     * @throws InvalidRecord when a value cannot be read as its feature's kind
     */
    public void encode(Function<String, Object> values, float[] out, int offset) throws InvalidRecord {
        int position = offset;
        for (int i = 0; i < features.size(); i++) {
            Feature feature = features.get(i);
            Object value = values.apply(feature.name());
            if (feature.kind() == Kind.CATEGORICAL) {
                encodeCategory(i, value, out, position);
            } else {
                encodeNumber(feature, value, out, position);
            }
            position += feature.width();
        }
    }

    /**
     * The first numeric value of the record that lies more than {@link #FAR_OUTSIDE} standard deviations from its
     * training mean; empty when none does. An answer to such a value means nothing (it may not even be finite), and
     * the value is all but certainly a unit or data error of the caller's. Only asked when an answer was not finite,
     * so that encoding itself stays the same for training and serving.
     */
    public Optional<InvalidRecord> farOutside(Function<String, Object> values) {
        for (Feature feature : features) {
            if (feature.kind() != Kind.NUMERIC || !(feature.std() > 0) || !Double.isFinite(feature.std())) {
                // A spec whose scale is unusable makes the model faulty, whatever the value.
                continue;
            }
            double number;
            try {
                number = readNumber(feature, values.apply(feature.name()));
            } catch (InvalidRecord e) {
                return Optional.of(e);
            }
            double deviations = Math.abs(number - feature.mean()) / feature.std();
            if (!Double.isNaN(number) && !(deviations <= FAR_OUTSIDE)) {
                return Optional.of(new InvalidRecord(
                        feature.name(),
                        String.format(
                                Locale.ROOT,
                                "%s lies %.3g standard deviations from the training data's mean (%.6g); the model"
                                        + " cannot answer for values more than %.0f standard deviations away",
                                describe(values.apply(feature.name())),
                                deviations,
                                feature.mean(),
                                FAR_OUTSIDE)));
            }
        }
        return Optional.empty();
    }

    private void encodeNumber(Feature feature, Object value, float[] out, int position) throws InvalidRecord {
        double number = feature.kind() == Kind.BOOLEAN ? readBoolean(feature, value) : readNumber(feature, value);
        boolean missing = Double.isNaN(number);
        // An imputed value is the training mean, which standardises to exactly 0.
        out[position] = missing ? 0f : (float) ((number - feature.mean()) / feature.std());
        if (feature.missingIndicator()) {
            out[position + 1] = missing ? 1f : 0f;
        }
    }

    private void encodeCategory(int featureIndex, Object value, float[] out, int position) throws InvalidRecord {
        Feature feature = features.get(featureIndex);
        if (!(value == null || value instanceof String || value instanceof Number || value instanceof Boolean)) {
            // A JSON array or object: no category is spelt that way.
            throw new InvalidRecord(
                    feature.name(), "must be a category (text, a number or a boolean), got " + describe(value));
        }
        int unknownSlot = feature.categories().size();
        Integer slot = null;
        if (!isMissing(value)) {
            String text = categoryText(value);
            slot = categoryIndexes.get(featureIndex).get(text);
            if (slot == null && (value instanceof Number || value instanceof Boolean)) {
                // A JSON number or boolean for a category the CSV spelt otherwise: 2.0 for "2.0" or "2.00", true
                // for "True".
                slot = canonicalIndexes.get(featureIndex).get(text.toLowerCase(Locale.ROOT));
            }
        }
        for (int i = 0; i <= unknownSlot; i++) {
            out[position + i] = 0f;
        }
        out[position + (slot == null ? unknownSlot : slot)] = 1f;
    }

    /** The value as a number, NaN when missing. */
    private static double readNumber(Feature feature, Object value) throws InvalidRecord {
        if (isMissing(value)) {
            return Double.NaN;
        }
        if (value instanceof Number number) {
            double result = number.doubleValue();
            if (!Double.isFinite(result)) {
                throw new InvalidRecord(feature.name(), "must be a finite number, got " + describe(value));
            }
            return result;
        }
        double parsed = value instanceof String text ? CellValues.parseNumber(text) : Double.NaN;
        if (Double.isNaN(parsed)) {
            throw new InvalidRecord(feature.name(), "must be a number, got " + describe(value));
        }
        return parsed;
    }

    /** The value as 1/0, NaN when missing. */
    private static double readBoolean(Feature feature, Object value) throws InvalidRecord {
        if (isMissing(value)) {
            return Double.NaN;
        }
        if (value instanceof Boolean bool) {
            return bool ? 1 : 0;
        }
        double parsed = value instanceof String text ? CellValues.parseBoolean(text) : Double.NaN;
        if (Double.isNaN(parsed)) {
            throw new InvalidRecord(feature.name(), "must be true, false, yes or no, got " + describe(value));
        }
        return parsed;
    }

    private static boolean isMissing(Object value) {
        return value == null || (value instanceof String text && CellValues.isMissing(text));
    }

    /** A category's text as a JSON number or boolean would give it, when it reads as one. */
    private static Optional<String> canonicalText(String category) {
        String text = category.trim();
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.equals("true") || lower.equals("false")) {
            return Optional.of(lower);
        }
        if (text.isEmpty() || !(Character.isDigit(text.charAt(text.length() - 1)) || text.endsWith("."))) {
            return Optional.empty();
        }
        try {
            BigDecimal number = new BigDecimal(text).stripTrailingZeros();
            // "1e999999999" would be written out in a billion digits; no JSON number is that long.
            return number.precision() + Math.abs((long) number.scale()) > MAX_NUMBER_DIGITS
                    ? Optional.empty()
                    : Optional.of(number.toPlainString());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The text a category value is looked up by. JSON numbers are written without trailing zeros so that {@code 2}
     * and {@code 2.0} both find the CSV category {@code 2}.
     */
    private static String categoryText(Object value) {
        if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
            return new BigDecimal(number.toString()).stripTrailingZeros().toPlainString();
        }
        return value.toString().trim();
    }

    /** The value as an error message shows it: quoted when text, and cut short, so that a huge value is not echoed. */
    private static String describe(Object value) {
        String text = String.valueOf(value);
        if (text.length() > MAX_SHOWN) {
            text = text.substring(0, MAX_SHOWN) + "… (" + text.length() + " characters)";
        }
        return value instanceof String ? "'" + text + "'" : text;
    }
}
