#!/usr/bin/env bash
# Loader benchmark: raw DuckDB Appender and raw PostgreSQL COPY against the loader draining footfall.events
# into each, for the same generated events. Needs PostgreSQL at 127.0.0.1:5432 (database test, user postgres).
#   bench/loader.sh [EVENTS [KEY=VALUE ...]]   (default 5000000; KEY=VALUE: loader settings for both drains,
#                                              e.g. loader.catchUpEvents=10000 to turn catch-up batches off)
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS="${1:-5000000}"
WORK="$(mktemp -d /tmp/footfall-loader-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

source bench/lib/test-classpath.sh
CP="$(test_classpath)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB"
exec java ${JAVA_OPTS:-} -Xmx3g -XX:+UseParallelGC -cp "$CP" io.footfall.app.loader.LoaderBench "$EVENTS" "$WORK" "${@:2}"
