package dev.canopy.runner.recipe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link Recipe#validate}.
 *
 * @param problems empty when the params are valid
 * @param notes things the run should say, e.g. {@code column 'id' left out: looks like an identifier}
 * @param resolvedParams the params with defaults filled in and features resolved; what training gets
 */
public record Validation(List<Problem> problems, List<String> notes, Map<String, Object> resolvedParams) {

    public Validation {
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
        resolvedParams = Collections.unmodifiableMap(new LinkedHashMap<>(resolvedParams));
    }

    /** Whether the params can be queued. */
    public boolean valid() {
        return problems.isEmpty();
    }
}
