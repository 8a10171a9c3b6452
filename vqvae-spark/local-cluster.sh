#!/usr/bin/env bash
# A standalone Spark cluster on 127.0.0.1 from the jars Maven resolved: one master, two workers of
# one core each. `start` prints the master URL (spark://127.0.0.1:PORT); `stop` ends the processes
# `start` recorded (and only those). State and logs: target/local-cluster/ (LOCAL_CLUSTER_DIR).
# VQVAE_SPARK_CLASSPATH (colon-separated) replaces target/lib's jars: the tests pass their own.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/spark-env.sh"
dir="${LOCAL_CLUSTER_DIR:-$here/target/local-cluster}"
workers="${LOCAL_CLUSTER_WORKERS:-2}"
memory="${LOCAL_CLUSTER_WORKER_MEMORY:-2g}"

stop() {
  if [ -f "$dir/pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$dir/pids"
    while read -r pid; do
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    done < "$dir/pids"
    rm -f "$dir/pids"
  fi
}

start() {
  if [ -f "$dir/pids" ]; then
    echo "local-cluster: already started (stop it first): $(cat "$dir/url" 2>/dev/null)" >&2
    exit 1
  fi
  if [ -z "${VQVAE_SPARK_CLASSPATH:-}" ]; then
    vqvae_spark_build "$(dirname "$here")"
  fi
  mkdir -p "$dir/home/jars" "$dir/work"
  rm -f "$dir/home/jars/"*.jar "$dir/"*.log
  # SPARK_HOME/jars is where a worker finds the classpath of the executors it launches
  if [ -n "${VQVAE_SPARK_CLASSPATH:-}" ]; then
    tr ':' '\n' <<< "$VQVAE_SPARK_CLASSPATH" | grep '\.jar$' | grep -v slf4j-nop | while read -r j; do ln -sf "$j" "$dir/home/jars/"; done
  else
    ln -sf "$here"/target/lib/*.jar "$dir/home/jars/"
  fi
  export SPARK_HOME="$dir/home" SPARK_LOCAL_IP=127.0.0.1 SPARK_PUBLIC_DNS=127.0.0.1
  cp=("$dir/home/jars/*")
  : > "$dir/pids"
  # shellcheck disable=SC2086
  nohup "$JAVA" -Xmx512m $SPARK_JVM_OPTIONS -cp "${cp[0]}" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port 0 --webui-port 0 > "$dir/master.log" 2>&1 &
  echo $! >> "$dir/pids"
  local url=""
  for _ in $(seq 600); do
    url="$(grep -o 'spark://127\.0\.0\.1:[0-9]*' "$dir/master.log" | head -1 || true)"
    [ -n "$url" ] && break
    kill -0 "$(head -1 "$dir/pids")" 2>/dev/null || { cat "$dir/master.log" >&2; stop; exit 1; }
    sleep 0.1
  done
  [ -n "$url" ] || { echo "local-cluster: the master did not start (see $dir/master.log)" >&2; stop; exit 1; }
  for w in $(seq "$workers"); do
    # shellcheck disable=SC2086
    nohup "$JAVA" -Xmx256m $SPARK_JVM_OPTIONS -cp "${cp[0]}" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --port 0 --webui-port 0 --cores 1 --memory "$memory" --work-dir "$dir/work/$w" "$url" \
      > "$dir/worker-$w.log" 2>&1 &
    echo $! >> "$dir/pids"
  done
  for _ in $(seq 600); do
    [ "$(grep -c 'Registering worker' "$dir/master.log" || true)" -ge "$workers" ] && break
    sleep 0.1
  done
  if [ "$(grep -c 'Registering worker' "$dir/master.log" || true)" -lt "$workers" ]; then
    echo "local-cluster: the workers did not register (see $dir/worker-*.log)" >&2; stop; exit 1
  fi
  echo "$url" > "$dir/url"
  echo "$url"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: local-cluster.sh start|stop" >&2; exit 2 ;;
esac
