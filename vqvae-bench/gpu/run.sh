#!/usr/bin/env bash
# Runs the benchmark report on a CUDA device of a host without Java or network, from the folder that
# package.sh made. DJL is pointed at the host's libtorch (the Python PyTorch's site-packages/torch/lib)
# and extracts the cu128 JNI library bundled in pytorch-jni. Usage: DIR/run.sh OUT_DIR [BenchReport options]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: run.sh OUT_DIR [options]}"
shift
python="${PYTHON:-python3}"
torch_dir="$("$python" -c 'import os, torch; print(os.path.dirname(torch.__file__))')"
export PYTORCH_LIBRARY_PATH="$torch_dir/lib"
# the version and flavour of the JNI library inside pytorch-jni-2.7.1-0.36.0.jar; DJL would otherwise
# try to download a JNI library built for the host's libtorch version
export PYTORCH_VERSION="${PYTORCH_VERSION:-2.7.1}"
export PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-cu128}"
export LD_LIBRARY_PATH="$torch_dir/lib:${LD_LIBRARY_PATH:-}"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-/tmp/djl-cache}"
"$python" -c 'import torch; print("host PyTorch", torch.__version__, "CUDA", torch.version.cuda, "devices", torch.cuda.device_count())'
"$here/jre/bin/java" -Dai.djl.offline=true -cp "$here/vqvae-bench.jar:$here/lib/*" org.vqvae.bench.GpuCheck
"$here/jre/bin/java" -Dai.djl.offline=true -cp "$here/vqvae-bench.jar:$here/lib/*" org.vqvae.bench.BenchReport \
  --device gpu --python "$(command -v "$python")" --script "$here/python/torch_bench.py" --out "$out" "$@"
