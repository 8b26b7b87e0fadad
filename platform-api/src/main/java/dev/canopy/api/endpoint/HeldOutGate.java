package dev.canopy.api.endpoint;

import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.dataset.DatasetVersionRef;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.api.team.TeamScope;
import dev.canopy.runner.inference.TabularModel;
import dev.canopy.runner.recipe.HeldOutEvaluation;
import dev.canopy.runner.recipe.TrainingFailure;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;

/**
 * The held-out gate: scores the candidate and the live version on a dataset version of the team (copied to a
 * temporary file, then read and scored 1,024 rows at a time) with the metrics their recipe reports, and compares
 * them on the gate's metric.
 */
@ApplicationScoped
class HeldOutGate {

    @Inject
    DatasetService datasets;

    @Inject
    ModelService models;

    GateResult evaluate(TeamScope scope, GateSpec gate, RegisteredVersion candidate, RegisteredVersion live) {
        DatasetVersionRef data;
        try {
            data = QuarkusTransaction.requiringNew()
                    .call(() -> datasets.resolve(scope, gate.dataset(), gate.datasetVersion()));
        } catch (InvalidRequest e) {
            // The dataset service names its own field ("version"); the gate's is datasetVersion.
            throw new InvalidRequest(
                    "datasetVersion",
                    e.details().isEmpty() ? e.getMessage() : e.details().get(0).problem());
        }
        Path csv = null;
        try {
            csv = Files.createTempFile("canopy-held-out", ".csv");
            try (InputStream in = QuarkusTransaction.requiringNew().call(() -> datasets.open(data.id()).stream())) {
                Files.copy(in, csv, StandardCopyOption.REPLACE_EXISTING);
            }
            Double mine = score(candidate, csv).get(gate.metric());
            if (mine == null) {
                return new GateResult(
                        gate.describe(),
                        false,
                        null,
                        null,
                        candidate.label() + " reports no '" + gate.metric() + "' on " + data.dataset());
            }
            if (!Double.isFinite(mine)) {
                // It answers NaN or infinity on the data: it would fail every request.
                return new GateResult(
                        gate.describe(),
                        false,
                        null,
                        null,
                        candidate.label() + " scored " + gate.metric() + " = " + mine + " on " + data.dataset()
                                + ": its answers are not finite");
            }
            if (live == null) {
                return new GateResult(
                        gate.describe(),
                        true,
                        mine,
                        null,
                        String.format(
                                Locale.ROOT,
                                "no live version to beat; %s scored %s = %s on %s version %d",
                                candidate.label(),
                                gate.metric(),
                                mine,
                                data.dataset(),
                                data.version()));
            }
            Double theirs = score(live, csv).get(gate.metric());
            if (theirs != null && !Double.isFinite(theirs)) {
                // The live version is the faulty one: any finite score beats it.
                return new GateResult(
                        gate.describe(),
                        true,
                        mine,
                        null,
                        live.label() + " scored " + gate.metric() + " = " + theirs + " on " + data.dataset() + "; "
                                + candidate.label() + " scored " + mine);
            }
            if (theirs == null) {
                return new GateResult(
                        gate.describe(),
                        false,
                        mine,
                        null,
                        live.label() + " reports no '" + gate.metric() + "' on " + data.dataset());
            }
            return PromotionGates.compare(
                    gate,
                    candidate,
                    mine,
                    live,
                    theirs,
                    String.format(
                            Locale.ROOT,
                            "on %s version %d (%d rows): ",
                            data.dataset(),
                            data.version(),
                            data.rowCount()));
        } catch (TrainingFailure e) {
            return new GateResult(gate.describe(), false, null, null, e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(csv);
        }
    }

    private Map<String, Double> score(RegisteredVersion version, Path csv) throws IOException, TrainingFailure {
        byte[] artifact;
        try (InputStream in = models.openArtifact(version)) {
            artifact = in.readAllBytes();
        }
        try (TabularModel model = TabularModel.load(artifact)) {
            return HeldOutEvaluation.score(model, csv);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                file.toFile().deleteOnExit();
            }
        }
    }
}
