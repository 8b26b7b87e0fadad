#!/usr/bin/env bash
# Packs what gpu-energy-check.sh needs into runner/target/gpu-check: a jlink Java runtime (the device machine has
# no Java), the runner's classes, the two check programs, and the runner dependencies the energy package uses
# (JNA, Commons CSV for the TDP table). Run from the repository root after `mvn -B -pl runner test-compile`.
set -euo pipefail
bundle=runner/target/gpu-check
rm -rf "$bundle"
mkdir -p "$bundle/lib"
cp -r runner/target/classes "$bundle/classes"
mkdir -p "$bundle/test-classes/dev/canopy/runner/energy"
cp runner/target/test-classes/dev/canopy/runner/energy/{GpuEnergyCheck,EnergyMeterBenchmark}*.class \
    "$bundle/test-classes/dev/canopy/runner/energy/"
mvn -B -q -pl runner dependency:build-classpath -Dmdep.outputFile="$PWD/$bundle/classpath.txt"
tr ':' '\n' <"$bundle/classpath.txt" | grep -E '/(jna|commons-csv|commons-io|commons-codec)-[0-9][^/]*\.jar$' |
    xargs -I{} cp {} "$bundle/lib/"
jlink --add-modules java.base,java.logging,java.management,jdk.management,jdk.unsupported \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$bundle/jre"
du -sh "$bundle"
