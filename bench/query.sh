#!/usr/bin/env bash
# Query benchmark: 10,000,000 events over 30 days in DuckDB, 2,000,000 in PostgreSQL; every stats endpoint timed warm.
# Usage: bench/query.sh [duckdb_rows] [postgres_rows]      (needs PostgreSQL at 127.0.0.1:5432, db test, user postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
DUCK_ROWS=${1:-10000000}
PG_ROWS=${2:-2000000}
WORK=${FOOTFALL_BENCH_DIR:-target/bench-query}
PG_URL=${FOOTFALL_BENCH_PG:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)   # absolute: Maven writes the class path file from each module's directory

# One reactor run, so that the modules' own jars resolve without `mvn install`. Test scope too: the browser
# measurement drives chromium with Selenium. The last module written (footfall-app) leaves its class path.
mvn -B -q -pl footfall-app -am package dependency:build-classpath -DskipTests -Dmdep.includeScope=test \
  -Dmdep.excludeGroupIds=io.footfall -Dmdep.outputFile="$WORK/test.classpath" >/dev/null
CP="footfall-app/target/footfall.jar:footfall-app/target/lib/*:$(cat "$WORK/test.classpath")"
JAVA=(java -Xmx3g -XX:+UseParallelGC -cp "$CP" bench/QueryBench.java)
run() { "${JAVA[@]}" "$@"; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB, $(date -u +%Y-%m-%dT%H:%MZ)"
DB="$WORK/events-$DUCK_ROWS.duckdb"
if [ ! -f "$DB" ]; then run generate-duckdb "$DB" "$DUCK_ROWS"; fi
run bench-duckdb "$DB"

# Dashboard first load in a real browser (Selenium + Debian's chromium): navigation start to every panel drawn.
if [ -x /usr/bin/chromedriver ]; then
  PORT=${FOOTFALL_BENCH_PORT:-18181}
  # Not through run(): $! must be the JVM itself, or the kill below would leave it holding the file.
  "${JAVA[@]}" serve-duckdb "$DB" "$PORT" > "$WORK/serve.log" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  until grep -q "serving on" "$WORK/serve.log"; do sleep 1; done
  run browser-load "http://127.0.0.1:$PORT/#site=shop.example&range=30d"
  run browser-load "http://127.0.0.1:$PORT/#site=shop.example&range=7d"
  kill $SERVER; wait $SERVER 2>/dev/null || true; trap - EXIT
fi

if [ "$PG_ROWS" != "0" ]; then
  run generate-postgres "$PG_URL" "bench_query_$PG_ROWS" "$PG_ROWS"
  run bench-postgres "$PG_URL" "bench_query_$PG_ROWS"
fi
