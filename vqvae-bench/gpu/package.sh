#!/usr/bin/env bash
# Packs everything the JVM side needs on a GPU host that has CUDA and a Python PyTorch (libtorch in
# its site-packages) but no Java and no network:
#   DIR/jre          a jlink-ed Java runtime (only the modules the jars use)
#   DIR/lib, DIR/vqvae-bench.jar, DIR/vqvae-cli.jar   the benchmark, the vqvae command and their jars
#                    from Maven Central, without pytorch-native-cpu (libtorch comes from the host's
#                    PyTorch); pytorch-jni is cut down to its Linux JNI libraries
#   DIR/python       the PyTorch-eager counterparts
#   DIR/reproduce    the reproduction scripts, run there with the packed vqvae command
#   DIR/run.sh, DIR/vqvae   what to run on the host
# Usage (repository root, on a machine with a JDK 17 and Maven Central): vqvae-bench/gpu/package.sh [DIR]
# DIR defaults to .gpu (ignored by git). On the host: tar -xJf .gpu.tar.xz -C /tmp && /tmp/.gpu/run.sh OUT_DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/.gpu}"
cd "$root"
./mvnw -B -q -DskipTests install
rm -rf "$out"
mkdir -p "$out/lib" "$out/python"
cp vqvae-bench/target/vqvae-bench.jar vqvae-cli/target/vqvae-cli.jar "$out/"
# the jars the two manifests name (target/lib can hold jars of older builds)
for module in vqvae-bench vqvae-cli; do
  unzip -p "$module/target/$module.jar" META-INF/MANIFEST.MF | tr -d '\r' \
    | awk '/^Class-Path:/ {sub(/^Class-Path: /, ""); p = 1; printf "%s", $0; next}
           p && /^ / {sub(/^ /, ""); printf "%s", $0; next} {p = 0}' | tr ' ' '\n' | grep . \
    | while read -r jar; do
        case "$(basename "$jar")" in
          pytorch-native-cpu-*) ;;  # the host's libtorch replaces it
          pytorch-jni-*)
            # only the Linux JNI libraries: cu128, which DJL loads there, and cpu, to try the package on a CPU
            tmp="$(mktemp -d)"
            (cd "$tmp" && unzip -q "$root/$module/target/$jar" 'jnilib/pytorch.properties' \
              'jnilib/linux-x86_64/cu128/*' 'jnilib/linux-x86_64/cpu/*' 'META-INF/*' && zip -q -r "$out/lib/$(basename "$jar")" .)
            rm -rf "$tmp" ;;
          *) cp "$module/target/$jar" "$out/lib/" ;;
        esac
      done
done
# What the benchmarks and the command load (JMH forks JVMs and reads their management beans; DJL uses
# sun.misc.Unsafe, JNA and XML in places; the command reads and writes images through java.desktop)
modules="java.base,java.desktop,java.logging,java.management,jdk.management,java.naming,java.sql,java.xml,jdk.unsupported"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/jre"
cp vqvae-bench/python/*.py "$out/python/"
mkdir -p "$out/reproduce"
cp -r reproduce/lib.sh reproduce/imagenet256 "$out/reproduce/"
cp vqvae-bench/gpu/run.sh vqvae-bench/gpu/env.sh "$out/"
cp vqvae-bench/gpu/vqvae "$out/"
chmod +x "$out/run.sh" "$out/vqvae"
# the device call carries at most 64 MiB with the working tree: xz takes the 62 MB down to about 41
tar -C "$(dirname "$out")" -cf - "$(basename "$out")" | xz -6 -T0 > "$out.tar.xz.tmp"
mv "$out.tar.xz.tmp" "$out.tar.xz"
echo "packed $(du -sh "$out" | cut -f1) into $out and $(du -sh "$out.tar.xz" | cut -f1) into $out.tar.xz (modules: $modules)"
