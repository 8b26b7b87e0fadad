#!/usr/bin/env bash
# Packs what the device checks need into runner/target/gpu-check: a jlink Java runtime (the device machine has no
# Java), the runner's classes and test classes (the check programs, the penguins dataset), and the runner's runtime
# dependencies except the CPU natives (pytorch-native-cpu, 107 MB): on the GPU machine DJL loads the libtorch of its
# PyTorch install instead (gpu-training-check.sh). Run from the repository root after
# `mvn -B -pl runner test-compile`; carry runner/target/gpu-check (about 50 MB).
set -euo pipefail
bundle=runner/target/gpu-check
rm -rf "$bundle"
mkdir -p "$bundle/lib"
cp -r runner/target/classes "$bundle/classes"
cp -r runner/target/test-classes "$bundle/test-classes"
mvn -B -q -pl runner dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$PWD/$bundle/classpath.txt"
tr ':' '\n' <"$bundle/classpath.txt" |
    grep -v -E '/(pytorch-native-[^/]*|junit-[^/]*|opentest4j-[^/]*|apiguardian-[^/]*|jspecify-[^/]*|assertj-[^/]*|byte-buddy-[^/]*|awaitility-[^/]*|hamcrest-[^/]*)\.jar$' |
    xargs -I{} cp {} "$bundle/lib/"
# What DJL's cu128 JNI bridge needs from libtorch, mangled and demangled: gpu-training-check.sh lists those a
# machine's libtorch lacks.
jni=$(ls "$bundle"/lib/pytorch-jni-*.jar)
unzip -p "$jni" jnilib/linux-x86_64/cu128/libdjl_torch.so >"$bundle/libdjl_torch-cu128.so"
nm -D --undefined-only "$bundle/libdjl_torch-cu128.so" | awk '{print $2}' | sed 's/@.*//' >"$bundle/jni-symbols.txt"
c++filt <"$bundle/jni-symbols.txt" | paste "$bundle/jni-symbols.txt" - >"$bundle/jni-symbols.tsv"
rm "$bundle/jni-symbols.txt" "$bundle/libdjl_torch-cu128.so"
jlink --add-modules java.base,java.logging,java.management,jdk.management,jdk.unsupported \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$bundle/jre"
du -sh "$bundle"
