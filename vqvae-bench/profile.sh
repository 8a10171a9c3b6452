#!/usr/bin/env bash
# Operator profiles of both sides, written to bench/PROFILE.md and bench/profile.json: each figure's JMH workload
# under libtorch's profiler beside torch_bench.py's counterpart under torch.profiler. Usage: vqvae-bench/profile.sh
# [--only REGEX] [--threads T] [--iterations N] [--out DIR] (see ProfileReport; the default --only is the 256x256
# codec and training step, the largest quantizer, the PixelCNN prior step and the samplers slower than PyTorch).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ ! -f vqvae-bench/target/vqvae-bench.jar ] || [ -n "$(find vqvae-*/src pom.xml -newer vqvae-bench/target/vqvae-bench.jar -print -quit)" ]; then
  ./mvnw -B -q -DskipTests -pl vqvae-bench -am package
fi
# the allocator settings, for both sides (the Python process inherits them)
. "$root/malloc-env.sh"
exec java -Dai.djl.offline=true -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' \
  org.vqvae.bench.ProfileReport "$@"
