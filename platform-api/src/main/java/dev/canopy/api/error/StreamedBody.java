package dev.canopy.api.error;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an endpoint that streams its request body and enforces its own size limit while it reads (dataset
 * uploads). {@link RequestSizeFilter} leaves such endpoints alone.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface StreamedBody {}
