#!/usr/bin/env bash
# Clean-restart time of the standalone with a filled state: footfall bench fills a data dir (~650,000 events,
# 200,000 visitors), then the standalone is started on it twice, each time timed from start to
# "footfall: standalone ready" (the enricher RUNNING) and stopped with SIGTERM. Prints whether the enricher
# replayed its state (TaskCorruptedException lines). Usage: bench/restart.sh [JAR] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${1:-footfall-app/target/footfall.jar}
D=${2:-target/bench-restart}
[ -f "$JAR" ] || mvn -B -q package -DskipTests
rm -rf "$D"; mkdir -p "$D"
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), jar $JAR"
java -Xmx2g -jar "$JAR" bench --data-dir "$D/data" --duration 60s --warmup 5s --rate 10000 --visitors 200000 > "$D/bench.log" 2>&1
echo "state: $(du -sh "$D/data/streams" | cut -f1) of Kafka Streams state"
for i in 1 2; do
  start=$(date +%s%N)
  java -Xmx2g -jar "$JAR" standalone --data-dir "$D/data" --collector-port 0 --admin-port 0 > "$D/start$i.log" 2>&1 &
  pid=$!
  until grep -q "standalone ready" "$D/start$i.log"; do
    kill -0 $pid 2>/dev/null || { echo "the standalone exited; see $D/start$i.log"; exit 1; }
    sleep 0.2
  done
  ready=$(date +%s%N)
  echo "restart $i: ready after $(( (ready - start) / 1000000 )) ms; TaskCorruptedException lines: $(grep -c TaskCorrupted "$D/start$i.log" || true)"
  kill -TERM $pid; wait $pid || true
done
