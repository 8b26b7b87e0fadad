package dev.canopy.api.run;

import dev.canopy.api.config.WellFormedText;

/**
 * The one rule for the keys of metrics, parameters and tags, wherever they come in (the REST API, a runner's
 * reports, an upload's Canopy-Metrics header): 1-250 characters, as the columns hold, without control characters
 * or unpaired surrogates.
 */
public final class Keys {

    public static final int MAX = 250;

    /** What a key must be, for error messages. */
    public static final String RULE =
            "1-" + MAX + " characters without control characters or unpaired surrogates (a lone \\uD800)";

    private Keys() {}

    /** Whether {@code key} keeps the rule; a plain loop, as metric batches check every point's key. */
    public static boolean valid(String key) {
        if (key == null || key.isBlank() || key.length() > MAX) {
            return false;
        }
        for (int c = 0; c < key.length(); c++) {
            if (Character.isISOControl(key.charAt(c))) {
                return false;
            }
        }
        // Half of a character outside the BMP, alone: the database would store it as '?', a key that the next
        // batch would then not find (and could not create again).
        return !WellFormedText.hasUnpairedSurrogate(key);
    }
}
