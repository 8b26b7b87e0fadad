package dev.canopy.runner.energy;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * CPU model name → TDP in watts, from {@code cpu-tdp.csv}: public vendor specifications as collected by the
 * CodeCarbon project (MIT).
 *
 * <p>Matching: both names are normalised (lower case; "(R)", "(TM)" and any other parenthesised note, "CPU",
 * "Processor", "@ 2.60GHz", "16-Core" and "with Radeon … Graphics" dropped; vendor words kept). The entry whose
 * normalised name equals the model's wins; else the longest entry whose tokens all appear as a contiguous run in
 * the model's tokens. The entry must hold a token with a digit ("AMD EPYC" alone names no model), and a tie
 * between different TDPs matches nothing: no fuzzier guessing.
 */
final class CpuTdpTable {

    private static final String RESOURCE = "cpu-tdp.csv";
    private static final List<String> DROPPED_TOKENS = List.of("cpu", "processor");
    /** A few upstream rows hold mangled ranges ("27.29.5" for 27.2-29.5 W): they are skipped, not guessed. */
    private static final Pattern WATTS = Pattern.compile("\\d+(\\.\\d+)?");

    record Entry(String name, List<String> tokens, double watts) {}

    private final List<Entry> entries;

    CpuTdpTable(List<Entry> entries) {
        this.entries = entries;
    }

    /** The table shipped in the runner's resources. */
    static CpuTdpTable bundled() {
        try (InputStream in = CpuTdpTable.class.getResourceAsStream(RESOURCE);
                Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            CSVFormat format = CSVFormat.DEFAULT
                    .builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .get();
            List<Entry> entries = format.parse(reader).stream()
                    .filter(row -> WATTS.matcher(row.get("tdp_watts")).matches())
                    .map(CpuTdpTable::entry)
                    .filter(e -> e.tokens().stream().anyMatch(CpuTdpTable::hasDigit))
                    .toList();
            return new CpuTdpTable(entries);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    private static Entry entry(CSVRecord row) {
        String name = row.get("cpu_model");
        return new Entry(name, normalise(name), Double.parseDouble(row.get("tdp_watts")));
    }

    /** The entry for a CPU model name, if one matches (see the class comment). */
    Optional<Entry> match(String model) {
        List<String> tokens = normalise(model);
        Optional<Entry> exact =
                entries.stream().filter(e -> e.tokens().equals(tokens)).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        Comparator<Entry> longest = Comparator.<Entry>comparingInt(
                        e -> e.tokens().size())
                .thenComparingInt(e -> String.join(" ", e.tokens()).length());
        List<Entry> contained = entries.stream()
                .filter(e -> Collections.indexOfSubList(tokens, e.tokens()) >= 0)
                .sorted(longest.reversed())
                .toList();
        if (contained.isEmpty()) {
            return Optional.empty();
        }
        Entry best = contained.get(0);
        boolean tie = contained.size() > 1
                && longest.compare(best, contained.get(1)) == 0
                && best.watts() != contained.get(1).watts();
        return tie ? Optional.empty() : Optional.of(best);
    }

    /** The tokens a name is compared by. */
    static List<String> normalise(String name) {
        String cleaned = name.toLowerCase(Locale.ROOT)
                .replace("®", " ")
                .replace("™", " ")
                .replaceAll("\\([^)]*\\)", " ")
                .replaceAll("@\\s*[\\d.]+\\s*[gm]hz", " ")
                .replaceAll("with radeon.*?graphics", " ")
                .replaceAll("\\b\\w+-core\\b", " ");
        return Arrays.stream(cleaned.trim().split("\\s+"))
                .filter(t -> !t.isEmpty() && !DROPPED_TOKENS.contains(t))
                .toList();
    }

    private static boolean hasDigit(String token) {
        return token.chars().anyMatch(Character::isDigit);
    }
}
