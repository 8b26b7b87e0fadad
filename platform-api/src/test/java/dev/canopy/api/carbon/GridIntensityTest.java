package dev.canopy.api.carbon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Which row of the shipped tables a zone gets, and when the world average stands in (flagged). */
class GridIntensityTest {

    final GridIntensity grid = new GridIntensity();

    @Test
    void countriesResolveByAlpha2OrAlpha3ToTheirYearlyAverage() {
        Intensity germany = grid.resolve("de");
        assertThat(germany.zone()).isEqualTo("DEU");
        assertThat(germany.gCo2ePerKwh()).isEqualTo(380.9);
        assertThat(germany.year()).isEqualTo(2023);
        assertThat(germany.method()).isEqualTo("yearly average, lifecycle");
        assertThat(germany.fallback()).isFalse();
        assertThat(grid.resolve("DEU")).isEqualTo(germany);
        assertThat(grid.resolve("UK").zone()).isEqualTo("GBR");
    }

    @Test
    void googleCloudRegionsHaveTheirOwnFigure() {
        Intensity paris = grid.resolve("europe-west9");
        assertThat(paris.zone()).isEqualTo("gcp:europe-west9");
        assertThat(paris.gCo2ePerKwh()).isEqualTo(34.0);
        assertThat(paris.year()).isNull();
        assertThat(grid.resolve("gcp:europe-west9")).isEqualTo(paris);
    }

    /**
     * Every Google Cloud region in the shipped table is spelled as Google spells its regions (continent, direction,
     * number): a misspelt one ("me-cenrtal1") would never match a runner's zone, which then got the world average.
     */
    @Test
    void everyGoogleCloudRegionInTheTableIsSpelledAsARegion() throws Exception {
        Pattern region =
                Pattern.compile("[a-z]+-(north|south|east|west|central|northeast|southeast|northwest|southwest)[0-9]+");
        List<String> regions;
        try (BufferedReader table = new BufferedReader(new InputStreamReader(
                GridIntensity.class.getResourceAsStream("grid-intensity-cloud-regions.csv"), StandardCharsets.UTF_8))) {
            regions = table.lines()
                    .filter(line -> line.startsWith("gcp,"))
                    .map(line -> line.split(",")[1])
                    .toList();
        }

        assertThat(regions).hasSizeGreaterThan(30).allMatch(r -> region.matcher(r)
                .matches());
        assertThat(grid.resolve("me-central1").gCo2ePerKwh()).isEqualTo(575.0);
    }

    @Test
    void awsAndAzureRegionsUseTheirCountrysFigureAndSaySo() {
        Intensity frankfurt = grid.resolve("aws:eu-central-1");
        assertThat(frankfurt.gCo2ePerKwh()).isEqualTo(380.9);
        assertThat(frankfurt.zone()).isEqualTo("aws:eu-central-1");
        assertThat(frankfurt.note())
                .isEqualTo(
                        "aws:eu-central-1 is in DEU; the provider publishes no regional figure, so the country's is used");
        assertThat(grid.resolve("westeurope").gCo2ePerKwh())
                .isEqualTo(grid.resolve("NL").gCo2ePerKwh());
    }

    @Test
    void anUnknownOrMissingZoneGetsTheWorldAverageFlagged() {
        Intensity unknown = grid.resolve("atlantis-1");
        assertThat(unknown.zone()).isEqualTo("WLD");
        assertThat(unknown.gCo2ePerKwh()).isEqualTo(481.0);
        assertThat(unknown.fallback()).isTrue();
        assertThat(unknown.note()).isEqualTo("unknown zone 'atlantis-1': the world average is used");
        assertThat(grid.resolve(null).note()).startsWith("no zone was declared");
        assertThat(grid.resolve("ZZ").fallback()).isTrue();
    }
}
