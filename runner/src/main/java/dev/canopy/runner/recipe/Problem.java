package dev.canopy.runner.recipe;

/**
 * Why params cannot be used.
 *
 * @param field the param at fault ({@code dataset} when the data itself is unusable)
 * @param problem what is wrong, in words a person can act on
 */
public record Problem(String field, String problem) {}
