package dev.canopy.runner.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Requests that share one forward pass: their rows are concatenated in order and the outputs split back. */
final class Batch {

    /** One caller's encoded rows, row-major, and the future that caller waits on for the raw outputs. */
    record Request(float[] inputs, int rows, CompletableFuture<float[]> outputs) {

        Request(float[] inputs, int rows) {
            this(inputs, rows, new CompletableFuture<>());
        }
    }

    private final List<Request> requests = new ArrayList<>();
    private int rows;

    void add(Request request) {
        requests.add(request);
        rows += request.rows();
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
