package dev.canopy.runner.energy;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * One GPU's segments between the meter's reads, each charged to the account that owned the device then, and the
 * method that settles them. Pending segments are those whose energy is not known yet: counter segments with a
 * zero delta (the counter moves in steps, 10 Hz on an H200; if it never moves again they are integrated
 * instead), and power segments whose end + shift has no sample yet. Settling charges the owner and the meter's
 * totals alike, so the owners always add up to what was read.
 */
final class DeviceLedger {

    /** [from, to] in monotonic nanos; {@code counter} is the energy counter at {@code to} (counter mode only). */
    record Segment(long from, long to, Account owner, long counter) {}

    private final VisibleGpu gpu;
    private final long pollMillis;
    private final long counterPeriodNanos;
    private final long shiftNanos;
    private final Account totals;
    private final PowerCurve curve = new PowerCurve();
    private final ArrayDeque<Segment> pending = new ArrayDeque<>();
    private Method mode;
    private String powerNote;
    private String unmeasuredNote;
    private long counter;
    private Double base;
    private final Map<Method, String> details = new EnumMap<>(Method.class);

    DeviceLedger(VisibleGpu gpu, long pollMillis, long counterPeriodNanos, Account totals) {
        this.gpu = gpu;
        this.pollMillis = pollMillis;
        this.counterPeriodNanos = counterPeriodNanos;
        this.shiftNanos = gpu.averagedPower() ? 500_000_000L : 0;
        this.totals = totals;
        if (gpu.unmeasuredReason() != null) {
            mode = Method.UNMEASURED;
            unmeasuredNote = gpu.unmeasuredReason();
        } else if (gpu.counterProblem() != null) {
            mode = Method.POWER_INTEGRAL;
            powerNote = "no energy counter: " + gpu.counterProblem();
        } else {
            mode = Method.COUNTER;
        }
    }

    Method mode() {
        return mode;
    }

    PowerCurve curve() {
        return curve;
    }

    /** The first counter value, the base of the first counter segment. */
    void startCounter(long value) {
        counter = value;
    }

    /** A counter segment; a counter that moved settles every pending segment. */
    void addCounter(long from, long to, Account owner, long value) {
        pending.add(new Segment(from, to, owner, value));
        if (value > counter) {
            settle(Long.MAX_VALUE);
        }
    }

    void addPower(long from, long to, Account owner) {
        pending.add(new Segment(from, to, owner, 0));
        settle(Long.MIN_VALUE);
    }

    void addUnmeasured(long from, long to, Account owner) {
        charge(owner, Method.UNMEASURED, null, to - from, null);
    }

    /** Integrates the pending counter segments from here on (or gives up if there is no power sample). */
    void leaveCounter(String why) {
        mode = Method.POWER_INTEGRAL;
        powerNote = "switched from the counter: " + why;
        details.clear();
        base = null;
        if (curve.isEmpty()) {
            toUnmeasured(why + ", and no power reading");
        }
    }

    /** Settles what is pending by holding the last sample, and reads nothing from here on. */
    void toUnmeasured(String why) {
        settle(Long.MAX_VALUE);
        pending.forEach(s -> charge(s.owner(), Method.UNMEASURED, null, s.to() - s.from(), null));
        pending.clear();
        mode = Method.UNMEASURED;
        unmeasuredNote = why;
        details.clear();
    }

    /** Settles what can be; segments ending by {@code forceThroughNanos} are settled even without samples. */
    void settle(long forceThroughNanos) {
        while (!pending.isEmpty()) {
            Segment segment = pending.peekFirst();
            if (mode == Method.COUNTER) {
                if (segment.counter() == counter && segment.to() > forceThroughNanos) {
                    return;
                }
                charge(segment.owner(), Method.COUNTER, (segment.counter() - counter) / 1000.0, span(segment), null);
                counter = segment.counter();
            } else if (mode == Method.POWER_INTEGRAL) {
                long end = segment.to() + shiftNanos;
                boolean held = end > curve.lastNanos();
                if (held && (segment.to() > forceThroughNanos || curve.isEmpty())) {
                    return;
                }
                double[] joules = integrate(segment);
                base = joules[1];
                pending.pollFirst();
                String note = held && lastHeld(segment.owner(), forceThroughNanos) ? heldNote(end) : null;
                charge(segment.owner(), Method.POWER_INTEGRAL, joules[1] - joules[0], span(segment), note);
                continue;
            }
            pending.pollFirst();
        }
    }

    /** Whether a segment ending by {@code nanos} waits for a power sample. */
    boolean awaitsSamples(long nanos) {
        return mode == Method.POWER_INTEGRAL
                && !pending.isEmpty()
                && pending.peekFirst().to() <= nanos;
    }

    /** Adds the pending segments of {@code owner} (null: all) to {@code target} as if settled now. */
    void addProvisional(Account target, Account owner) {
        Double localBase = base;
        for (Segment segment : pending) {
            double joules = 0;
            if (mode == Method.POWER_INTEGRAL) {
                double from = localBase != null ? localBase : curve.integralTo(segment.from() + shiftNanos);
                localBase = curve.integralTo(segment.to() + shiftNanos);
                joules = localBase - from;
            }
            if (owner == null || segment.owner() == owner) {
                add(target, mode, joules, span(segment), null);
            }
        }
    }

    /** Makes sure {@code target} names this device, with zero time, even before its first segment. */
    void ensureEntry(Account target) {
        if (!target.has(Component.GPU, gpu.device().cudaIndex())) {
            add(target, mode, mode == Method.UNMEASURED ? null : 0.0, 0, null);
        }
    }

    /** Forgets power samples older than anything still needed. */
    void dropSamples(long lastReadNanos) {
        long oldest = pending.isEmpty() ? lastReadNanos : pending.peekFirst().from();
        curve.dropBefore(oldest + shiftNanos);
    }

    /** Whether no later segment of {@code owner} is about to be held too (only the last one's note counts). */
    private boolean lastHeld(Account owner, long forceThroughNanos) {
        Segment next = pending.peekFirst();
        return next == null || next.owner() != owner || next.to() > forceThroughNanos;
    }

    private double[] integrate(Segment segment) {
        double from = base != null ? base : curve.integralTo(segment.from() + shiftNanos);
        return new double[] {from, curve.integralTo(segment.to() + shiftNanos)};
    }

    private String heldNote(long end) {
        return String.format(
                Locale.ROOT,
                "no sample after the end yet: the last %.2f s held the final sample",
                (end - curve.lastNanos()) / 1e9);
    }

    private void charge(Account owner, Method method, Double joules, long nanos, String note) {
        add(owner, method, joules, nanos, note);
        add(totals, method, joules, nanos, null);
    }

    private void add(Account account, Method method, Double joules, long nanos, String note) {
        GpuDevice device = gpu.device();
        Account.Key key = new Account.Key(Component.GPU, device.cudaIndex(), method);
        // Without NVML the device has no NVML index: it is named by its CUDA index ("CUDA device N").
        Integer id = device.nvmlIndex() != null ? device.nvmlIndex() : device.cudaIndex();
        account.add(key, id, device.name(), detail(method), joules, nanos, note);
    }

    /** How this device's figures by {@code method} are obtained; built once per note, as polls must stay cheap. */
    String detail(Method method) {
        return details.computeIfAbsent(method, this::describe);
    }

    private String describe(Method method) {
        return switch (method) {
            case COUNTER ->
                "NVML total-energy counter (mJ) read at begin, end and every "
                        + Math.max(pollMillis, counterPeriodNanos / 1_000_000) + " ms";
            case POWER_INTEGRAL ->
                String.format(
                        Locale.ROOT,
                        "NVML power sampled every %d ms, trapezoid rule, %s; ±5 %% of reading (NVML), more under"
                                + " bursty load; %s",
                        pollMillis,
                        shiftNanos > 0
                                ? "samples shifted by -0.5 s (the reading is a 1-s average on this architecture)"
                                : "no shift (instantaneous power before Ampere)",
                        powerNote);
            default -> unmeasuredNote;
        };
    }

    private static long span(Segment segment) {
        return segment.to() - segment.from();
    }
}
