package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;
import java.util.Map;

/** What a client may write into a run's params and tags: key rules, value lengths, and no platform tags. */
final class RunFields {

    static final int MAX_PARAM_VALUE = 6000;
    static final int MAX_TAG_VALUE = 8000;
    private static final String PLATFORM_TAGS = "canopy.";

    private RunFields() {}

    /**
     * Tags named {@code canopy.*} are the platform's ({@code canopy.schedule}, {@code canopy.fire} on a schedule's
     * runs): a client's would make a run look like something it is not.
     */
    static void checkClientTags(String field, Map<String, String> tags) {
        if (tags == null) {
            return;
        }
        for (String key : tags.keySet()) {
            // Stripped first: " canopy.schedule" reads the same to a person.
            if (key != null && key.strip().startsWith(PLATFORM_TAGS)) {
                throw new InvalidRequest(
                        field + "." + key, "tags starting with '" + PLATFORM_TAGS + "' are set by the platform");
            }
        }
    }

    static String checkKey(String field, String key) {
        if (!Keys.valid(key)) {
            throw new InvalidRequest(field, "keys must be " + Keys.RULE);
        }
        return key;
    }

    static String checkValue(String field, String key, String value, int max) {
        if (value == null) {
            throw new InvalidRequest(field + "." + key, "must not be null");
        }
        if (value.length() > max) {
            throw new InvalidRequest(field + "." + key, "must be at most " + max + " characters");
        }
        return value;
    }
}
