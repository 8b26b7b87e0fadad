#!/usr/bin/env bash
# The energy meter's real-GPU check and its overhead benchmark with real NVML, on a machine with an NVIDIA GPU,
# PyTorch in python3 and no Java: run bundle-gpu-check.sh first where Maven is, and carry runner/target/gpu-check.
# Usage (from the repository root): runner/src/test/device/gpu-energy-check.sh OUTPUT_DIR
set -uo pipefail
out=${1:?output folder}
bundle=runner/target/gpu-check
java=$bundle/jre/bin/java
cp="$bundle/classes:$bundle/test-classes:$bundle/lib/*"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,power.limit,power.draw,clocks.sm --format=csv 2>&1 | tee "$out/nvidia-smi.txt"
PYTHONUNBUFFERED=1 timeout 240 python3 runner/src/test/device/gpu_energy_check.py "$java" "$cp" "$out" 2>&1 | tee "$out/check.log"
timeout 120 "$java" -cp "$cp" dev.canopy.runner.energy.EnergyMeterBenchmark "${BENCH_SECONDS:-30}" "${BENCH_WARMUP:-10}" 2>&1 | tee "$out/meter-benchmark.log"
