package dev.canopy.runner.energy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU energy from Linux RAPL through powercap: the sum of the {@code energy_uj} deltas of the top-level package
 * zones ({@code intel-rapl:N} named "package-…"; AMD's zones appear under the same name on kernels 5.8 and
 * newer). Subzones ({@code intel-rapl:N:M}: core, uncore, dram) are never read, so nothing is counted twice;
 * {@code psys} (the whole SoC) is used only when there is no package zone. A counter that went backwards has
 * wrapped at {@code max_energy_range_uj}.
 */
public final class RaplReader implements CpuEnergySource {

    private static final Pattern TOP_LEVEL_ZONE = Pattern.compile("intel-rapl:(\\d+)");

    record Zone(Path dir, String name, long maxRangeMicrojoules) {}

    private final List<Zone> zones;
    private final long[] last;

    private RaplReader(List<Zone> zones, long[] last) {
        this.zones = zones;
        this.last = last;
    }

    /**
     * Opens the package zones under {@code root} and reads their counters once.
     *
     * @throws IOException saying why RAPL cannot be used: no powercap, no package zone, or no permission
     */
    public static RaplReader open(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("no RAPL: " + root + " is absent");
        }
        List<Zone> all = topLevelZones(root);
        List<Zone> chosen =
                all.stream().filter(z -> z.name().startsWith("package")).toList();
        if (chosen.isEmpty()) {
            chosen = all.stream().filter(z -> z.name().equals("psys")).toList();
        }
        if (chosen.isEmpty()) {
            throw new IOException("no RAPL: no package or psys zone under " + root);
        }
        long[] first = new long[chosen.size()];
        for (int i = 0; i < first.length; i++) {
            first[i] = energy(chosen.get(i));
        }
        return new RaplReader(chosen, first);
    }

    private static List<Zone> topLevelZones(Path root) throws IOException {
        List<Zone> zones = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path dir : entries.filter(p ->
                            TOP_LEVEL_ZONE.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(RaplReader::zoneNumber))
                    .toList()) {
                String name = Files.readString(dir.resolve("name")).trim();
                long max = Long.parseLong(
                        Files.readString(dir.resolve("max_energy_range_uj")).trim());
                zones.add(new Zone(dir, name, max));
            }
        }
        return zones;
    }

    private static int zoneNumber(Path dir) {
        String name = dir.getFileName().toString();
        return Integer.parseInt(name.substring(name.indexOf(':') + 1));
    }

    private static long energy(Zone zone) throws IOException {
        Path file = zone.dir().resolve("energy_uj");
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (AccessDeniedException e) {
            // Since Linux 5.10 energy_uj is readable by root only (CVE-2020-8694).
            throw new IOException("RAPL not readable: permission denied on " + file, e);
        } catch (IOException | NumberFormatException e) {
            throw new IOException("RAPL not readable: " + file + ": " + e.getMessage(), e);
        }
    }

    /** The energy between two readings of a counter that wraps at {@code max}. */
    static long delta(long previous, long current, long max) {
        return current >= previous ? current - previous : max - previous + current;
    }

    @Override
    public Method method() {
        return Method.RAPL;
    }

    @Override
    public String description() {
        return "package zones "
                + zones.stream()
                        .map(z -> z.name() + " (" + z.dir().getFileName() + ")")
                        .collect(Collectors.joining(", "))
                + ", energy_uj deltas";
    }

    @Override
    public double intervalJoules(double seconds, long busyJiffies, long totalJiffies) throws IOException {
        long microjoules = 0;
        for (int i = 0; i < zones.size(); i++) {
            long now = energy(zones.get(i));
            microjoules += delta(last[i], now, zones.get(i).maxRangeMicrojoules());
            last[i] = now;
        }
        return microjoules / 1e6;
    }
}
