package dev.canopy.api.endpoint;

import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.dataset.DatasetVersionLabel;
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
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The held-out gate: scores the candidate and the live version on a dataset version of the team (copied to a
 * temporary file, then read and scored 1,024 rows at a time) with the metrics their recipe reports, and compares
 * them on the gate's metric. Data either version was trained on fails it unscored.
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
        Optional<GateResult> trainedOn = trainedOn(scope, gate, data, candidate, live);
        if (trainedOn.isPresent()) {
            return trainedOn.get();
        }
        Path csv = null;
        try {
            csv = Files.createTempFile("canopy-held-out", ".csv");
            try (InputStream in = QuarkusTransaction.requiringNew().call(() -> datasets.open(data.id()).stream())) {
                Files.copy(in, csv, StandardCopyOption.REPLACE_EXISTING);
            }
            HeldOutEvaluation.Score candidateScore = score(candidate, csv);
            if (candidateScore.unknownLabels() == candidateScore.rows()) {
                // Every row a miss: scores of 0 would compare as equals and pass a margin of 0.
                return failed(
                        gate,
                        String.format(
                                Locale.ROOT,
                                "none of the %d labelled rows of %s version %d has a label %s was trained on: is it"
                                        + " data for this model?",
                                candidateScore.rows(),
                                data.dataset(),
                                data.version(),
                                candidate.label()));
            }
            Double mine = candidateScore.metrics().get(gate.metric());
            if (mine == null) {
                return failed(gate, candidate.label() + " reports no '" + gate.metric() + "' on " + data.dataset());
            }
            if (!Double.isFinite(mine)) {
                // It answers NaN or infinity on the data: it would fail every request.
                return failed(
                        gate,
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
                                "no live version to beat; %s scored %s = %s on %s version %d (%d labelled rows%s)",
                                candidate.label(),
                                gate.metric(),
                                mine,
                                data.dataset(),
                                data.version(),
                                candidateScore.rows(),
                                unknown(candidateScore, candidate)));
            }
            HeldOutEvaluation.Score liveScore = score(live, csv);
            Double theirs = liveScore.metrics().get(gate.metric());
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
                            "on %s version %d (%d labelled rows%s%s): ",
                            data.dataset(),
                            data.version(),
                            candidateScore.rows(),
                            unknown(candidateScore, candidate),
                            unknown(liveScore, live)));
        } catch (TrainingFailure e) {
            return failed(gate, e.getMessage());
        } catch (IllegalArgumentException e) {
            // A version whose artifact does not load (the warm-up gate says the same): a failed gate, not a 500.
            return failed(gate, e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(csv);
        }
    }

    /**
     * A failed gate when its data is what the candidate or the live version was trained on (the same bytes, in
     * whichever dataset): it is not held out, and a version would be scored on its own training rows.
     */
    private Optional<GateResult> trainedOn(
            TeamScope scope,
            GateSpec gate,
            DatasetVersionRef data,
            RegisteredVersion candidate,
            RegisteredVersion live) {
        for (RegisteredVersion version : new RegisteredVersion[] {candidate, live}) {
            if (version == null || version.trainedOn() == null) {
                continue;
            }
            Optional<DatasetVersionLabel> same =
                    QuarkusTransaction.requiringNew()
                            .call(() -> datasets.findVersions(scope, List.of(version.trainedOn())))
                            .stream()
                            .filter(trained -> trained.sha256().equals(data.sha256()))
                            .findFirst();
            if (same.isPresent()) {
                DatasetVersionLabel trained = same.get();
                boolean itself = trained.id().equals(data.id());
                return Optional.of(failed(
                        gate,
                        String.format(
                                Locale.ROOT,
                                "%s version %d is the data %s was trained on%s: a held-out gate scores on data neither"
                                        + " version was trained on; name another dataset or version",
                                data.dataset(),
                                data.version(),
                                version.label(),
                                itself
                                        ? ""
                                        : " (" + trained.dataset() + " version " + trained.version()
                                                + ", the same bytes)")));
            }
        }
        return Optional.empty();
    }

    private static GateResult failed(GateSpec gate, String detail) {
        return new GateResult(gate.describe(), false, null, null, detail);
    }

    /** ", 10 with a label v2 was not trained on (misses)" when there are any. */
    private static String unknown(HeldOutEvaluation.Score score, RegisteredVersion version) {
        return score.unknownLabels() == 0
                ? ""
                : String.format(
                        Locale.ROOT,
                        ", %d with a label %s was not trained on (misses)",
                        score.unknownLabels(),
                        version.label());
    }

    private HeldOutEvaluation.Score score(RegisteredVersion version, Path csv) throws IOException, TrainingFailure {
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
