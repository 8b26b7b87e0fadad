package dev.canopy.api.team;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the endpoints (or whole resources) of the worker protocol: only RUNNER tokens may call them, and RUNNER
 * tokens nothing else.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RunnerProtocol {}
