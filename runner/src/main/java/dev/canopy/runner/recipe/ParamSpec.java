package dev.canopy.runner.recipe;

/**
 * A documented recipe parameter.
 *
 * @param name the key in a run's params
 * @param type {@code string}, {@code integer}, {@code number}, {@code list<string>} or {@code list<integer>}
 * @param defaultValue the value used when the param is absent; null when it is required or resolved from the data
 * @param description what it does and its allowed values
 */
public record ParamSpec(String name, String type, Object defaultValue, String description) {}
