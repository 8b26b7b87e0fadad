package dev.canopy.runner.inference;

import ai.djl.translate.TranslateException;
import dev.canopy.runner.inference.FeatureMatrixTranslator.Matrix;
import dev.canopy.runner.inference.TabularModel.Prediction;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One loaded model version serving concurrent requests: a pool of warmed-up DJL predictors and a {@link
 * MicroBatcher} that merges concurrent requests into shared forward passes, each request within its own {@link
 * Batching} (endpoints sharing the version may set it differently; a request with batching off runs a pass of its
 * own). The batcher starts with the first batched request. Every pass runs on one of the model's {@link
 * ForwardThreads}, on {@link ServingOptions#threadsPerPass()} PyTorch threads.
 *
 * <p>Predictions are those of {@link TabularModel#predict} for the same records: a request that runs in a pass of
 * its own (batching off, or alone in its batch) gets exactly the same floats. A request merged with others gets
 * the model's outputs for its rows computed in a larger matrix, which CPU kernels may round differently in the
 * last bits; a label can only differ where the top two logits are that close.
 *
 * <p>Accounting for energy: {@link #cpuNanos()} is the CPU time of encoding, forward passes and decoding, measured
 * on the threads that ran them, a batch's pass counted once (with more than one PyTorch thread per pass, the other
 * threads' share is not seen); {@link #predictions()} counts records answered. Thread-safe.
 */
public final class ServedModel implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServedModel.class.getName());

    /** How long {@link #close()} lets admitted requests finish. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Most model inputs one request may encode to (records × {@link #width()}): 4 Mi floats, 16 MiB of heap. A model
     * with a thousand one-hot inputs per record takes 4,194 records per request, not the 10,000 a narrow one takes.
     */
    public static final int MAX_REQUEST_INPUTS = 1 << 22;

    private final TabularModel model;
    private final ServingOptions options;
    private final PredictorPool pool;
    private final ForwardThreads forwards;
    private final Object batcherLock = new Object();
    private volatile MicroBatcher batcher;
    private boolean batcherClosed;
    private final RequestGate gate = new RequestGate();
    private final ServingCpu cpu = new ServingCpu();
    private final LongAdder predictions = new LongAdder();

    private final Set<String> columns = new HashSet<>();

    private ServedModel(TabularModel model, ServingOptions options, PredictorPool pool) {
        this.model = model;
        this.options = options;
        this.pool = pool;
        this.forwards = new ForwardThreads(options.predictors(), options.threadsPerPass());
        model.spec().features().forEach(f -> columns.add(f.name()));
        columns.add(model.spec().label());
    }

    /** Inputs one record encodes to (numeric features, one-hot slots, missing-value indicators). */
    public int width() {
        return model.width();
    }

    /**
     * Most records one {@link #predict} call takes: the options' limit, or fewer for a wide model so that a request
     * encodes to at most {@link #MAX_REQUEST_INPUTS} inputs.
     */
    public int maxRecordsPerRequest() {
        return Math.max(1, Math.min(options.maxRequestRecords(), MAX_REQUEST_INPUTS / model.width()));
    }

    /**
     * The records' columns that are neither a feature nor the label, in name order, at most {@code limit}: the
     * model ignores them, so a misspelt feature shows here (and its feature counts as missing).
     */
    public List<String> unknownColumns(List<Map<String, Object>> records, int limit) {
        TreeSet<String> unknown = new TreeSet<>();
        for (Map<String, Object> record : records) {
            for (String column : record.keySet()) {
                if (!columns.contains(column) && unknown.add(column) && unknown.size() > limit) {
                    unknown.pollLast();
                }
            }
        }
        return List.copyOf(unknown);
    }

    /**
     * Loads an artifact, creates {@link ServingOptions#predictors()} predictors and runs one forward pass through
     * each (a record with every feature missing), so that the first request pays no first-call costs.
     *
     * @throws IllegalArgumentException when the bytes are not a readable model artifact or the model cannot run
     */
    public static ServedModel load(byte[] artifact, ServingOptions options) {
        TabularModel model = TabularModel.load(artifact);
        PredictorPool pool = new PredictorPool(options.predictors(), model::newPredictor, model::close);
        try {
            pool.warmUp(new Matrix(model.encode(List.of(Map.of())), 1, model.width()));
        } catch (InvalidRecord | TranslateException | RuntimeException e) {
            pool.close();
            throw new IllegalArgumentException("model could not run a forward pass: " + e.getMessage(), e);
        }
        return new ServedModel(model, options, pool);
    }

    /** What the model is and how it preprocesses records. */
    public ModelSpec spec() {
        return model.spec();
    }

    /** {@link #predict(List, Batching)} with the batching of this model's {@link ServingOptions}. */
    public List<Prediction> predict(List<Map<String, Object>> records) throws InvalidRecord {
        return predict(records, options.batching());
    }

    /**
     * Predicts one result per record, in order. Records are checked and encoded on the caller's thread, so a bad
     * one fails before anything is queued; the call then blocks until its forward pass has run.
     *
     * @param records as for {@link TabularModel#predict}
     * @param batching whether and within which limits this request may share a forward pass
     * @throws InvalidRecord for the first value that does not fit its feature, or for a number so far outside the
     *     training data that the answer to it is not finite
     * @throws NonFiniteAnswer when the model answers NaN or infinity to records within reach of its training data
     * @throws IllegalArgumentException when there are more than {@link #maxRecordsPerRequest()} records
     * @throws IllegalStateException once the model is closed, or when the forward pass fails
     */
    public List<Prediction> predict(List<Map<String, Object>> records, Batching batching) throws InvalidRecord {
        gate.enter();
        try {
            if (records.size() > maxRecordsPerRequest()) {
                throw new IllegalArgumentException("a request to this model may hold at most " + maxRecordsPerRequest()
                        + " records, got " + records.size());
            }
            if (records.isEmpty()) {
                return List.of();
            }
            long mark = cpu.mark();
            float[] inputs;
            try {
                inputs = model.encode(records);
            } finally {
                cpu.addSince(mark);
            }
            float[] outputs = batching.enabled()
                    ? await(batcher(), inputs, records.size(), batching)
                    : forwardNow(inputs, records.size());
            mark = cpu.mark();
            List<Prediction> result = model.decode(outputs);
            cpu.addSince(mark);
            checkFinite(records, result);
            predictions.add(records.size());
            return result;
        } finally {
            gate.leave();
        }
    }

    /**
     * Fails an answer holding NaN or infinity. When the record behind it holds a value far outside the training data
     * ({@link TabularModel#farOutside}), the caller's value is to blame; otherwise the model is.
     */
    private void checkFinite(List<Map<String, Object>> records, List<Prediction> answers) throws InvalidRecord {
        for (int i = 0; i < answers.size(); i++) {
            Prediction p = answers.get(i);
            boolean finite = p.value() == null
                    ? p.probabilities().values().stream().allMatch(Double::isFinite)
                    : Double.isFinite(p.value());
            if (!finite) {
                Optional<InvalidRecord> callers = model.farOutside(records.get(i));
                if (callers.isPresent()) {
                    throw callers.get();
                }
                throw new NonFiniteAnswer("the model answered NaN or infinity to record " + i);
            }
        }
    }

    /** A pass of the request's own, on a forward thread. */
    private float[] forwardNow(float[] inputs, int rows) {
        try {
            return forwards.run(() -> {
                long mark = cpu.mark();
                try {
                    return forward(inputs, rows);
                } finally {
                    cpu.addSince(mark);
                }
            });
        } catch (TranslateException e) {
            throw new IllegalStateException("prediction failed: " + e.getMessage(), e);
        }
    }

    private float[] forward(float[] inputs, int rows) throws TranslateException {
        return model.forward(inputs, rows, pool::forward);
    }

    private MicroBatcher batcher() {
        MicroBatcher started = batcher;
        if (started == null) {
            synchronized (batcherLock) {
                if (batcherClosed) {
                    throw new IllegalStateException("the model is closed");
                }
                started = batcher;
                if (started == null) {
                    started = new MicroBatcher(
                            options.predictors(),
                            model.width(),
                            model.spec().outputSize(),
                            this::forward,
                            cpu,
                            forwards);
                    batcher = started;
                }
            }
        }
        return started;
    }

    private static float[] await(MicroBatcher batcher, float[] inputs, int rows, Batching batching) {
        try {
            return batcher.submit(inputs, rows, batching).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a prediction", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("prediction failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** CPU time spent serving predictions so far, in nanoseconds (warm-up not included). */
    public long cpuNanos() {
        return cpu.total();
    }

    /** Records predicted so far; records of failed requests are not counted. */
    public long predictions() {
        return predictions.sum();
    }

    /** Forward passes run so far, the warm-up's one per predictor included. */
    public long forwardPasses() {
        return pool.passes();
    }

    /** Requests admitted and not answered yet. */
    int requestsInFlight() {
        return gate.inside();
    }

    /**
     * Refuses new requests, lets admitted ones finish (at most {@link #CLOSE_TIMEOUT}; queued requests left after
     * that fail), then frees the predictors and the model, each predictor once its running pass is done.
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (!gate.close()) {
            return;
        }
        MicroBatcher started = batcher;
        if (started != null) {
            started.flush();
        }
        try {
            if (!gate.awaitEmpty(CLOSE_TIMEOUT)) {
                LOG.log(Level.WARNING, "closing model {0} with {1} requests unanswered after {2}", new Object[] {
                    model.spec().recipe(), gate.inside(), CLOSE_TIMEOUT
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // A request admitted before the gate closed may have started the batcher since; none can from now on.
            synchronized (batcherLock) {
                batcherClosed = true;
                started = batcher;
            }
            if (started != null) {
                started.close();
            }
            forwards.close();
            pool.close();
        }
    }
}
