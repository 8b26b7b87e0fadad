#!/usr/bin/env bash
# The training-overhead and serving benchmarks on a machine with more cores than this one (the GPU machine lent to
# some sessions has 16): its CPUs only, with the CPU natives, as here. That machine has no Java and takes at most
# 64 MiB a call, so bundle-cpu-benchmarks.sh packs everything into parts in .devbench/1, .devbench/2, …; carry
# each in a call of its own, while the machine is held (it keeps its files between calls), every call but the
# last running `mkdir -p /opt/canopy-bench-parts && cp .devbench/*/part.* /opt/canopy-bench-parts/`, the last
# one this script.
# Usage (from the repository root): platform-api/src/test/device/cpu-benchmarks.sh OUTPUT_DIR [LOAD_S SOAK_S
# ROUNDS WARM_UP_S] (the serving benchmark's arguments; with the defaults 10 20 3 60 it takes about 5 minutes on
# 2 cores); BENCHMARKS="training serving" (the default) picks which run, TRAINING_ROWS
# the training benchmark's rows, SERVING_OPTIONS options for the platform the serving benchmark starts (for example
# -Dcanopy.serving.threads-per-pass=0).
set -uo pipefail
out=${1:?output folder}
parts=/opt/canopy-bench-parts
b=/opt/canopy-bench
mkdir -p "$out" "$parts"
out=$(cd "$out" && pwd)
cp .devbench/*/part.* "$parts/" 2>/dev/null
# Unpacked once per machine, into a folder that takes $b's name only when complete.
if [ ! -d "$b" ]; then
    rm -rf "$b.partial" && mkdir -p "$b.partial" || exit 1
    if command -v xz >/dev/null; then
        cat "$parts"/part.* | xz -d -T0 | tar -x -C "$b.partial" || exit 1
    else
        cat "$parts"/part.* | python3 -c 'import lzma, shutil, sys
shutil.copyfileobj(lzma.open(sys.stdin.buffer), sys.stdout.buffer)' | tar -x -C "$b.partial" || exit 1
    fi
    # The natives' jar again, stored: DJL reads its entries by name.
    python3 - "$b.partial/canopy-bench" <<'PY' || exit 1
import os, sys, zipfile
b = sys.argv[1]
name = open(os.path.join(b, "natives.jar-name")).read().strip()
src = os.path.join(b, "natives")
with zipfile.ZipFile(os.path.join(b, "quarkus-app/lib/main", name), "w", zipfile.ZIP_STORED) as jar:
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            jar.write(os.path.join(root, f), os.path.relpath(os.path.join(root, f), src))
PY
    mv "$b.partial/canopy-bench" "$b" && rm -rf "$b.partial" || exit 1
    while read -r lib platform; do
        ln -sf "$b/quarkus-app/lib/main/$platform" "$b/runner/lib/$lib"
    done <"$b/runner/lib.map"
fi
# PostgreSQL refuses to run as root; the embedded one then runs under `unshare -U`. Where user namespaces are not
# allowed, the benchmarks run as a user of their own.
as=()
if [ "$(id -u)" = 0 ] && ! unshare -U true 2>/dev/null; then
    id canopy-bench >/dev/null 2>&1 || useradd -m canopy-bench || exit 1
    as=(runuser -u canopy-bench --)
    echo "unshare -U is not allowed here: running as the user canopy-bench"
fi
java=$b/jre/bin/java
cp="$b/bench/test-classes:$b/bench/lib/*:$b/quarkus-app/lib/main/*"
props=(-Dcanopy.jar="$b/quarkus-app/quarkus-run.jar" -Dcanopy.runner.jar="$b/runner/canopy-runner.jar")
{
    echo "cores: $(nproc)"
    grep -m1 'model name' /proc/cpuinfo
    grep MemTotal /proc/meminfo
    "$java" -version 2>&1 | head -1
} | tee "$out/machine.txt"
cd /tmp || exit 1
if [[ " ${BENCHMARKS:-training serving} " == *" training "* ]]; then
    timeout "${TRAINING_TIMEOUT:-300}" ${as[@]+"${as[@]}"} "$java" "${props[@]}" -cp "$cp" dev.canopy.api.bench.TrainingOverheadBenchmark \
        ${TRAINING_ROWS:-} 2>&1 | tee "$out/training-overhead.log"
    echo "training-overhead exit status ${PIPESTATUS[0]}" | tee -a "$out/training-overhead.log"
fi
if [[ " ${BENCHMARKS:-training serving} " == *" serving "* ]]; then
    serving=("${props[@]}")
    [ -n "${SERVING_OPTIONS:-}" ] && serving+=("-Dserving.platform-options=$SERVING_OPTIONS")
    timeout "${SERVING_TIMEOUT:-420}" ${as[@]+"${as[@]}"} "$java" "${serving[@]}" -cp "$cp" dev.canopy.api.bench.ServingBenchmark \
        "${2:-10}" "${3:-20}" "${4:-3}" "${5:-60}" 2>&1 | tee "$out/serving.log"
    echo "serving exit status ${PIPESTATUS[0]}" | tee -a "$out/serving.log"
fi
