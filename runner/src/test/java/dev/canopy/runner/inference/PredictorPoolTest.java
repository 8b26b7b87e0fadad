package dev.canopy.runner.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import dev.canopy.runner.inference.FeatureMatrixTranslator.Matrix;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PredictorPoolTest {

    @Test
    void countsWarmUpAndForwardPassesAndClosesTheModelOnceAfterThePredictors() throws Exception {
        AtomicInteger modelClosed = new AtomicInteger();
        try (TabularModel model = TabularModel.load(PenguinModels.classifier())) {
            Matrix oneRow = new Matrix(model.encode(List.of(PenguinModels.adelie())), 1, model.width());
            PredictorPool pool = new PredictorPool(2, model::newPredictor, modelClosed::incrementAndGet);
            pool.warmUp(oneRow);

            assertThat(pool.forward(oneRow)).hasSize(3);
            assertThat(pool.passes()).isEqualTo(3);

            pool.close();
            pool.close();

            assertThat(modelClosed).hasValue(1);
            assertThatThrownBy(() -> pool.forward(oneRow))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the model is closed");
        }
    }

    @Test
    void aThreadThatComesBackForAPredictorQueuesBehindThoseAlreadyWaiting() throws Exception {
        List<String> passes = new CopyOnWriteArrayList<>();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Records whose pass it is; the two-row pass holds the predictor until released.
        Translator<Matrix, float[]> recording = new BeforeEachPass(input -> {
            passes.add(Thread.currentThread().getName() + " " + input.rows());
            if (input.rows() == 2) {
                holding.countDown();
                release.await();
            }
        });
        try (TabularModel model = TabularModel.load(PenguinModels.classifier())) {
            float[] row = model.encode(List.of(PenguinModels.adelie()));
            Matrix oneRow = new Matrix(row, 1, model.width());
            float[] two = Arrays.copyOf(row, 2 * row.length);
            System.arraycopy(row, 0, two, row.length, row.length);
            Matrix twoRows = new Matrix(two, 2, model.width());
            PredictorPool pool = new PredictorPool(1, () -> model.newPredictor(recording), () -> {});
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<?> first = threads.submit(() -> {
                    Thread.currentThread().setName("coming-back");
                    pool.forward(twoRows);
                    // At once, as a client sends its next request: the predictor was given back a moment ago.
                    return pool.forward(oneRow);
                });
                assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
                AtomicReference<Thread> waitingOne = new AtomicReference<>();
                Future<?> waiting = threads.submit(() -> {
                    Thread.currentThread().setName("waiting");
                    waitingOne.set(Thread.currentThread());
                    return pool.forward(oneRow);
                });
                await().atMost(Duration.ofSeconds(10))
                        .until(() ->
                                waitingOne.get() != null && waitingOne.get().getState() == Thread.State.WAITING);

                release.countDown();
                first.get(10, TimeUnit.SECONDS);
                waiting.get(10, TimeUnit.SECONDS);

                assertThat(passes).containsExactly("coming-back 2", "waiting 1", "coming-back 1");
            } finally {
                threads.shutdownNow();
                pool.close();
            }
        }
    }

    @Test
    void threadsWaitingForAPredictorFailWhenThePoolCloses() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Translator<Matrix, float[]> holdingOne = new BeforeEachPass(input -> {
            holding.countDown();
            release.await();
        });
        AtomicInteger modelClosed = new AtomicInteger();
        try (TabularModel model = TabularModel.load(PenguinModels.classifier())) {
            Matrix oneRow = new Matrix(model.encode(List.of(PenguinModels.adelie())), 1, model.width());
            PredictorPool pool =
                    new PredictorPool(1, () -> model.newPredictor(holdingOne), modelClosed::incrementAndGet);
            ExecutorService threads = Executors.newFixedThreadPool(3);
            try {
                Future<float[]> running = threads.submit(() -> pool.forward(oneRow));
                assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
                List<Thread> waiters = new CopyOnWriteArrayList<>();
                Callable<float[]> waitForThePredictor = () -> {
                    waiters.add(Thread.currentThread());
                    return pool.forward(oneRow);
                };
                Future<float[]> second = threads.submit(waitForThePredictor);
                Future<float[]> third = threads.submit(waitForThePredictor);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> waiters.size() == 2
                                && waiters.stream().allMatch(t -> t.getState() == Thread.State.WAITING));

                pool.close();

                for (Future<float[]> waiting : List.of(second, third)) {
                    assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                            .hasCauseInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("the model is closed");
                }
                // The running pass ends normally; its predictor, the last, is closed after it, then the model.
                assertThat(modelClosed).hasValue(0);
                release.countDown();
                assertThat(running.get(10, TimeUnit.SECONDS)).hasSize(3);
                assertThat(modelClosed).hasValue(1);
            } finally {
                release.countDown();
                threads.shutdownNow();
            }
        }
    }

    /** The predictors' own translator, with {@code hook} run on the calling thread before each pass. */
    private record BeforeEachPass(Hook hook) implements NoBatchifyTranslator<Matrix, float[]> {

        interface Hook {
            void run(Matrix input) throws Exception;
        }

        private static final FeatureMatrixTranslator TRANSLATOR = new FeatureMatrixTranslator();

        @Override
        public NDList processInput(TranslatorContext ctx, Matrix input) throws Exception {
            hook.run(input);
            return TRANSLATOR.processInput(ctx, input);
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            return TRANSLATOR.processOutput(ctx, list);
        }
    }
}
