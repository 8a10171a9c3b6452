#!/usr/bin/env bash
# Runs on a CUDA host without Java or network, from the folder that package.sh made, and writes
# what it measures under OUT_DIR, part by part (a part cut off by a time limit leaves the earlier
# ones):
#   check     which libtorch DJL loaded and a matrix product on the GPU (GpuCheck); a failure ends
#             the run, with the JNI library's unresolved libtorch symbols in OUT_DIR/check.txt
#   train256  the VQ-VAE-2 training step at 256x256, batch 16 and the paper's 128, beside PyTorch eager
#   smoke     reproduce/imagenet256/run.sh --smoke --device gpu on a 400-image folder PhotoFolder writes
#   suite-a   the benchmark report's matrix product, quantizer, encode and decode (BenchReport --device
#             gpu --mode short) in OUT_DIR/suite-a
#   suite-b   its matrix product, training steps, prior steps and samplers in OUT_DIR/suite-b
# Usage: [DEADLINE=EPOCH_SECONDS] DIR/run.sh OUT_DIR [PART ...]   (all of them without a PART); with
# DEADLINE, no part runs past it (a host's time limit)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: run.sh OUT_DIR [check|train256|smoke|suite-a|suite-b ...]}"
shift
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(check train256 smoke suite-a suite-b)
mkdir -p "$out"
# shellcheck source=env.sh
. "$here/env.sh"
java=("$here/jre/bin/java" -Dai.djl.offline=true -cp "$here/vqvae-bench.jar:$here/lib/*")
bench=("${java[@]}" org.vqvae.bench.BenchReport --device gpu --python "$(command -v "$python")"
  --script "$here/python/torch_bench.py")
# limit SECONDS: the part's own limit, or less where DEADLINE comes sooner
limit() {
  local d=$1
  if [ -n "${DEADLINE:-}" ]; then
    local left=$((DEADLINE - $(date +%s) - 10))
    [ "$left" -lt "$d" ] && d=$left
  fi
  [ "$d" -gt 0 ] && echo "$d" || echo 1
}
took() { echo "$1: $(( $(date +%s) - $2 )) s" | tee -a "$out/times.txt"; }

for part in "${parts[@]}"; do
  began=$(date +%s)
  case "$part" in
    check)
      {
        "$python" -c 'import torch; print("host PyTorch", torch.__version__, "CUDA", torch.version.cuda, "devices",
torch.cuda.device_count(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
        nproc
        nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | head -3
      } 2>&1 | tee "$out/host.txt"
      if ! "${java[@]}" org.vqvae.bench.GpuCheck 2>&1 | tee "$out/check.txt"; then
        # which of the JNI library's libtorch symbols this libtorch lacks
        "${java[@]}" -version >/dev/null 2>&1 || echo "the packed Java runtime does not start" >> "$out/check.txt"
        (cd /tmp && rm -rf jni && mkdir jni && cd jni && "$python" -m zipfile -e "$(ls "$here"/lib/pytorch-jni-*.jar)" .)
        "$python" "$here/python/missing_symbols.py" /tmp/jni/jnilib/linux-x86_64/cu128/libdjl_torch.so \
          "$PYTORCH_LIBRARY_PATH" >> "$out/check.txt" 2>&1
        took check "$began"
        exit 1
      fi ;;
    train256)
      timeout "$(limit 240)" "${bench[@]}" --mode short --only TrainStep --param model=vqvae2-256:16,vqvae2-256:128 \
        --out "$out/train256" > "$out/train256.log" 2>&1
      tail -20 "$out/train256.log" ;;
    smoke)
      timeout "$(limit 60)" "${java[@]}" org.vqvae.bench.PhotoFolder --out /tmp/photos --count 400 > "$out/smoke.log" 2>&1
      VQVAE="$here/vqvae" timeout "$(limit 300)" "$here/reproduce/imagenet256/run.sh" --data /tmp/photos --out /tmp/smoke \
        --smoke --device gpu >> "$out/smoke.log" 2>&1
      echo "smoke exit $?" | tee -a "$out/smoke.log"
      mkdir -p "$out/smoke"
      cp /tmp/smoke/RESULTS.md /tmp/smoke/results.json /tmp/smoke/*.png "$out/smoke/" 2>/dev/null
      tail -15 "$out/smoke.log" ;;
    suite-a|suite-b)
      only='Matmul|Quantizer|Codec'
      [ "$part" = suite-b ] && only='Matmul|TrainStep|PriorStep|Sampling'
      timeout "$(limit 420)" "${bench[@]}" --mode short --only "$only" --out "$out/$part" > "$out/$part.log" 2>&1
      tail -30 "$out/$part.log" ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
  took "$part" "$began"
done
