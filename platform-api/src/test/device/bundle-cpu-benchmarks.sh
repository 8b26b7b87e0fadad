#!/usr/bin/env bash
# Packs what cpu-benchmarks.sh needs on a machine with no Java and no Maven (the GPU machine lent to some sessions,
# used for its 16 cores): a jlink Java runtime, the packaged platform, the runner jar, the benchmark classes and the
# two test-only jars they use. The CPU natives travel unpacked (libtorch_cpu is 446 MB, 111 MB in its jar; xz
# makes it smaller) and cpu-benchmarks.sh puts their jar together again. The whole is one tar.xz, split into
# parts of PART_MB (default 60) in .devbench/1, .devbench/2, …: a device call carries at most 64 MiB, so each part
# travels in a call of its own (see cpu-benchmarks.sh). With XZ_LEVEL 9e (the default) that made three parts on
# 2026-11-27, in about five minutes on 2 cores.
# Run from the repository root after `mvn -B -o install -DskipTests`.
set -euo pipefail
part_mb=${PART_MB:-60}
app=platform-api/target/quarkus-app
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
b=$stage/canopy-bench
mkdir -p "$b/quarkus-app" "$b/runner/lib" "$b/bench/lib" "$b/natives"
natives=$(ls "$app"/lib/main/ai.djl.pytorch.pytorch-native-cpu-*.jar)
[ "$(echo "$natives" | wc -l)" = 1 ] || { echo "expected one CPU natives jar in $app/lib/main" >&2; exit 1; }
(cd "$app" && tar -cf - --exclude="./lib/main/$(basename "$natives")" .) | tar -xf - -C "$b/quarkus-app"
unzip -q "$natives" -d "$b/natives"
basename "$natives" >"$b/natives.jar-name"
# The runner's lib/ (its jar's Class-Path) holds the same artifacts as the platform's lib/main, under other names:
# cpu-benchmarks.sh links them; what the platform lacks travels as it is.
cp runner/target/canopy-runner.jar "$b/runner/"
(cd "$app/lib/main" && sha1sum ./*.jar) >"$stage/platform-jars.sha1"
for jar in runner/target/lib/*.jar; do
    sum=$(sha1sum "$jar" | cut -c1-40)
    same=$(grep "^$sum" "$stage/platform-jars.sha1" | head -1 | sed 's/.*\.\///' || true)
    if [ "$(basename "$jar")" = "$(basename "$natives" | sed 's/^ai\.djl\.pytorch\.//')" ]; then
        echo "$(basename "$jar") $(basename "$natives")" >>"$b/runner/lib.map"
    elif [ -n "$same" ]; then
        echo "$(basename "$jar") $same" >>"$b/runner/lib.map"
    else
        cp "$jar" "$b/runner/lib/"
    fi
done
cp -r platform-api/target/test-classes "$b/bench/test-classes"
mvn -B -q -o -pl platform-api dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$stage/cp.txt"
tr ':' '\n' <"$stage/cp.txt" | grep -E '/(awaitility|hamcrest)-[^/]*\.jar$' | xargs -I{} cp {} "$b/bench/lib/"
# jdk.security.auth: the embedded PostgreSQL library asks it for the user id (as root it runs initdb under
# `unshare -U`, since PostgreSQL refuses root).
jlink --add-modules java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.management.rmi,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,java.xml.crypto,jdk.attach,jdk.charsets,jdk.crypto.cryptoki,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.naming.dns,jdk.net,jdk.security.auth,jdk.unsupported,jdk.zipfs \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$b/jre"
rm -rf .devbench
mkdir -p .devbench
tar -C "$stage" -cf - canopy-bench | xz -T0 -"${XZ_LEVEL:-9e}" | split -b "${part_mb}M" -d - .devbench/part.
for part in .devbench/part.*; do
    n=$((10#${part##*.} + 1))
    mkdir -p ".devbench/$n"
    mv "$part" ".devbench/$n/"
done
du -sh .devbench/*
