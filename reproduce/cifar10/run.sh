#!/usr/bin/env bash
# The VQ-VAE on CIFAR-10 (van den Oord et al. 2017, section 4.1), every stage from the binary
# batches to RESULTS.md. Rerun after an interruption to continue; rerun after completion ends at
# once. See README.md beside this file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script_name="cifar10/run.sh"
USAGE="run.sh --data DIR --out RUN [--smoke] [--stage NAME] [--device cpu|gpu] [--devices LIST] [--threads T]"
STAGES=(check-data train extract-codes train-prior sample evaluate)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
parse_flags "$USAGE" 0 "$@"
[ -z "$SAMPLE_CLASSES" ] || die "--sample-classes: CIFAR-10's grid has a row for each of its 10 classes"
# shellcheck source=config.sh
. "$here/config.sh"
# the batches directly in DIR or in DIR/cifar-10-batches-bin, as the cifar10: reader takes them
BATCHES="$DATA"
if [ ! -f "$BATCHES/test_batch.bin" ] && [ -d "$DATA/cifar-10-batches-bin" ]; then
  BATCHES="$DATA/cifar-10-batches-bin"
fi
[ -f "$BATCHES/test_batch.bin" ] || die "--data $DATA has no test_batch.bin (CIFAR-10's binary version, cifar-10-batches-bin)"
[ -f "$BATCHES/data_batch_1.bin" ] || die "--data $DATA has no data_batch_1.bin (CIFAR-10's binary version)"
open_run "setting=cifar10 smoke=$SMOKE data=$DATA"

do_check_data() {
  # nothing to convert: the cifar10: reader takes the binary batches as they are; check them here
  # so a truncated download fails before training (records of 1 label byte + 3x32x32 pixels)
  local f size n=0
  for f in "$BATCHES"/data_batch_{1,2,3,4,5}.bin "$BATCHES/test_batch.bin"; do
    [ -f "$f" ] || { log "$(basename "$f") missing: training on the batches present"; continue; }
    size=$(wc -c < "$f")
    if [ "$size" -eq 0 ] || [ $(( size % 3073 )) -ne 0 ]; then
      echo "$script_name: $f: $size bytes is not a whole number of 3073-byte records" >&2
      exit 1
    fi
    n=$(( n + size / 3073 ))
  done
  log "$n images in $BATCHES"
}

do_train() {
  engine_flags train
  "$VQVAE" train --data "cifar10:$DATA" "${VQVAE_FLAGS[@]}" "${ENGINE[@]}" --out "$RUN/vqvae" --resume
}

do_extract() {
  engine_flags extract-codes
  "$VQVAE" extract-codes --model "$RUN/vqvae" --data "cifar10:$DATA" "${ENGINE[@]}" --out "$RUN/codes"
}

do_prior() {
  engine_flags train-prior
  "$VQVAE" train-prior --codes "$RUN/codes" "${PRIOR_FLAGS[@]}" "${ENGINE[@]}" --out "$RUN/prior" --resume
}

do_sample() {
  engine_flags sample
  "$VQVAE" sample --model "$RUN/vqvae" --prior "$RUN/prior" -n $(( SAMPLE_PER_CLASS * 10 )) --seed 0 "${ENGINE[@]}" \
    --out "$RUN/samples.png"
}

do_evaluate() {
  engine_flags evaluate
  stage_times "$RUN/stage-times.txt"
  local notes=()
  if [ "$SMOKE" = 1 ]; then
    notes=(--note "**Smoke run** (--smoke): toy model widths and a few dozen steps. The figures show that every stage runs; they are not comparable with the paper's.")
  fi
  "$VQVAE" evaluate --codes "$RUN/codes" --prior "$RUN/prior" --paper "$here/paper.json" --samples samples.png \
    --timings "$RUN/stage-times.txt" --title "VQ-VAE, CIFAR-10: measured beside van den Oord et al. 2017" \
    "${notes[@]}" --note "Data: $DATA. Held-out figures are on test_batch.bin." "${ENGINE[@]}" --out "$RUN"
}

log "run directory $RUN ($([ "$SMOKE" = 1 ] && echo smoke || echo full) setting)"
stage check-data do_check_data
stage train do_train
stage extract-codes do_extract
stage train-prior do_prior
stage sample do_sample
stage evaluate do_evaluate
finish
