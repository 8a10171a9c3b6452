#!/usr/bin/env bash
# vqvae spark JOB --master URL ...: runs a Spark job's driver here (the vqvae launcher dispatches
# `vqvae spark` to this script). Builds vqvae-spark on first use. With a spark:// master the
# executors receive target/vqvae-spark-cluster.jar (the project and DJL; Spark is the cluster's).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
. "$here/spark-env.sh"
vqvae_spark_build "$root"
args=("$@")
for a in "$@"; do
  case "$a" in
    spark://*|yarn|k8s://*) args+=(--conf "spark.jars=$here/target/vqvae-spark-cluster.jar") ;;
  esac
done
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# the vqvae launcher's allocator settings, for the driver and the tasks of a local[N] master
. "$root/malloc-env.sh"
# shellcheck disable=SC2086
exec "$JAVA" ${VQVAE_JAVA_OPTS:--Xmx4g} $SPARK_JVM_OPTIONS -Dai.djl.offline="${VQVAE_OFFLINE:-true}" \
  -cp "$here/target/vqvae-spark.jar:$here/target/lib/*" org.vqvae.spark.SparkMain "${args[@]}"
