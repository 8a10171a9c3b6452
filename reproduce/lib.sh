# Shared by reproduce/*/run.sh: flags, stage markers, the vqvae command. Sourced, not run.
#
# A stage runs only when RUN/.stages/NAME.done is missing; the marker (the stage's seconds) is
# written to a temporary name and renamed once the stage has finished, so an interrupted stage runs
# again (the training stages continue from their checkpoints with --resume) and a finished one is
# skipped.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# the command line; the tests point VQVAE at their own class path instead of the launcher
VQVAE="${VQVAE:-$repo_root/vqvae}"

script_name="${script_name:-run.sh}"
RUN=""
DATA=""
VAL_DATA=""
SMOKE=0
ONLY_STAGE=""
DEVICES=""
DEVICE=""
THREADS=""
SAMPLE_CLASSES=""

die() {
  echo "$script_name: $*" >&2
  exit 2
}

log() {
  echo "[$script_name $(date +%H:%M:%S)] $*"
}

# parse_flags USAGE ALLOW_VAL_DATA "$@": the flags every run.sh takes
parse_flags() {
  local usage="$1" allow_val="$2"
  shift 2
  while [ $# -gt 0 ]; do
    case "$1" in
      --data|--out|--val-data|--stage|--devices|--device|--threads|--sample-classes)
        [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (usage: $usage)"
        case "$1" in
          --data) DATA="$2" ;;
          --out) RUN="$2" ;;
          --val-data)
            [ "$allow_val" = 1 ] || die "--val-data is not an option here (usage: $usage)"
            VAL_DATA="$2" ;;
          --stage) ONLY_STAGE="$2" ;;
          --devices) DEVICES="$2" ;;
          --device) DEVICE="$2" ;;
          --threads) THREADS="$2" ;;
          --sample-classes) SAMPLE_CLASSES="$2" ;;
        esac
        shift 2 ;;
      --smoke) SMOKE=1; shift ;;
      -h|--help) echo "usage: $usage"; exit 0 ;;
      *) die "unknown flag '$1' (usage: $usage)" ;;
    esac
  done
  [ -n "$DATA" ] || die "--data DIR is required (usage: $usage)"
  [ -n "$RUN" ] || die "--out RUN is required (usage: $usage)"
  [ -d "$DATA" ] || die "--data $DATA: no such directory"
  if [ -n "$VAL_DATA" ] && [ ! -d "$VAL_DATA" ]; then
    die "--val-data $VAL_DATA: no such directory"
  fi
  if [ -n "$ONLY_STAGE" ]; then
    local s ok=0
    for s in "${STAGES[@]}"; do
      [ "$s" = "$ONLY_STAGE" ] && ok=1
    done
    [ "$ok" = 1 ] || die "--stage $ONLY_STAGE: the stages are ${STAGES[*]}"
  fi
  if [ -n "$THREADS" ] && ! [[ "$THREADS" =~ ^[1-9][0-9]*$ ]]; then
    die "--threads must be a positive number, got '$THREADS'"
  fi
  if [ -n "$SAMPLE_CLASSES" ] && ! [[ "$SAMPLE_CLASSES" =~ ^[0-9]+(,[0-9]+)*$ ]]; then
    die "--sample-classes must be class numbers separated by commas, got '$SAMPLE_CLASSES'"
  fi
  DATA="$(cd "$DATA" && pwd)"
  if [ -n "$VAL_DATA" ]; then
    VAL_DATA="$(cd "$VAL_DATA" && pwd)"
  fi
}

# open_run SETTINGS: after the data is checked, creates RUN (or checks it was started with the
# same settings) and checks --devices
open_run() {
  mkdir -p "$RUN/.stages"
  RUN="$(cd "$RUN" && pwd)"
  check_settings "$1"
  check_devices
}

# check_settings TEXT: a run directory keeps the settings it was started with; resuming with
# others would mix two runs' checkpoints
check_settings() {
  local settings="$1" file="$RUN/settings.txt"
  if [ -f "$file" ]; then
    if [ "$(cat "$file")" != "$settings" ]; then
      die "$RUN was started with other settings (see $file): use the same flags or a new --out"
    fi
  else
    printf '%s\n' "$settings" > "$file.tmp.$$"
    mv -f "$file.tmp.$$" "$file"
  fi
}

# check_devices: --devices goes to the training commands, which must have the option (multi-device
# training is being added to the command line); checked before any stage runs
check_devices() {
  local cmd
  [ -n "$DEVICES" ] || return 0
  for cmd in train train-prior; do
    if ! "$VQVAE" "$cmd" --help 2>/dev/null | grep -q -- '--devices'; then
      die "--devices: 'vqvae $cmd' has no --devices option in this build yet; run without --devices"
    fi
  done
}

# engine_flags COMMAND: --device and --threads for every computing command, --devices for the
# training commands
engine_flags() {
  local cmd="$1"
  ENGINE=()
  if [ -n "$DEVICE" ]; then
    ENGINE+=(--device "$DEVICE")
  fi
  if [ -n "$THREADS" ]; then
    # libtorch's intra-op threads; on a shared machine fewer threads than cores can be much faster
    ENGINE+=(--threads "$THREADS")
  fi
  if [ -n "$DEVICES" ]; then
    case "$cmd" in
      train|train-prior) ENGINE+=(--devices "$DEVICES") ;;
    esac
  fi
}

stage_done() {
  [ -f "$RUN/.stages/$1.done" ]
}

# stage NAME FUNCTION: runs FUNCTION unless the stage is done (or --stage names another one)
stage() {
  local name="$1" fn="$2" s
  if [ -n "$ONLY_STAGE" ] && [ "$ONLY_STAGE" != "$name" ]; then
    return 0
  fi
  if stage_done "$name"; then
    log "stage $name: done before ($(cat "$RUN/.stages/$name.done") s), skipped"
    return 0
  fi
  for s in "${STAGES[@]}"; do
    [ "$s" = "$name" ] && break
    stage_done "$s" || die "stage $name needs stage $s first (run without --stage, or with --stage $s)"
  done
  log "stage $name: running"
  local t0 t1 seconds
  t0=$(date +%s%N)
  "$fn"
  t1=$(date +%s%N)
  seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  printf '%s\n' "$seconds" > "$RUN/.stages/$name.done.tmp.$$"
  mv -f "$RUN/.stages/$name.done.tmp.$$" "$RUN/.stages/$name.done"
  log "stage $name: done in $seconds s"
}

# stage_times FILE: 'stage seconds' of every finished stage, for vqvae evaluate --timings
stage_times() {
  local s out="$1"
  : > "$out.tmp.$$"
  for s in "${STAGES[@]}"; do
    if stage_done "$s"; then
      echo "$s $(cat "$RUN/.stages/$s.done")" >> "$out.tmp.$$"
    fi
  done
  mv -f "$out.tmp.$$" "$out"
}

# finish: the closing line of a run
finish() {
  if [ -n "$ONLY_STAGE" ]; then
    log "stage $ONLY_STAGE finished; rerun without --stage for the rest"
  else
    log "all stages done: $RUN/RESULTS.md, $RUN/results.json"
  fi
}
