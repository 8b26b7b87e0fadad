package dev.canopy.runner.energy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The meter's reads and who is charged for them. Each read closes an interval at "now": the process's CPU and
 * RAM energy of the interval is split equally among the slots holding a run (the process's work is theirs: a slot
 * without one is a runner waiting its turn), or among all slots' idle accounts while none does; and each slot
 * device's segment goes to the run holding it, else to its slot's idle account. Devices no slot owns are not read. Everything charged is also added to the totals, so runs plus idle
 * always add up to what was read. Not thread-safe: the meter's lock guards it.
 */
final class MeterLedger {

    private final MeterClock clock;
    private final HostMeter host;
    private final Account totals;
    private final List<Slot> slots = new ArrayList<>();
    private long lastNanos;
    private Instant lastWall;
    private boolean closed;

    MeterLedger(MeterClock clock, HostMeter host) {
        this.clock = clock;
        this.host = host;
        this.lastNanos = clock.nanos();
        this.lastWall = clock.now();
        this.totals = new Account(lastWall);
    }

    long lastNanos() {
        return lastNanos;
    }

    Instant lastWall() {
        return lastWall;
    }

    Account totals() {
        return totals;
    }

    HostMeter host() {
        return host;
    }

    List<Slot> slots() {
        return slots;
    }

    void add(Slot slot) {
        slots.add(slot);
    }

    /** Reads everything now, exactly, and charges the interval since the last read; nothing once closed. */
    void read() {
        read(true);
    }

    /**
     * Reads now and charges the interval since the last read; nothing once closed. A periodic read ({@code
     * exact} false, the poll thread's) leaves a GPU's energy counter unread until its counter period is up.
     */
    void read(boolean exact) {
        long nanos = clock.nanos();
        if (closed || nanos <= lastNanos) {
            return;
        }
        Instant wall = clock.now();
        long span = nanos - lastNanos;
        HostMeter.Interval interval = host.read(span / 1e9);
        charge(totals, interval, 1.0, span);
        long running = slots.stream().filter(s -> s.run() != null).count();
        for (Slot slot : slots) {
            Account owner = slot.owner();
            double share = running == 0 ? 1.0 / slots.size() : slot.run() == null ? 0 : 1.0 / running;
            charge(owner, interval, share, span);
            owner.addTime(span);
            for (DeviceMeter device : slot.meters()) {
                device.read(nanos, slot.ownerOf(device), exact);
            }
        }
        totals.addTime(span);
        lastNanos = nanos;
        lastWall = wall;
    }

    private void charge(Account account, HostMeter.Interval interval, double share, long nanos) {
        account.add(
                new Account.Key(Component.CPU, -1, interval.cpuMethod()),
                null,
                null,
                interval.cpuDetail(),
                interval.cpuJoules() * share,
                nanos,
                null);
        account.add(
                new Account.Key(Component.RAM, -1, Method.MODEL),
                null,
                null,
                interval.ramDetail(),
                interval.ramJoules() * share,
                nanos,
                null);
    }

    /**
     * {@code owner}'s reading up to the last read, with its pending GPU segments on {@code devices} as if settled
     * now ({@code owner} null: the totals, all devices).
     */
    EnergyReading reading(Account account, Account owner, List<DeviceMeter> devices, Instant at) {
        Account snapshot = account.copy();
        for (DeviceMeter device : devices) {
            device.ledger().addProvisional(snapshot, owner);
            device.ledger().ensureEntry(snapshot);
        }
        if (!snapshot.has(Component.CPU, -1)) {
            charge(
                    snapshot,
                    new HostMeter.Interval(host.cpu().method(), host.cpuDetail(), 0, host.ramDetail(), 0),
                    1,
                    0);
        }
        return snapshot.reading(at);
    }

    /** Every device of every slot. */
    List<DeviceMeter> allDevices() {
        return slots.stream().flatMap(s -> s.meters().stream()).toList();
    }

    /** A last read, every pending segment settled, and no reads after it. */
    void close() {
        read();
        allDevices().forEach(d -> d.ledger().settle(Long.MAX_VALUE));
        closed = true;
    }

    boolean closed() {
        return closed;
    }
}
