package dev.canopy.api.carbon;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The grid intensity tables that ship with the platform: yearly country averages (Ember and Energy Institute via
 * Our World in Data), Google Cloud's regions, and the country of each AWS and Azure region. A zone is an ISO
 * country code (alpha-2 or alpha-3) or a cloud region ({@code europe-west1}, {@code gcp:europe-west1},
 * {@code aws:eu-central-1}, {@code azure:westeurope}); anything else falls back to the world average, flagged.
 */
@ApplicationScoped
public class GridIntensity {

    static final String WORLD = "WLD";

    private final Map<String, Intensity> countries = new HashMap<>();
    private final Map<String, Intensity> gcpRegions = new HashMap<>();
    private final Map<String, String> regionCountries = new HashMap<>();

    public GridIntensity() {
        read(
                "grid-intensity-countries.csv",
                r -> countries.put(
                        r.get("iso3"),
                        new Intensity(
                                r.get("iso3"),
                                Double.parseDouble(r.get("g_co2e_per_kwh")),
                                r.get("source"),
                                Integer.valueOf(r.get("year")),
                                null,
                                "yearly average, " + r.get("method"),
                                false,
                                null)));
        read(
                "grid-intensity-cloud-regions.csv",
                r -> gcpRegions.put(
                        r.get("region"),
                        new Intensity(
                                "gcp:" + r.get("region"),
                                Double.parseDouble(r.get("g_co2e_per_kwh")),
                                r.get("source"),
                                null,
                                null,
                                "location-based, region average",
                                false,
                                null)));
        read(
                "cloud-region-countries.csv",
                r -> regionCountries.put(r.get("provider") + ":" + r.get("region"), r.get("country_iso3")));
    }

    /** The intensity for a zone as a runner or the serving settings declared it (null or blank: undeclared). */
    public Intensity resolve(String zone) {
        if (zone == null || zone.isBlank()) {
            return world("no zone was declared (a runner's --zone or CANOPY_ZONE; canopy.serving.zone for serving)");
        }
        String key = canonical(zone);
        if (countries.containsKey(key)) {
            return countries.get(key);
        }
        if (key.startsWith("gcp:") && gcpRegions.containsKey(key.substring(4))) {
            return gcpRegions.get(key.substring(4));
        }
        String country = regionCountries.get(key);
        if (country != null && countries.containsKey(country)) {
            Intensity row = countries.get(country);
            return new Intensity(
                    key,
                    row.gCo2ePerKwh(),
                    row.source(),
                    row.year(),
                    null,
                    row.method(),
                    false,
                    key + " is in " + country
                            + "; the provider publishes no regional figure, so the country's is used");
        }
        return world("unknown zone '" + zone + "'");
    }

    /**
     * The canonical form of a zone: ISO alpha-3 for countries, {@code provider:region} for cloud regions, else the
     * zone lower-cased. Traces are stored under it, so that "DE" and "DEU" name the same grid.
     */
    public String canonical(String zone) {
        String z = zone.trim();
        if (z.matches("[A-Za-z]{2}")) {
            String upper = z.toUpperCase(Locale.ROOT);
            return "UK".equals(upper) ? "GBR" : alpha3(upper);
        }
        if (z.matches("[A-Za-z]{3}")) {
            return z.toUpperCase(Locale.ROOT);
        }
        String lower = z.toLowerCase(Locale.ROOT);
        if (lower.contains(":")) {
            return lower;
        }
        if (gcpRegions.containsKey(lower)) {
            return "gcp:" + lower;
        }
        for (String provider : new String[] {"aws", "azure"}) {
            if (regionCountries.containsKey(provider + ":" + lower)) {
                return provider + ":" + lower;
            }
        }
        return lower;
    }

    private Intensity world(String why) {
        Intensity world = countries.get(WORLD);
        return new Intensity(
                WORLD,
                world.gCo2ePerKwh(),
                world.source(),
                world.year(),
                null,
                world.method(),
                true,
                why + ": the world average is used");
    }

    private static String alpha3(String alpha2) {
        try {
            return new Locale("", alpha2).getISO3Country();
        } catch (MissingResourceException e) {
            return alpha2;
        }
    }

    private static void read(String name, Consumer<CSVRecord> row) {
        try (InputStream in = GridIntensity.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing reference data " + name);
            }
            CSVFormat.DEFAULT
                    .builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .get()
                    .parse(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .forEach(row);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read reference data " + name, e);
        }
    }
}
