#!/usr/bin/env bash
# VQ-VAE-2 on ImageNet at 256x256 (Razavi et al. 2019), every stage from image folders to
# RESULTS.md. Rerun after an interruption to continue; rerun after completion ends at once.
# See README.md beside this file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script_name="imagenet256/run.sh"
USAGE="run.sh --data DIR --out RUN [--val-data DIR] [--smoke] [--stage NAME] [--device cpu|gpu] [--devices LIST] [--threads T] [--sample-classes C,C,...]"
STAGES=(prepare train extract-codes train-top-prior train-bottom-prior sample evaluate)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
parse_flags "$USAGE" 1 "$@"
# shellcheck source=config.sh
. "$here/config.sh"
if ! find "$DATA" -mindepth 1 -maxdepth 1 -type d -print -quit | grep -q .; then
  die "--data $DATA has no class sub-folders (ImageNet's layout: DIR/CLASS/*.JPEG)"
fi
open_run "setting=imagenet256 smoke=$SMOKE data=$DATA val_data=$VAL_DATA"

VAL_SPEC=()
if [ -n "$VAL_DATA" ]; then
  VAL_SPEC=(--val-data "folder:$VAL_DATA")
fi

do_prepare() {
  # decoded, resized and cropped once; a rerun writes only the missing shards
  "$VQVAE" prepare --data "folder:$DATA" "${PREPARE_FLAGS[@]}" --out "$RUN/shards"
}

do_train() {
  engine_flags train
  "$VQVAE" train --data "shards:$RUN/shards" "${VAL_SPEC[@]}" --image-size "$IMAGE_SIZE" "${VQVAE_FLAGS[@]}" "${ENGINE[@]}" \
    --out "$RUN/vqvae" --resume
}

do_extract() {
  engine_flags extract-codes
  # written to temporary files and moved into place: an interrupted extraction starts again
  "$VQVAE" extract-codes --model "$RUN/vqvae" --data "shards:$RUN/shards" "${VAL_SPEC[@]}" "${ENGINE[@]}" \
    --out "$RUN/codes"
}

do_top_prior() {
  engine_flags train-prior
  "$VQVAE" train-prior --codes "$RUN/codes" "${TOP_PRIOR_FLAGS[@]}" "${ENGINE[@]}" --out "$RUN/prior-top" --resume
}

do_bottom_prior() {
  engine_flags train-prior
  "$VQVAE" train-prior --codes "$RUN/codes" "${BOTTOM_PRIOR_FLAGS[@]}" "${ENGINE[@]}" --out "$RUN/prior-bottom" \
    --resume
}

do_sample() {
  engine_flags sample
  local classes rows n
  classes=$(find "$DATA" -mindepth 1 -maxdepth 1 -type d | wc -l)
  rows="${SAMPLE_CLASSES:-}"
  if [ -z "$rows" ] && [ "$classes" -gt 10 ]; then
    rows="$DEFAULT_SAMPLE_CLASSES"
  fi
  local flags=()
  if [ -n "$rows" ]; then
    flags=(--classes "$rows")
    n=$(( SAMPLE_PER_CLASS * $(echo "$rows" | tr ',' '\n' | wc -l) ))
  else
    n=$(( SAMPLE_PER_CLASS * classes ))
  fi
  "$VQVAE" sample --model "$RUN/vqvae" --top-prior "$RUN/prior-top" --bottom-prior "$RUN/prior-bottom" \
    "${flags[@]}" -n "$n" --seed 0 "${ENGINE[@]}" --out "$RUN/samples.png"
}

do_evaluate() {
  engine_flags evaluate
  stage_times "$RUN/stage-times.txt"
  local notes=()
  if [ "$SMOKE" = 1 ]; then
    notes=(--note "**Smoke run** (--smoke): 64x64 images, toy model widths and a few dozen steps. The figures show that every stage runs; they are not comparable with the paper's.")
  fi
  "$VQVAE" evaluate --codes "$RUN/codes" --top-prior "$RUN/prior-top" --bottom-prior "$RUN/prior-bottom" \
    --paper "$here/paper.json" --samples samples.png --timings "$RUN/stage-times.txt" \
    --title "VQ-VAE-2, ImageNet ${IMAGE_SIZE}x${IMAGE_SIZE}: measured beside Razavi et al. 2019" "${notes[@]}" \
    --note "Data: $DATA${VAL_DATA:+, held out: $VAL_DATA}. Held-out figures are on ${VAL_DATA:+the --val-data images}${VAL_DATA:-every tenth image of the data}." \
    "${ENGINE[@]}" --out "$RUN"
}

log "run directory $RUN ($([ "$SMOKE" = 1 ] && echo smoke || echo full) setting)"
stage prepare do_prepare
stage train do_train
stage extract-codes do_extract
stage train-top-prior do_top_prior
stage train-bottom-prior do_bottom_prior
stage sample do_sample
stage evaluate do_evaluate
finish
