package dev.canopy.api.run;

/**
 * The one rule for the keys of metrics, parameters and tags, wherever they come in (the REST API, a runner's
 * reports, an upload's Canopy-Metrics header): 1-250 characters, as the columns hold, without control characters.
 */
public final class Keys {

    public static final int MAX = 250;

    /** What a key must be, for error messages. */
    public static final String RULE = "1-" + MAX + " characters without control characters";

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
        return true;
    }
}
