#!/usr/bin/env bash
# The real-GPU check of training (GpuTrainingCheck) on a machine with an NVIDIA GPU, PyTorch in python3 and no
# Java: run bundle-gpu-check.sh first where Maven is, and carry runner/target/gpu-check.
# DJL 0.36's CUDA natives are not on Maven Central, so this uses the machine's own libtorch (the `lib` folder of its
# torch package) as the README's GPU section describes: PYTORCH_LIBRARY_PATH, PYTORCH_VERSION and PYTORCH_FLAVOR,
# with DJL's JNI bridge for cu128 from the pytorch-jni jar. When that libtorch is not 2.7.1, the bridge runs against
# another version than it was built for; the check says so and shows whether it works.
# Usage (from the repository root): runner/src/test/device/gpu-training-check.sh OUTPUT_DIR [ROWS]
set -uo pipefail
out=${1:?output folder}
rows=${2:-400000}
bundle=runner/target/gpu-check
java=$bundle/jre/bin/java
cp="$bundle/classes:$bundle/test-classes:$bundle/lib/*"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total,power.limit --format=csv 2>&1 | tee "$out/nvidia-smi.txt"
read -r torch_lib torch_version site <<<"$(python3 -c '
import os, site, torch
print(os.path.join(os.path.dirname(torch.__file__), "lib"), torch.__version__, site.getsitepackages()[0])')"
echo "python torch $torch_version, libtorch in $torch_lib" | tee "$out/torch.txt"
ls "$torch_lib" | tee -a "$out/torch.txt"
# DJL loads every library in that folder but those named in PYTORCH_LIBRARY_EXCLUSION: keep libtorch's own (the
# rest, such as libtorch_python, need a Python process).
export PYTORCH_LIBRARY_EXCLUSION=$(ls "$torch_lib" | grep -v -x -E 'lib(c10|c10_cuda|torch|torch_cpu|torch_cuda)\.so' | paste -sd, -)
export PYTORCH_LIBRARY_PATH=$torch_lib PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128
export ENGINE_CACHE_DIR=$(mktemp -d)
# DJL counts GPUs through the CUDA runtime (JNA, "cudart"); the torch package brings its own, versioned.
cudart=$(find "$site/nvidia" "$torch_lib" -name 'libcudart.so*' 2>/dev/null | sort | tail -1)
jna_dir=$(mktemp -d)
[ -n "$cudart" ] && ln -s "$cudart" "$jna_dir/libcudart.so"
echo "CUDA runtime for DJL: ${cudart:-none found}" | tee -a "$out/torch.txt"
# Which of the symbols the bridge needs this libtorch lacks (none when the versions match). The JVM binds lazily,
# so a missing one only fails when called.
python3 - "$torch_lib" "$bundle/jni-symbols.tsv" <<'PY' 2>&1 | tee "$out/missing-symbols.txt"
import ctypes, os, sys
for name in ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"]:
    ctypes.CDLL(os.path.join(sys.argv[1], name), mode=ctypes.RTLD_GLOBAL)
scope = ctypes.CDLL(None)
lines = [line.rstrip("\n").split("\t") for line in open(sys.argv[2]) if line.strip()]
missing = []
for mangled, readable in lines:
    if mangled.startswith(("_ITM_", "__gmon_start__")):
        continue  # weak, optional in every program
    try:
        scope[mangled]
    except AttributeError:
        missing.append(readable)
print(f"libtorch lacks {len(missing)} of the {len(lines)} symbols DJL's JNI bridge needs")
for name in missing:
    print("  missing:", name)
PY
(nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used,power.draw --format=csv,noheader -lms 500 \
    >"$out/gpu-samples.csv" 2>&1 &
    echo $! >"$out/sampler.pid")
timeout "${CHECK_TIMEOUT:-420}" "$java" -Djna.library.path="$jna_dir" -cp "$cp" \
    dev.canopy.runner.recipe.GpuTrainingCheck "$rows" 2>&1 | tee "$out/check.log"
status=${PIPESTATUS[0]}
kill "$(cat "$out/sampler.pid")" 2>/dev/null
echo "exit status $status" | tee -a "$out/check.log"
# A standalone runner on the same natives: its engine self-test runs before it registers (nothing listens on port 9).
timeout 30 "$java" -Djna.library.path="$jna_dir" -cp "$cp" dev.canopy.runner.worker.RunnerMain \
    --server http://127.0.0.1:9 --token unused --name gpu-check --work-dir "$(mktemp -d)" >"$out/runner.log" 2>&1
echo "standalone runner exit status $? (1: it refused to start; it retries port 9 for ever when its engine works)" |
    tee -a "$out/runner.log"
grep -E "SEVERE|EngineUnusable|Exception|not reachable" "$out/runner.log" | head -5
exit "$status"
