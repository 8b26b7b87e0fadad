package dev.canopy.api.model;

import dev.canopy.api.error.InvalidRequest;
import java.util.regex.Pattern;

/** Alias names: a lower-case letter, then letters, digits, '-' or '_'; never "latest". */
final class AliasName {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,99}");

    private AliasName() {}

    /** Whether {@code ref} (a version reference) names an alias rather than a number or "latest". */
    static boolean isAlias(String ref) {
        return NAME.matcher(ref).matches() && !"latest".equals(ref);
    }

    static String check(String alias) {
        if (!isAlias(alias)) {
            throw new InvalidRequest(
                    "alias",
                    "must start with a lower-case letter and hold only a-z, 0-9, '-' and '_' (at most 100), and not"
                            + " be 'latest'");
        }
        return alias;
    }
}
