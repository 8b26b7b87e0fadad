/**
 * Energy meters for runs: GPU energy from NVML (the device's energy counter, else integrated power), CPU energy
 * from RAPL (else a TDP × load model) and RAM energy from a watts-per-GB model, attributed to the runs of a
 * runner process's worker slots with the rest kept as each slot's idle energy. Every figure names the method
 * that produced it, and nothing here knows HTTP, Quarkus or the worker loop.
 *
 * <p>Start with {@link dev.canopy.runner.energy.EnergyMeter#start}; the seams ({@link
 * dev.canopy.runner.energy.Nvml}, {@link dev.canopy.runner.energy.CpuEnergySource}, {@link
 * dev.canopy.runner.energy.ProcReader}, {@link dev.canopy.runner.energy.MeterClock}) let tests drive it with
 * exact values.
 */
package dev.canopy.runner.energy;
