package dev.canopy.api.model;

import dev.canopy.api.error.InvalidRequest;
import java.util.HashMap;
import java.util.Map;

/** The rules for the free-form description and tags of models and versions. */
final class Annotations {

    static final int MAX_TAGS = 50;

    private Annotations() {}

    /** {@code change} null keeps {@code current}, "" clears it, anything else replaces it. */
    static String description(String current, String change) {
        if (change == null) {
            return current;
        }
        return change.isEmpty() ? null : change;
    }

    /** {@code current} with {@code changes} applied: a null value removes its tag. */
    static Map<String, String> mergeTags(Map<String, String> current, Map<String, String> changes) {
        Map<String, String> merged = new HashMap<>(current == null ? Map.of() : current);
        if (changes != null) {
            changes.forEach((key, value) -> {
                if (key == null || key.isBlank() || key.length() > 100) {
                    throw new InvalidRequest("tags", "tag names are 1 to 100 characters");
                }
                if (value == null) {
                    merged.remove(key);
                } else if (value.length() > 500) {
                    throw new InvalidRequest("tags." + key, "a tag value is at most 500 characters");
                } else {
                    merged.put(key, value);
                }
            });
        }
        if (merged.size() > MAX_TAGS) {
            throw new InvalidRequest("tags", "at most " + MAX_TAGS + " tags");
        }
        return merged;
    }
}
