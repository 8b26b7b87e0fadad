package dev.canopy.runner.inference;

import static dev.canopy.runner.inference.PenguinModels.adelie;
import static dev.canopy.runner.inference.PenguinModels.penguins;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.canopy.runner.inference.TabularModel.Prediction;
import dev.canopy.runner.recipe.DatasetProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServedModelTest {

    private static byte[] artifact;
    private static TabularModel reference;

    @BeforeAll
    static void trainPenguinClassifier() throws Exception {
        artifact = PenguinModels.classifier();
        reference = TabularModel.load(artifact);
    }

    @AfterAll
    static void closeReference() {
        reference.close();
    }

    @ParameterizedTest(name = "batching {0}")
    @ValueSource(booleans = {true, false})
    void predictsExactlyWhatTheTabularModelPredicts(boolean batching) throws Exception {
        List<Map<String, Object>> records = penguins(50);
        records.get(7).put("sex", null);
        records.get(8).put("island", "Atlantis");

        try (ServedModel served = ServedModel.load(artifact, options(2, batching, 64, Duration.ofMillis(2), 100))) {
            assertThat(served.predict(records)).isEqualTo(reference.predict(records));
            for (Map<String, Object> record : records.subList(0, 10)) {
                assertThat(served.predict(List.of(record))).isEqualTo(reference.predict(List.of(record)));
            }
        }
    }

    @Test
    void mergesConcurrentRequestsIntoOneForwardPass() throws Exception {
        int callers = 32;
        List<Map<String, Object>> records = penguins(callers);
        // The first pass takes what is queued when the pool is idle; the next waits for the rest while it runs.
        try (ServedModel served = ServedModel.load(artifact, options(2, true, callers, Duration.ofMillis(500), 100))) {
            long passesBefore = served.forwardPasses();

            List<List<Prediction>> results = predictAtOnce(served, records, null);

            for (int i = 0; i < callers; i++) {
                assertMatchesAlone(results.get(i), records.get(i));
            }
            assertThat(served.forwardPasses() - passesBefore).isBetween(1L, callers / 4L);
            assertThat(served.predictions()).isEqualTo(callers);
        }
    }

    @Test
    void eachRequestMayBringItsOwnBatchingWhateverTheModelsDefault() throws Exception {
        int callers = 32;
        List<Map<String, Object>> records = penguins(callers);
        try (ServedModel served = ServedModel.load(artifact, options(2, false, 64, Duration.ZERO, 100))) {
            long passesBefore = served.forwardPasses();

            List<List<Prediction>> merged =
                    predictAtOnce(served, records, new Batching(true, callers, Duration.ofMillis(500)));

            assertThat(served.forwardPasses() - passesBefore).isBetween(1L, callers / 4L);
            for (int i = 0; i < callers; i++) {
                assertMatchesAlone(merged.get(i), records.get(i));
            }
            passesBefore = served.forwardPasses();

            List<List<Prediction>> alone =
                    predictAtOnce(served, records, Batching.defaults().withEnabled(false));

            assertThat(served.forwardPasses() - passesBefore).isEqualTo(callers);
            for (int i = 0; i < callers; i++) {
                assertThat(alone.get(i)).isEqualTo(reference.predict(List.of(records.get(i))));
            }
        }
    }

    /** One thread per record, released together, each predicting its record; null batching: the model's own. */
    private static List<List<Prediction>> predictAtOnce(
            ServedModel served, List<Map<String, Object>> records, Batching batching) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(records.size());
        try {
            List<Future<List<Prediction>>> futures = new ArrayList<>();
            for (Map<String, Object> record : records) {
                futures.add(threads.submit(() -> {
                    start.await();
                    return batching == null
                            ? served.predict(List.of(record))
                            : served.predict(List.of(record), batching);
                }));
            }
            start.countDown();
            List<List<Prediction>> results = new ArrayList<>();
            for (Future<List<Prediction>> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            threads.shutdown();
        }
    }

    /**
     * A merged request's rows run in a larger matrix than on their own, which CPU kernels may round differently in
     * the last bits: the label must match exactly, the probabilities to float precision.
     */
    private static void assertMatchesAlone(List<Prediction> merged, Map<String, Object> record) throws Exception {
        Prediction alone = reference.predict(List.of(record)).get(0);
        assertThat(merged).hasSize(1);
        assertThat(merged.get(0).label()).isEqualTo(alone.label());
        assertThat(merged.get(0).probabilities())
                .containsOnlyKeys(alone.probabilities().keySet());
        alone.probabilities()
                .forEach((label, p) ->
                        assertThat(merged.get(0).probabilities().get(label)).isCloseTo(p, within(1e-6)));
    }

    @Test
    void runsARequestLargerThanABatchOnItsOwn() throws Exception {
        List<Map<String, Object>> records = penguins(10);

        try (ServedModel served = ServedModel.load(artifact, options(1, true, 4, Duration.ofMillis(2), 100))) {
            long passesBefore = served.forwardPasses();

            assertThat(served.predict(records)).isEqualTo(reference.predict(records));
            assertThat(served.forwardPasses() - passesBefore).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "batching {0}")
    @ValueSource(booleans = {true, false})
    void rejectsABadValueNamingTheFieldWithoutPredictingAnything(boolean batching) throws Exception {
        Map<String, Object> bad = adelie();
        bad.put("bill_length_mm", "abc");

        try (ServedModel served = ServedModel.load(artifact, options(1, batching, 64, Duration.ofMillis(2), 100))) {
            long passesBefore = served.forwardPasses();

            assertThatThrownBy(() -> served.predict(List.of(adelie(), bad)))
                    .isInstanceOfSatisfying(InvalidRecord.class, e -> {
                        assertThat(e.field()).isEqualTo("bill_length_mm");
                        assertThat(e.problem()).isEqualTo("must be a number, got 'abc'");
                    });
            assertThat(served.predictions()).isZero();
            assertThat(served.forwardPasses()).isEqualTo(passesBefore);
        }
    }

    @ParameterizedTest(name = "batching {0}")
    @ValueSource(booleans = {true, false})
    void tellsAFaultyModelFromAValueFarOutsideTheTrainingData(boolean batching) throws Exception {
        Map<String, Object> heavy = adelie();
        heavy.put("body_mass_g", 1e308);
        try (ServedModel served = ServedModel.load(artifact, options(1, batching, 64, Duration.ofMillis(2), 100))) {
            assertThatThrownBy(() -> served.predict(List.of(adelie(), heavy)))
                    .isInstanceOfSatisfying(InvalidRecord.class, e -> {
                        assertThat(e.field()).isEqualTo("body_mass_g");
                        assertThat(e.problem()).contains("standard deviations from the training data's mean");
                    });
            assertThat(served.predictions()).isZero();
        }
        // Every numeric feature's scale set to 0: the model answers NaN to any record with a number.
        try (ServedModel broken = ServedModel.load(
                PenguinModels.withZeroScales(artifact), options(1, batching, 64, Duration.ofMillis(2), 100))) {
            assertThatThrownBy(() -> broken.predict(List.of(adelie()))).isInstanceOf(NonFiniteAnswer.class);
            assertThat(broken.predictions()).isZero();
        }
    }

    @Test
    void refusesMoreRecordsThanARequestMayHold() throws Exception {
        try (ServedModel served = ServedModel.load(artifact, options(1, true, 64, Duration.ofMillis(2), 3))) {
            assertThatThrownBy(() -> served.predict(penguins(4)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a request to this model may hold at most 3 records, got 4");
            assertThat(served.predict(penguins(3))).hasSize(3);
        }
    }

    /**
     * A wide model (two categorical columns of 250 levels, one-hot) takes fewer records per request than a narrow
     * one: a request encodes to at most {@link ServedModel#MAX_REQUEST_INPUTS} inputs, whatever its JSON size.
     */
    @Test
    void aWideModelTakesFewerRecordsPerRequest(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("wide.csv");
        StringBuilder rows = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 1000; i++) {
            rows.append("a")
                    .append(i % 250)
                    .append(",b")
                    .append((i * 7) % 250)
                    .append(',')
                    .append(i % 2 == 0 ? "yes" : "no")
                    .append('\n');
        }
        Files.writeString(csv, rows);
        DatasetProfile profile = new DatasetProfile(
                1000,
                List.of(
                        new DatasetProfile.Column("a", "CATEGORICAL", 0, 250, false),
                        new DatasetProfile.Column("b", "CATEGORICAL", 0, 250, false),
                        new DatasetProfile.Column("y", "CATEGORICAL", 0, 2, false)));
        byte[] wide = PenguinModels.train("tabular-classification", Map.of("label", "y", "epochs", 1), csv, profile);

        try (ServedModel served = ServedModel.load(wide, options(1, false, 64, Duration.ZERO, 10_000))) {
            assertThat(served.width()).isGreaterThan(400);
            int most = ServedModel.MAX_REQUEST_INPUTS / served.width();
            assertThat(served.maxRecordsPerRequest()).isEqualTo(most).isLessThan(10_000);
            List<Map<String, Object>> records = new ArrayList<>();
            for (int i = 0; i <= most; i++) {
                records.add(Map.of("a", "a" + i % 250, "b", "b" + i % 250));
            }
            assertThatThrownBy(() -> served.predict(records))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a request to this model may hold at most " + most + " records, got " + (most + 1));
            assertThat(served.predict(records.subList(0, most))).hasSize(most);
        }
    }

    @Test
    void warmsUpEveryPredictorBeforeLoadReturns() throws Exception {
        try (ServedModel served = ServedModel.load(artifact, options(3, true, 64, Duration.ofMillis(2), 100))) {
            assertThat(served.forwardPasses()).isEqualTo(3);
            assertThat(served.predictions()).isZero();
            assertThat(served.cpuNanos()).isZero();
        }
    }

    @ParameterizedTest(name = "batching {0}")
    @ValueSource(booleans = {true, false})
    void countsPredictedRecordsAndTheirCpuTime(boolean batching) throws Exception {
        try (ServedModel served = ServedModel.load(artifact, options(2, batching, 64, Duration.ofMillis(2), 100))) {
            served.predict(penguins(5));
            long afterFive = served.cpuNanos();
            served.predict(penguins(2));

            assertThat(served.predictions()).isEqualTo(7);
            assertThat(afterFive).isPositive();
            assertThat(served.cpuNanos()).isGreaterThan(afterFive);
            assertThat(served.predict(List.of())).isEmpty();
            assertThat(served.predictions()).isEqualTo(7);
        }
    }

    @Test
    void refusesPredictionsOnceClosedAndClosesOnlyOnce() throws Exception {
        ServedModel served = ServedModel.load(artifact, options(1, true, 64, Duration.ofMillis(2), 100));
        served.close();
        served.close();

        assertThatThrownBy(() -> served.predict(List.of(adelie())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the model is closed");
    }

    @Test
    void closeLetsEveryAdmittedRequestFinishNormally() throws Exception {
        // Batches of 4 from 8 callers, which would wait a minute for company when short: close must run them, not
        // fail them.
        ServedModel served = ServedModel.load(artifact, options(2, true, 4, Duration.ofMinutes(1), 100));
        int callers = 8;
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        AtomicInteger answered = new AtomicInteger();
        // Merged passes round the probabilities differently in the last bits; the label is exact.
        String expected = reference.predict(List.of(adelie())).get(0).label();
        try {
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                outcomes.add(threads.submit(() -> {
                    while (true) {
                        try {
                            if (!served.predict(List.of(adelie()))
                                    .get(0)
                                    .label()
                                    .equals(expected)) {
                                return "a wrong answer";
                            }
                            answered.incrementAndGet();
                        } catch (IllegalStateException e) {
                            return e.getMessage();
                        }
                    }
                }));
            }
            await().until(() -> answered.get() >= 200);

            served.close();

            for (Future<String> outcome : outcomes) {
                assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo("the model is closed");
            }
            assertThat(served.predictions()).isEqualTo(answered.get());
        } finally {
            threads.shutdownNow();
            served.close();
        }
    }

    @Test
    void rejectsBytesThatAreNotAnArtifact() {
        assertThatThrownBy(() -> ServedModel.load(new byte[] {1, 2, 3}, ServingOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a model artifact: it needs spec.json and a .params file");
    }

    @Test
    void exposesTheSpecOfTheLoadedModel() throws Exception {
        try (ServedModel served = ServedModel.load(artifact, options(1, false, 64, Duration.ZERO, 100))) {
            assertThat(served.spec()).isEqualTo(reference.spec());
        }
    }

    private static ServingOptions options(
            int predictors, boolean batching, int maxBatchRecords, Duration maxWait, int maxRequestRecords) {
        return new ServingOptions(
                predictors,
                ServingOptions.threadsPerPass(predictors),
                new Batching(batching, maxBatchRecords, maxWait),
                maxRequestRecords);
    }
}
