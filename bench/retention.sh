#!/usr/bin/env bash
# What a retention run costs on DuckDB: a run deletes half of a generated warehouse in steps while a reader queries
# it every 100 ms; prints the run's rate and the longest a query waited.
#   bench/retention.sh [EVENTS [STEP [PER_VISIT]]]   (defaults 400000, the loader's step, 1 event per visit)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="$(mktemp -d /tmp/footfall-retention-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

source bench/lib/test-classpath.sh
CP="$(test_classpath)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB"
exec java ${JAVA_OPTS:-} -Xmx2g -cp "$CP" io.footfall.app.loader.RetentionBench "$WORK" "$@"
