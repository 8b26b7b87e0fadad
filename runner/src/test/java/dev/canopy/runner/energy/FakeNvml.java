package dev.canopy.runner.energy;

import java.util.ArrayList;
import java.util.List;

/** NVML with devices whose readings the test sets; a failure set on a device is thrown by that call. */
final class FakeNvml implements Nvml {

    /** One fake device: the values the next reads return. */
    static final class Device {
        volatile String name;
        String uuid;
        int architecture = 9;
        long memoryBytes = 80_000_000_000L;
        volatile long counterMillijoules;
        volatile int powerMilliwatts;
        volatile NvmlException counterFailure;
        volatile NvmlException powerFailure;
        int counterReads;

        Device(String name, String uuid) {
            this.name = name;
            this.uuid = uuid;
        }

        /** Power in watts from now on. */
        Device watts(double watts) {
            powerMilliwatts = (int) Math.round(watts * 1000);
            return this;
        }

        /** Adds joules to the energy counter. */
        Device consume(double joules) {
            counterMillijoules += Math.round(joules * 1000);
            return this;
        }
    }

    final List<Device> devices = new ArrayList<>();
    boolean shutDown;

    Device add(String name, String uuid) {
        Device device = new Device(name, uuid);
        devices.add(device);
        return device;
    }

    Device device(int index) {
        return devices.get(index);
    }

    @Override
    public void init() {}

    @Override
    public void shutdown() {
        shutDown = true;
    }

    @Override
    public int deviceCount() {
        return devices.size();
    }

    @Override
    public String name(int index) {
        return device(index).name;
    }

    @Override
    public String uuid(int index) {
        return device(index).uuid;
    }

    @Override
    public long memoryTotalBytes(int index) {
        return device(index).memoryBytes;
    }

    @Override
    public long totalEnergyMillijoules(int index) {
        Device device = device(index);
        device.counterReads++;
        if (device.counterFailure != null) {
            throw device.counterFailure;
        }
        return device.counterMillijoules;
    }

    @Override
    public int powerMilliwatts(int index) {
        Device device = device(index);
        if (device.powerFailure != null) {
            throw device.powerFailure;
        }
        return device.powerMilliwatts;
    }

    @Override
    public int architecture(int index) {
        return device(index).architecture;
    }
}
