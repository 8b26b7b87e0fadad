package dev.canopy.api.error;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses request bodies over {@code canopy.api.max-request-size} with 413 in the one error format: at once
 * when {@code Content-Length} says so, and while reading when the body is chunked (with or without a
 * {@code Content-Type}).
 */
class RequestSizeFilter {

    @Inject
    ApiLimitsConfig config;

    @ServerRequestFilter
    void limit(ContainerRequestContext request, ResourceInfo resource) {
        if (resource.getResourceMethod() != null
                && resource.getResourceMethod().isAnnotationPresent(StreamedBody.class)) {
            return;
        }
        long max = config.maxRequestSize().asLongValue();
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            if (parse(length) > max) {
                throw tooLarge(max);
            }
        } else {
            // Whatever the request says of its body: a chunked one without Content-Type has "no entity" here, yet a
            // method that takes bytes reads it whole.
            InputStream body = request.getEntityStream();
            if (body != null) {
                request.setEntityStream(new LimitedStream(body, max));
            }
        }
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequest("Content-Length", "is not a number");
        }
    }

    private static PayloadTooLarge tooLarge(long max) {
        return new PayloadTooLarge("Request bodies are limited to " + max + " bytes");
    }

    private static final class LimitedStream extends FilterInputStream {

        private final long max;
        private long count;

        LimitedStream(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0 && ++count > max) {
                throw tooLarge(max);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0 && (count += n) > max) {
                throw tooLarge(max);
            }
            return n;
        }
    }
}
