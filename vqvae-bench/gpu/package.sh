#!/usr/bin/env bash
# Packs everything the JVM side of the benchmark needs for a GPU host that has CUDA and a Python
# PyTorch (libtorch in its site-packages) but no Java and no network:
#   DIR/jre          a jlink-ed Java runtime (only the modules the jars use)
#   DIR/lib, DIR/vqvae-bench.jar   the benchmark and its jars from Maven Central, without
#                    pytorch-native-cpu (libtorch comes from the host's PyTorch); pytorch-jni carries
#                    the cu128 JNI library
#   DIR/python       the PyTorch-eager counterparts
#   DIR/run.sh       what to run on the host
# Usage (repository root, on a machine with a JDK 17 and Maven Central): vqvae-bench/gpu/package.sh [DIR]
# DIR defaults to .gpu (ignored by git); it stays under the 64 MiB a device call may carry.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/.gpu}"
cd "$root"
./mvnw -B -q -DskipTests install
rm -rf "$out"
mkdir -p "$out/lib" "$out/python"
cp vqvae-bench/target/vqvae-bench.jar "$out/"
for jar in vqvae-bench/target/lib/*.jar; do
  case "$(basename "$jar")" in
    pytorch-native-cpu-*) ;;  # the host's libtorch replaces it
    *) cp "$jar" "$out/lib/" ;;
  esac
done
# What the benchmarks load (JMH forks JVMs and reads their management beans; DJL uses sun.misc.Unsafe,
# JNA and XML in places). java.desktop (AWT, image IO) is left out: the benchmarks read no images, and
# it would take 11 MB of the 64 MiB a device call carries.
modules="java.base,java.logging,java.management,jdk.management,java.naming,java.sql,java.xml,jdk.unsupported"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/jre"
cp vqvae-bench/python/*.py "$out/python/"
cp vqvae-bench/gpu/run.sh "$out/run.sh"
chmod +x "$out/run.sh"
echo "packed $(du -sh "$out" | cut -f1) into $out (modules: $modules)"
