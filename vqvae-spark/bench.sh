#!/usr/bin/env bash
# extract-codes throughput: the single-machine command beside the Spark job on a local standalone
# cluster of 1 and of 2 one-core executors, on a generated ImageNet-like folder; checks the files are
# identical. Usage: bench.sh [IMAGES_PER_CLASS (4 classes; default 500)] [WORK_DIR]. Prints a table.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
per="${1:-500}"
work="${2:-$here/target/bench}"
. "$here/spark-env.sh"
vqvae_spark_build "$root"
cli=("$JAVA" -Xmx4g -Dai.djl.offline=true -cp "$root/vqvae-cli/target/classes:$here/target/lib/*:$root/vqvae-cli/target/lib/*"
  org.vqvae.cli.VqvaeCommand)
rm -rf "$work" && mkdir -p "$work"
"$JAVA" "$root/vqvae-cli/src/test/java/org/vqvae/cli/ImageNetLayout.java" "$work/images" 4 "$per"
n=$((4 * per))
# the paper's architecture (hidden 128, 512 codes) at 32x32, one step: encoding costs what a real model's does
"${cli[@]}" train --data "folder:$work/images" --image-size 32 --steps 1 --batch 4 --eval-images 4 --threads 1 \
  --out "$work/model" > "$work/train.log" 2>&1
secs() { local a b; a=$(date +%s.%N); "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }; b=$(date +%s.%N); echo "$b - $a" | bc; }
row() { printf '| %s | %s | %.1f | %.0f |\n' "$1" "$2" "$3" "$(echo "$n / $3" | bc -l)"; }
echo "| run | cores | wall s | images/s (wall) |"
echo "| --- | --- | --- | --- |"
t=$(secs "${cli[@]}" extract-codes --model "$work/model" --data "folder:$work/images" --out "$work/single-1" --threads 1 --workers 1)
row "vqvae extract-codes --threads 1 --workers 1" 1 "$t"
t=$(secs "${cli[@]}" extract-codes --model "$work/model" --data "folder:$work/images" --out "$work/single")
row "vqvae extract-codes (defaults)" "$(nproc)" "$t"
for w in 1 2; do
  export LOCAL_CLUSTER_DIR="$work/cluster-$w" LOCAL_CLUSTER_WORKERS="$w"
  url=$("$here/local-cluster.sh" start)
  trap '"$here/local-cluster.sh" stop' EXIT
  t=$(secs "$here/vqvae-spark.sh" extract-codes --master "$url" --model "$work/model" --data "folder:$work/images" \
    --out "$work/spark-$w" --parquet none --threads 1)
  rate=$(grep -o '[0-9]* images/s per task-second' "$work/last.log" | cut -d' ' -f1)
  "$here/local-cluster.sh" stop
  trap - EXIT
  row "vqvae spark extract-codes, $w executor(s) (tasks: $rate images/s per task-second)" "$w" "$t"
  for f in "$work"/single/*.npy "$work"/single/meta.json; do cmp "$f" "$work/spark-$w/$(basename "$f")"; done
done
echo "(files of every Spark run identical to vqvae extract-codes'; $n images)"
