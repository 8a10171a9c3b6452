# Sourced by run.sh and vqvae in a folder that package.sh made: points DJL at the host's libtorch (the
# Python PyTorch's site-packages/torch/lib) and at the cu128 JNI library bundled in pytorch-jni.
python="${PYTHON:-python3}"
if [ -z "${PYTORCH_LIBRARY_PATH:-}" ]; then
  PYTORCH_LIBRARY_PATH="$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
fi
export PYTORCH_LIBRARY_PATH
# the version and flavour of the JNI library inside pytorch-jni-2.7.1-0.36.0.jar; DJL would otherwise
# try to download a JNI library built for the host's libtorch version
export PYTORCH_VERSION="${PYTORCH_VERSION:-2.7.1}"
export PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-cu128}"
export LD_LIBRARY_PATH="$PYTORCH_LIBRARY_PATH:${LD_LIBRARY_PATH:-}"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-/tmp/djl-cache}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-4294967296}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-68719476736}"
export MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-1073741824}"
# one malloc arena: in a JVM, DJL runs on threads other than the process's first, whose arenas
# cannot hold a tensor over 64 MB, so every such tensor was mapped afresh (page faults) despite the above
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
