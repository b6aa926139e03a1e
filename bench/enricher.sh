#!/usr/bin/env bash
# Enricher throughput on an in-process broker with exactly-once on; see BENCHMARKS.md.
# Usage: bench/enricher.sh [--events N] [--warmup-events W] [--partitions P] [--threads T] [--commit-interval 100ms]
#                          [--set enricher.KEY=VALUE ...]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl footfall-app -am package -DskipTests
exec java -Xmx2g -XX:+UseG1GC ${JAVA_OPTS:-} -cp "footfall-app/target/footfall.jar:footfall-app/target/lib/*" \
  io.footfall.app.bench.EnricherBench "$@"
