package dev.canopy.runner.energy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The energy charged to one owner (a run, a slot's idle time, or the meter's total of everything read), by
 * component, device and method, with the metered time of the owner. Not thread-safe: the meter's lock guards it.
 */
final class Account {

    /** {@code order} keeps a GPU's entries apart (its CUDA index); -1 for CPU and RAM. */
    record Key(Component component, int order, Method method) {}

    private static final Comparator<Key> ORDER =
            Comparator.comparing(Key::component).thenComparingInt(Key::order).thenComparing(Key::method);

    private static final class Entry {
        Integer device;
        String deviceName;
        String detail;
        Double joules;
        long nanos;
        final Set<String> notes = new LinkedHashSet<>();
    }

    private final Instant since;
    private final Map<Key, Entry> entries = new TreeMap<>(ORDER);
    private long nanos;

    Account(Instant since) {
        this.since = since;
    }

    /**
     * Charges {@code joules} (null for {@link Method#UNMEASURED}) over {@code nanos} to the entry of {@code
     * key}; {@code detail} replaces the entry's description, {@code note} (nullable) is added to it once.
     */
    void add(Key key, Integer device, String deviceName, String detail, Double joules, long nanos, String note) {
        Entry entry = entries.computeIfAbsent(key, k -> new Entry());
        entry.device = device;
        entry.deviceName = deviceName;
        entry.detail = detail;
        if (joules != null) {
            entry.joules = (entry.joules == null ? 0 : entry.joules) + joules;
        }
        entry.nanos += nanos;
        if (note != null) {
            entry.notes.add(note);
        }
    }

    /** Adds metered time to the owner. */
    void addTime(long nanos) {
        this.nanos += nanos;
    }

    boolean has(Component component, int order) {
        return entries.keySet().stream().anyMatch(k -> k.component() == component && k.order() == order);
    }

    /** A copy to add provisional figures to. */
    Account copy() {
        Account copy = new Account(since);
        copy.nanos = nanos;
        entries.forEach((key, entry) -> {
            copy.add(key, entry.device, entry.deviceName, entry.detail, entry.joules, entry.nanos, null);
            copy.entries.get(key).notes.addAll(entry.notes);
        });
        return copy;
    }

    /** The account as a reading up to {@code at}. */
    EnergyReading reading(Instant at) {
        List<ComponentEnergy> components = new ArrayList<>();
        entries.forEach((key, entry) -> {
            boolean unmeasured = key.method() == Method.UNMEASURED;
            List<String> parts = new ArrayList<>();
            parts.add(entry.detail);
            parts.addAll(entry.notes);
            if (unmeasured) {
                parts.add(String.format(
                        Locale.ROOT, "%.1f s of %.1f s could not be read", entry.nanos / 1e9, nanos / 1e9));
            }
            components.add(new ComponentEnergy(
                    key.component(),
                    entry.device,
                    entry.deviceName,
                    key.method(),
                    unmeasured ? null : (entry.joules == null ? 0.0 : entry.joules),
                    String.join("; ", parts)));
        });
        return new EnergyReading(since, at, nanos / 1e9, components);
    }
}
