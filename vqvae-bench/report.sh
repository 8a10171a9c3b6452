#!/usr/bin/env bash
# The benchmark report: the JMH suite beside its PyTorch-eager counterparts, in one run, written to
# bench/REPORT.md and bench/report.json. Usage: vqvae-bench/report.sh [--mode short|long] [--threads T]
# [--device cpu|gpu] [--out DIR] [--only REGEX] [--loader-images N] [--photos DIR].
# The data-loader comparison (LoaderBenchmark beside torchvision) runs on the CPU after the suite: --only Loader
# runs it alone, --loader-images 0 skips it, --photos DIR crops its JPEGs from the PNG/JPEG photos in DIR (e.g.
# links to astronaut.png, chelsea.png, coffee.png, rocket.jpg... of /usr/lib/python3/dist-packages/skimage/data,
# Debian's python3-skimage), else it synthesises them. The PyTorch side needs Debian's python3-torch,
# python3-torchvision and libopenblas0-pthread (skipped, and said so in the report, when python3 cannot import
# torch).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ ! -f vqvae-bench/target/vqvae-bench.jar ] || [ -n "$(find vqvae-*/src pom.xml -newer vqvae-bench/target/vqvae-bench.jar -print -quit)" ]; then
  ./mvnw -B -q -DskipTests install
fi
# the same allocator settings as the vqvae launcher, for both sides (the Python process inherits them)
. "$root/malloc-env.sh"
exec java -Dai.djl.offline=true -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' \
  org.vqvae.bench.BenchReport --out bench "$@"
