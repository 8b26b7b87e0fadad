package dev.canopy.runner.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Requests that share one forward pass: their rows are concatenated in order and the outputs split back. A batch
 * keeps the tightest limits of its requests' {@link Batching}: the fewest records and the shortest wait.
 */
final class Batch {

    /**
     * One caller's encoded rows, row-major, its micro-batching settings, and the future that caller waits on for
     * the raw outputs.
     */
    record Request(float[] inputs, int rows, Batching batching, CompletableFuture<float[]> outputs) {

        Request(float[] inputs, int rows, Batching batching) {
            this(inputs, rows, batching, new CompletableFuture<>());
        }
    }

    private final List<Request> requests = new ArrayList<>();
    private int rows;
    private int maxRecords = Integer.MAX_VALUE;
    private long maxWaitNanos = Long.MAX_VALUE;

    void add(Request request) {
        requests.add(request);
        rows += request.rows();
        maxRecords = Math.min(maxRecords, request.batching().maxBatchRecords());
        maxWaitNanos = Math.min(maxWaitNanos, request.batching().maxWait().toNanos());
    }

    /** Whether {@code request} can join: the rows together within its limit and this batch's. */
    boolean fits(Request request) {
        return rows + request.rows() <= Math.min(maxRecords, request.batching().maxBatchRecords());
    }

    /** Whether the batch is at its row limit (a batch over it holds one request larger than its own limit). */
    boolean full() {
        return rows >= maxRecords;
    }

    /** The shortest maxWait of its requests, in nanoseconds. */
    long maxWaitNanos() {
        return maxWaitNanos;
    }

    /** Rows of all requests together. */
    int rows() {
        return rows;
    }

    /** All requests' rows in one row-major array, {@code width} inputs per row. */
    float[] inputs(int width) {
        if (requests.size() == 1) {
            return requests.get(0).inputs();
        }
        float[] inputs = new float[rows * width];
        int offset = 0;
        for (Request request : requests) {
            System.arraycopy(request.inputs(), 0, inputs, offset, request.inputs().length);
            offset += request.inputs().length;
        }
        return inputs;
    }

    /** Completes each request with its own rows of {@code outputs}, {@code outputSize} values per row. */
    void complete(float[] outputs, int outputSize) {
        if (requests.size() == 1) {
            requests.get(0).outputs().complete(outputs);
            return;
        }
        int offset = 0;
        for (Request request : requests) {
            int length = request.rows() * outputSize;
            float[] part = new float[length];
            System.arraycopy(outputs, offset, part, 0, length);
            request.outputs().complete(part);
            offset += length;
        }
    }

    /** Fails the requests that are not complete yet. */
    void fail(Throwable error) {
        requests.forEach(request -> request.outputs().completeExceptionally(error));
    }

    /** Fails the requests that are not complete yet because the model was closed before they ran. */
    void failUnfinished() {
        if (requests.stream().anyMatch(request -> !request.outputs().isDone())) {
            fail(new IllegalStateException("the model was closed before this request ran"));
        }
    }
}
