package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;
import java.util.Map;

/** What a client may write into a run's params and tags: key rules, value lengths, and no platform tags. */
final class RunFields {

    static final int MAX_PARAM_VALUE = 6000;
    static final int MAX_TAG_VALUE = 8000;

    /**
     * What one run holds at most, whatever the number of requests that wrote it: every look at a run (its page, a
     * listing, a search) reads all of its tags and params, so a run grown without bound would make each of them a
     * memory hazard for the whole control plane.
     */
    static final int MAX_TAGS = 1000;

    static final int MAX_PARAMS = 1000;
    static final int MAX_INPUTS = 1000;
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

    /**
     * Refuses (400, nothing written: the transaction rolls back) a change that left the run over a limit with more
     * than it had: a run over the limit from before the limit was set may still shrink.
     */
    static void checkSize(String field, int before, int size, int max) {
        if (size > max && size > before) {
            throw new InvalidRequest(
                    field, "a run holds at most " + max + " " + field + "; this change would leave it " + size);
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
