package dev.canopy.api.worker;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canopy.api.TempDirectories;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Standalone runner processes that die or are told to stop: a run whose runner is killed (kill -9) resumes on
 * another runner from its last checkpoint, with every epoch recorded once and the same final model as an
 * uninterrupted run; a runner sent SIGTERM gives its run back and exits; a runner whose token is revoked mid-run
 * stops training at once and exits.
 */
@QuarkusTest
@TestProfile(RunnerRecoveryTest.ShortLeases.class)
class RunnerRecoveryTest {

    public static class ShortLeases implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "canopy.queue.lease", "4s", "canopy.queue.reaper-every", "1s", "canopy.queue.heartbeat", "1s");
        }
    }

    static final int EPOCHS = 150;

    @TestHTTPResource("/")
    URI server;

    String team;
    String owner;
    String runnerToken;

    @BeforeEach
    void team() {
        FakeRunner.RunnerTeam fixture = FakeRunner.newRunnerTeam();
        team = fixture.team();
        owner = fixture.owner();
        runnerToken = fixture.runnerToken();
    }

    String submit() {
        return submit("tabular-classification", EPOCHS);
    }

    String submit(String recipe, int epochs) {
        return as(owner)
                .body(Map.of(
                        "experiment",
                        "exp",
                        "dataset",
                        Map.of("name", "penguins", "version", "latest"),
                        "recipe",
                        recipe,
                        "params",
                        Map.of("label", "species", "epochs", epochs, "earlyStoppingPatience", epochs)))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    JsonPath run(String id) {
        return as(owner)
                .get("/api/v1/teams/{t}/runs/{r}", team, id)
                .then()
                .extract()
                .jsonPath();
    }

    void awaitEpoch(String id, int epoch) {
        await().atMost(Duration.ofMinutes(2)).until(() -> {
            Integer reached = run(id).get("progress.epoch");
            return reached != null && reached >= epoch;
        });
    }

    /** Waits until runner {@code name} is registered offering {@code recipe}. */
    void awaitOffered(String name, String recipe) {
        await().atMost(Duration.ofMinutes(1)).until(() -> as(owner)
                .get("/api/v1/workers")
                .then()
                .extract()
                .jsonPath()
                .getList("find { it.name == '" + name + "' }.recipes", String.class)
                .contains(recipe));
    }

    JsonPath awaitStatus(String id, String status) {
        await().atMost(Duration.ofMinutes(3)).until(() -> status.equals(run(id).getString("status")));
        return run(id);
    }

    @Test
    void aRunWhoseRunnerIsKilledResumesElsewhereAsIfNothingHappened() throws Exception {
        String interrupted = submit();
        try (RunnerProcess doomed = RunnerProcess.start(server, runnerToken, unique("doomed"))) {
            awaitEpoch(interrupted, 10);
            doomed.kill();
        }
        JsonPath finished;
        String uninterrupted;
        try (RunnerProcess rescuer = RunnerProcess.start(server, runnerToken, unique("rescuer"))) {
            finished = awaitStatus(interrupted, "FINISHED");
            uninterrupted = submit();
            awaitStatus(uninterrupted, "FINISHED");
        }
        assertThat(finished.getInt("attempt")).isEqualTo(2);
        List<Integer> steps = as(owner)
                .get("/api/v1/teams/{t}/runs/{r}/metrics/val_loss", team, interrupted)
                .then()
                .extract()
                .jsonPath()
                .getList("points.step", Integer.class);
        assertThat(steps)
                .containsExactlyElementsOf(
                        IntStream.rangeClosed(1, EPOCHS).boxed().toList());
        // Training is seeded per epoch and resumes with its optimiser state: the result is the same model.
        JsonPath reference = run(uninterrupted);
        assertThat(finished.getDouble("latestMetrics.test_loss"))
                .isEqualTo(reference.getDouble("latestMetrics.test_loss"));
        assertThat(finished.getDouble("latestMetrics.test_accuracy"))
                .isEqualTo(reference.getDouble("latestMetrics.test_accuracy"))
                .isGreaterThanOrEqualTo(0.95);
        // Its energy adds up both attempts: the killed one as far as its last report, the rescuer's to the end.
        assertThat(finished.getList("energy.attempts.attempt")).containsExactly(1, 2);
        assertThat(finished.getList("energy.attempts.final")).containsExactly(false, true);
        assertThat(finished.getDouble("energy.attempts[0].itKwh")).isPositive();
        assertThat(finished.getDouble("energy.itKwh"))
                .isCloseTo(
                        finished.getDouble("energy.attempts[0].itKwh") + finished.getDouble("energy.attempts[1].itKwh"),
                        org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void aRunnerWhoseTokenIsRevokedMidRunStopsTrainingAndExits() throws Exception {
        JsonPath token = as(owner)
                .body(Map.of("name", "revoked runner", "team", team))
                .post("/api/v1/workers/tokens")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        String id = submit();
        try (RunnerProcess revoked = RunnerProcess.start(server, token.getString("token"), unique("revoked"))) {
            awaitEpoch(id, 5);
            as(owner)
                    .delete("/api/v1/tokens/{id}", token.getString("id"))
                    .then()
                    .statusCode(204);

            assertThat(revoked.process.waitFor(60, TimeUnit.SECONDS))
                    .as("runner exits; log:%n%s", revoked.output())
                    .isTrue();
            assertThat(revoked.process.exitValue()).isEqualTo(1);
            // Its next report was refused, so it stopped training then (of 150 epochs) and tried to fail the run,
            // which was refused too: the log says so, without claiming the run failed.
            Matcher stopped = Pattern.compile("Run " + id + " stopped: the control plane refused the report of epoch"
                            + " (\\d+) \\(.*401.*so it goes back to the queue when its lease expires")
                    .matcher(revoked.output());
            assertThat(revoked.output())
                    .doesNotContain("Run " + id + " failed")
                    .contains("stopped: Control plane refused the request (401)")
                    .doesNotContain("\tat dev.canopy");
            assertThat(stopped.find()).as("log:%n%s", revoked.output()).isTrue();
            assertThat(Integer.parseInt(stopped.group(1))).isLessThan(EPOCHS / 2);
        }
        // Nobody can report the run any more: its lease expires and it waits for another runner.
        assertThat(awaitStatus(id, "QUEUED").getInt("attempt")).isEqualTo(1);
    }

    @Test
    void aTeamsRecipeJarOnTheRunnersClassPathTrainsItsRuns() throws Exception {
        Path jar = recipeJar();
        String name = unique("custom");
        try (RunnerProcess custom = RunnerProcess.start(server, runnerToken, name, Map.of(), List.of(jar))) {
            awaitOffered(name, "team-penguin-expert");
            // The control plane does not have the recipe: a runner offering it is enough to queue the run.
            String id = submit("team-penguin-expert", 3);
            JsonPath finished = awaitStatus(id, "FINISHED");
            assertThat(finished.getDouble("latestMetrics.test_accuracy")).isPositive();
            assertThat(custom.output()).contains("Run " + id + " attempt 1: team-penguin-expert");
        }
    }

    /** A team's recipe, compiled and packed as a jar the way a team would ship one. */
    private static Path recipeJar() throws IOException {
        return recipeJar("PenguinExpert", "team-penguin-expert", "");
    }

    /**
     * A team's recipe {@code recipe} (class {@code name}) that trains as tabular-classification does, after
     * {@code before} (statements that see the {@code TrainingContext context}).
     */
    private static Path recipeJar(String name, String recipe, String before) throws IOException {
        return recipeJar(
                name,
                """
                package team.recipes;

                import dev.canopy.runner.recipe.*;
                import java.util.List;
                import java.util.Map;

                public final class %1$s implements Recipe {
                    private final Recipe tabular = new TabularClassificationRecipe();
                    public String name() { return "%2$s"; }
                    public List<ParamSpec> parameters() { return tabular.parameters(); }
                    public Validation validate(Map<String, Object> params, DatasetProfile profile) {
                        return tabular.validate(params, profile);
                    }
                    public TrainingResult train(TrainingContext context) throws TrainingFailure {
                        %3$s
                        return tabular.train(context);
                    }
                }
                """
                        .formatted(name, recipe, before));
    }

    /** Class {@code team.recipes.<name>} from {@code source}, compiled against the runner and packed as a recipe. */
    private static Path recipeJar(String name, String source) throws IOException {
        Path sources = TempDirectories.create("canopy-recipe-src");
        Path classes = TempDirectories.create("canopy-recipe-classes");
        Path file = sources.resolve(name + ".java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(
                null,
                null,
                null,
                "-cp",
                Path.of("../runner/target/canopy-runner.jar").toAbsolutePath().toString(),
                "-d",
                classes.toString(),
                file.toString());
        assertThat(status).as("javac exit status").isZero();
        Path jar = TempDirectories.create("canopy-recipe").resolve("team-recipes.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/dev.canopy.runner.recipe.Recipe"));
            out.write(("team.recipes." + name + "\n").getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new JarEntry("team/recipes/" + name + ".class"));
            out.write(Files.readAllBytes(classes.resolve("team/recipes/" + name + ".class")));
        }
        return jar;
    }

    /**
     * A recipe's failure longer than the API takes (4,000 characters) is cut rather than refused: the run ends FAILED
     * with it, and the runner goes on with the next run (a refused failure report used to stop the runner). So does
     * a recipe's bug that is an Error (endless recursion), which used to end the runner's thread, with exit status 0,
     * and a file the recipe cannot read.
     */
    @Test
    void aFailureReasonLongerThanTheApiTakesIsCutAndTheRunnerGoesOn() throws Exception {
        Path jar = recipeJar(
                "Verbose",
                "team-verbose",
                """
                if (((Number) context.params().get("epochs")).intValue() == 1) {
                    throw new TrainingFailure("the data is odd: " + "odd ".repeat(2500));
                }
                if (((Number) context.params().get("epochs")).intValue() == 3) {
                    throw new StackOverflowError();
                }
                if (((Number) context.params().get("epochs")).intValue() == 4) {
                    throw new java.io.UncheckedIOException(new java.io.IOException("weights.bin: no such file"));
                }
                """);
        String name = unique("verbose");
        try (RunnerProcess verbose = RunnerProcess.start(server, runnerToken, name, Map.of(), List.of(jar))) {
            awaitOffered(name, "team-verbose");
            String failing = submit("team-verbose", 1);
            JsonPath failed = awaitStatus(failing, "FAILED");
            assertThat(failed.getString("error"))
                    .startsWith("the data is odd: odd odd")
                    .endsWith(" ... (cut)")
                    .hasSize(4000);
            assertThat(failed.getInt("attempt")).isEqualTo(1);
            String buggy = submit("team-verbose", 3);
            assertThat(awaitStatus(buggy, "FAILED").getString("error"))
                    .startsWith("unexpected error on runner " + name + ": java.lang.StackOverflowError");
            // A file the recipe could not read fails its run at once (it was taken for the control plane out of
            // reach, and left to the lease: an attempt lost on each runner that claimed it).
            String unreadable = submit("team-verbose", 4);
            JsonPath unread = awaitStatus(unreadable, "FAILED");
            assertThat(unread.getString("error"))
                    .startsWith("input or output failed on runner " + name + ": java.io.UncheckedIOException")
                    .contains("weights.bin: no such file");
            assertThat(unread.getInt("attempt")).isEqualTo(1);

            String next = submit("team-verbose", 2);
            assertThat(awaitStatus(next, "FINISHED").getInt("attempt")).isEqualTo(1);
            assertThat(verbose.process.isAlive())
                    .as("log:%n%s", verbose.output())
                    .isTrue();
        }
    }

    @Test
    void anIdleRunnerToldToStopExitsAtOnce() throws Exception {
        String name = unique("idle");
        // On one PyTorch thread (CANOPY_RUNNER_THREADS, as --threads), which its start-up line says.
        try (RunnerProcess idle =
                RunnerProcess.start(server, runnerToken, name, Map.of("CANOPY_RUNNER_THREADS", "1"))) {
            await().atMost(Duration.ofMinutes(1)).until(() -> "ONLINE"
                    .equals(as(owner)
                            .get("/api/v1/workers")
                            .then()
                            .extract()
                            .path("find { it.name == '" + name + "' }.state")));
            // Logged once registration has answered, which may be just after the control plane lists it.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> idle.output().contains("with 0 GPU(s), 1 PyTorch thread(s)"));
            // Give its first claim time to start waiting (20 s, when nothing is queued).
            await().pollDelay(Duration.ofMillis(500)).until(() -> true);
            assertThat(idle.terminate(5))
                    .as("runner exits within 5 s of SIGTERM; log:%n%s", idle.output())
                    .isTrue();
            // Logged while the JVM shuts down, which would close the log's handlers if the runner let it.
            assertThat(idle.output())
                    .contains("Runner " + name + " draining: it claims no new run\n")
                    .contains("Runner " + name + " stopped: drained");
        }
    }

    /**
     * An epoch that does not end (a recipe reporting progress every 0.1 s, for ever): a runner told to stop gives the
     * run back mid-epoch once the epoch has had its 20 s, rather than waiting out its own stop (5 minutes, beyond any
     * orchestrator's patience) and leaving the run to its lease.
     */
    @Test
    void aRunnerToldToStopInALongEpochGivesItsRunBackWithinTheDrainWait() throws Exception {
        Path jar = recipeJar(
                "Endless",
                "team-endless",
                """
                if (((Number) context.params().get("epochs")).intValue() == 7) {
                    while (true) {
                        context.progress(1, 7, 0.0);
                        java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
                    }
                }
                """);
        String name = unique("endless");
        String id;
        try (RunnerProcess endless = RunnerProcess.start(server, runnerToken, name, Map.of(), List.of(jar))) {
            awaitOffered(name, "team-endless");
            id = submit("team-endless", 7);
            awaitStatus(id, "RUNNING");
            assertThat(endless.terminate(50))
                    .as("runner exits within 50 s of SIGTERM; log:%n%s", endless.output())
                    .isTrue();
            assertThat(endless.output())
                    .contains("Run " + id + " stopped: DRAINING")
                    .contains(" stopped: drained");
        }
        assertThat(run(id).getString("status")).isEqualTo("QUEUED");
        assertThat(run(id).getInt("attempt")).isEqualTo(1);
        // No other runner offers the recipe: cancelled, so that it does not wait in the queue for good.
        as(owner).post("/api/v1/teams/{t}/runs/{r}/cancel", team, id).then().statusCode(200);
    }

    @Test
    void aRunnerToldToStopGivesItsRunBackAndExits() throws Exception {
        String id = submit();
        try (RunnerProcess leaving = RunnerProcess.start(server, runnerToken, unique("leaving"))) {
            awaitEpoch(id, 5);
            assertThat(leaving.terminate(60))
                    .as("runner exits after SIGTERM; log:%n%s", leaving.output())
                    .isTrue();
            assertThat(leaving.output())
                    .contains("run " + id + " stops after its next checkpoint and goes back to the queue")
                    .contains("Run " + id + " stopped: DRAINING")
                    .contains(" stopped: drained");
        }
        assertThat(run(id).getString("status")).isEqualTo("QUEUED");
        // A draining runner ends its attempt with a final energy reading.
        assertThat(run(id).getList("energy.attempts.final")).containsExactly(true);
        try (RunnerProcess next = RunnerProcess.start(server, runnerToken, unique("next"))) {
            JsonPath finished = awaitStatus(id, "FINISHED");
            assertThat(finished.getInt("attempt")).isEqualTo(2);
        }
    }

    /**
     * A dataset download that hangs (a slow or stuck link, through a proxy that never answers it): a cancel heard
     * meanwhile kills the run within seconds, and a SIGTERM gives the run back at no cost and exits, instead of both
     * waiting for the download's stall limit (2 minutes) or its end (up to an hour).
     */
    @Test
    void aRunWhoseDatasetIsStillDownloadingStopsAtOnceWhenCancelledOrDrained() throws Exception {
        try (StallingProxy proxy = new StallingProxy(server, "/dataset?attempt=");
                RunnerProcess slow = RunnerProcess.start(proxy.uri(), runnerToken, unique("slow-link"))) {
            String cancelled = submit("tabular-classification", 2);
            await().atMost(Duration.ofMinutes(1)).until(() -> proxy.stalled() == 1);
            as(owner)
                    .post("/api/v1/teams/{t}/runs/{r}/cancel", team, cancelled)
                    .then()
                    .statusCode(200);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> "KILLED".equals(run(cancelled).getString("status")));
            assertThat(slow.output()).contains("Run " + cancelled + " stopped: CANCELLED");

            String drained = submit("tabular-classification", 2);
            await().atMost(Duration.ofMinutes(1)).until(() -> proxy.stalled() == 2);
            assertThat(slow.terminate(15))
                    .as("runner exits within 15 s of SIGTERM; log:%n%s", slow.output())
                    .isTrue();
            assertThat(slow.output()).contains("Run " + drained + " stopped: DRAINING");
            assertThat(run(drained).getString("status")).isEqualTo("QUEUED");
            assertThat(lostLeases(drained)).isZero();
            as(owner)
                    .post("/api/v1/teams/{t}/runs/{r}/cancel", team, drained)
                    .then()
                    .statusCode(200);
        }
    }

    @Test
    void aRunnerWhoseDiskCannotTakeTheDatasetGivesTheRunBackAtNoCostAndWaits() throws Exception {
        String name = unique("no-room");
        try (RunnerProcess unfit = RunnerProcess.start(server, runnerToken, name)) {
            // A file where its dataset cache goes: nothing can be written there, as on a full or read-only disk.
            Files.writeString(unfit.workDir().resolve("datasets"), "");
            awaitOffered(name, "tabular-classification");
            String id = submit("tabular-classification", 2);
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> unfit.output().contains("Run " + id + " given back to the queue"));

            assertThat(run(id).getString("status")).isEqualTo("QUEUED");
            // Given back, not left to its lease: the attempt costs the run nothing.
            assertThat(lostLeases(id)).isZero();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> unfit.output().contains("Runner " + name + " claims again in 30 s"));
            try (RunnerProcess healthy = RunnerProcess.start(server, runnerToken, unique("healthy"))) {
                assertThat(awaitStatus(id, "FINISHED").getInt("attempt")).isEqualTo(2);
            }
        }
    }

    @Inject
    AgroalDataSource dataSource;

    private int lostLeases(String run) throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query =
                        connection.prepareStatement("SELECT lost_leases FROM run_queue WHERE run_id = ?")) {
            query.setObject(1, UUID.fromString(run));
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getInt(1);
            }
        }
    }
}
