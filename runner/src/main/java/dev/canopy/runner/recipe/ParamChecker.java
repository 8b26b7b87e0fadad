package dev.canopy.runner.recipe;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the type and range of each raw param (JSON values: Integer, Long, Double, String, Boolean, List, Map) and
 * fills in defaults. Whole-number doubles such as {@code 30.0} count as integers, because some JSON writers emit them.
 */
final class ParamChecker {

    private final Map<String, Object> raw;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, Object> resolved = new LinkedHashMap<>();

    private ParamChecker(Map<String, Object> raw) {
        this.raw = raw;
    }

    /** Problems found and the params with defaults; {@code features} is null when it is to be resolved. */
    record Checked(List<Problem> problems, Map<String, Object> resolved) {}

    static Checked check(Map<String, Object> params) {
        ParamChecker checker = new ParamChecker(params);
        checker.rejectUnknown();
        checker.label();
        checker.features();
        checker.hiddenLayers();
        checker.choice("activation", List.of("relu", "tanh", "sigmoid"));
        checker.number("dropout", 0, 0.9);
        checker.integer("epochs", 1, 10_000);
        checker.integer("batchSize", 1, 65_536);
        checker.learningRate();
        checker.number("validationFraction", 0.01, 0.5);
        checker.number("testFraction", 0.01, 0.5);
        checker.fractionsLeaveTrainingRows();
        checker.integer("earlyStoppingPatience", 1, 10_000);
        checker.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE);
        return new Checked(checker.problems, checker.resolved);
    }

    private void rejectUnknown() {
        List<String> known = TabularParams.SPECS.stream().map(ParamSpec::name).toList();
        for (String name : raw.keySet()) {
            if (!known.contains(name)) {
                problems.add(new Problem(name, "unknown parameter; known are " + String.join(", ", known)));
            }
        }
    }

    private void label() {
        Object value = raw.get("label");
        boolean columnName = value instanceof String text && !text.isBlank();
        resolved.put("label", columnName ? value : null);
        if (value == null) {
            problems.add(new Problem("label", "is required: name the column to predict"));
        } else if (!columnName) {
            problems.add(new Problem("label", "must be a column name, got " + describe(value)));
        }
    }

    private void features() {
        String name = "features";
        Object value = raw.get(name);
        resolved.put(name, null);
        if (value == null) {
            return;
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            problems.add(new Problem(name, "must be a list of column names, got " + describe(value)));
        } else if (list.isEmpty()) {
            problems.add(new Problem(name, "must name at least one column"));
        } else if (new HashSet<>(list).size() != list.size()) {
            problems.add(new Problem(name, "names a column more than once"));
        } else {
            resolved.put(name, List.copyOf(list));
        }
    }

    private void hiddenLayers() {
        Object value = valueOrDefault("hiddenLayers");
        List<Integer> units = new ArrayList<>();
        if (value instanceof List<?> list && list.size() <= 8) {
            for (Object item : list) {
                Long number = wholeNumber(item);
                if (number == null || number < 1 || number > 4096) {
                    break;
                }
                units.add(number.intValue());
            }
            if (units.size() == list.size()) {
                resolved.put("hiddenLayers", units);
                return;
            }
        }
        problems.add(new Problem("hiddenLayers", "must be a list of 0-8 integers of 1-4096, got " + describe(value)));
        resolved.put("hiddenLayers", defaultOf("hiddenLayers"));
    }

    private void choice(String name, List<String> allowed) {
        Object value = valueOrDefault(name);
        if (allowed.contains(value)) {
            resolved.put(name, value);
        } else {
            problems.add(
                    new Problem(name, "must be one of " + String.join(", ", allowed) + ", got " + describe(value)));
            resolved.put(name, defaultOf(name));
        }
    }

    private void number(String name, double min, double max) {
        Object value = valueOrDefault(name);
        double number = value instanceof Number n ? n.doubleValue() : Double.NaN;
        if (number >= min && number <= max) {
            resolved.put(name, number);
        } else {
            problems.add(new Problem(name, "must be a number from " + min + " to " + max + ", got " + describe(value)));
            resolved.put(name, defaultOf(name));
        }
    }

    private void learningRate() {
        Object value = valueOrDefault("learningRate");
        double number = value instanceof Number n ? n.doubleValue() : Double.NaN;
        // No upper bound: a rate too large for the data shows as divergence, with advice, at training time.
        if (number > 0 && Double.isFinite(number)) {
            resolved.put("learningRate", number);
        } else {
            problems.add(new Problem("learningRate", "must be a number greater than 0, got " + describe(value)));
            resolved.put("learningRate", defaultOf("learningRate"));
        }
    }

    private void fractionsLeaveTrainingRows() {
        double sum = ((Number) resolved.get("validationFraction")).doubleValue()
                + ((Number) resolved.get("testFraction")).doubleValue();
        if (sum > 0.8) {
            problems.add(new Problem(
                    "testFraction", "with validationFraction must be at most 0.8 so that rows are left to train on"));
        }
    }

    private void integer(String name, long min, long max) {
        Object value = valueOrDefault(name);
        Long number = wholeNumber(value);
        if (number != null && number >= min && number <= max) {
            // Integers stay Integers where they fit, so resolved params look like the JSON they came from.
            boolean fitsInt = number == number.intValue();
            resolved.put(name, fitsInt ? (Object) number.intValue() : number);
        } else {
            String range = min == Long.MIN_VALUE ? "an integer" : "an integer from " + min + " to " + max;
            problems.add(new Problem(name, "must be " + range + ", got " + describe(value)));
            resolved.put(name, defaultOf(name));
        }
    }

    /** The value as a long when it is a whole number within the long range, else null. */
    private static Long wholeNumber(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
            return null;
        }
        try {
            BigInteger whole = new BigDecimal(number.toString()).toBigIntegerExact();
            return whole.bitLength() < 64 ? whole.longValue() : null;
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    /** The raw value, or the default when the param is absent or JSON null. */
    private Object valueOrDefault(String name) {
        Object value = raw.get(name);
        return value == null ? defaultOf(name) : value;
    }

    private static Object defaultOf(String name) {
        return TabularParams.SPECS.stream()
                .filter(spec -> spec.name().equals(name))
                .findFirst()
                .orElseThrow()
                .defaultValue();
    }

    private static String describe(Object value) {
        if (value instanceof String) {
            return "'" + value + "'";
        }
        return String.valueOf(value);
    }
}
