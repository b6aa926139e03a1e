#!/usr/bin/env bash
# Collector benchmark: footfall's collector (with its own embedded broker) against nginx `return 204`,
# same machine, same wrk load; then the batch path against the raw Kafka producer rate, same run.
#
#   bench/collector.sh                      # 15 s per run, 64 connections, 1 wrk thread
#   DURATION=30s CONNECTIONS=128 bench/collector.sh
#   FOOTFALL_SET="--set kafka.client.max.in.flight.requests.per.connection=1" bench/collector.sh   # other settings
#
# Prints requests/s, p50/p99 for each and the ratios; results go in BENCHMARKS.md by hand.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
NGINX_PORT=${NGINX_PORT:-18081}
FOOTFALL_PORT=${FOOTFALL_PORT:-18080}
KAFKA_PORT=${KAFKA_PORT:-19092}
PRODUCER_RECORDS=${PRODUCER_RECORDS:-2000000}
HEAP=${HEAP:--Xms1g -Xmx1g}
WORK=$(mktemp -d /tmp/footfall-bench.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

need() {
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$1" ]; then
    echo "installing $2 ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}
need wrk wrk
need nginx nginx-light
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- the request bodies -------------------------------------------------------------------------
# One event of ~350 bytes, as footfall.js sends it.
EVENT='{"site":"bench.example","type":"pageview","url":"https://bench.example/products/espresso-machines/deluxe-3000?utm_source=newsletter&utm_medium=email&utm_campaign=spring","referrer":"https://www.search.example/search?q=espresso+machine","title":"Deluxe 3000 espresso machine - Bench Example Shop","screen":"1920x1080","language":"en-GB","timezone":"Europe/London"}'
printf '%s' "$EVENT" > "$WORK/single.json"
for _ in $(seq 100); do printf '%s\n' "$EVENT"; done | gzip -c > "$WORK/batch.ndjson.gz"
echo "single-event body: $(wc -c < "$WORK/single.json") bytes; 100-event gzip NDJSON body: $(wc -c < "$WORK/batch.ndjson.gz") bytes"

cat > "$WORK/single.lua" <<LUA
local f = io.open("$WORK/single.json", "rb"); local body = f:read("*all"); f:close()
wrk.method = "POST"; wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) bench"
LUA
cat > "$WORK/batch.lua" <<LUA
local f = io.open("$WORK/batch.ndjson.gz", "rb"); local body = f:read("*all"); f:close()
wrk.method = "POST"; wrk.body = body
wrk.headers["Content-Type"] = "application/x-ndjson"
wrk.headers["Content-Encoding"] = "gzip"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) bench"
LUA

# --- nginx: 1 worker, return 204 ---------------------------------------------------------------
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-body;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = /v1/events { return 204; }
  }
}
NGINX
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" >/dev/null 2>&1 &
PIDS+=($!)

# --- footfall: collector + embedded broker only -------------------------------------------------
JAR="$ROOT/footfall-app/target/footfall.jar"
if [ ! -f "$JAR" ] || [ -n "${REBUILD:-}" ]; then
  (cd "$ROOT" && mvn -B -q -pl footfall-app -am package -DskipTests)
fi
java $HEAP -XX:+UseParallelGC ${JFR:+-XX:StartFlightRecording=settings=profile} \
  -jar "$JAR" collector-bench serve --set dataDir="$WORK/data" --set collector.port="$FOOTFALL_PORT" \
  --set collector.host=127.0.0.1 --set kafka.embeddedPort="$KAFKA_PORT" --set kafka.partitions=4 \
  ${LINGER:+--set collector.lingerTime=$LINGER} ${FOOTFALL_SET:-} \
  > "$WORK/footfall.out" 2> "$WORK/footfall.err" &
FOOTFALL_PID=$!
PIDS+=($FOOTFALL_PID)
for _ in $(seq 120); do
  grep -q "collector ready" "$WORK/footfall.out" 2>/dev/null && break
  sleep 0.5
done
grep -q "collector ready" "$WORK/footfall.out" || { cat "$WORK/footfall.out" "$WORK/footfall.err"; exit 1; }
curl -fsS -o /dev/null -X POST --data-binary @"$WORK/single.json" -H 'Content-Type: application/json' \
  "http://127.0.0.1:$NGINX_PORT/v1/events"

# --- runs --------------------------------------------------------------------------------------
run() { # name url script -> prints "rps p50_ms p99_ms non2xx"
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$3" "$2")
  echo "$out" > "$WORK/$1.wrk"
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 }
    /^ +50%/ { p50=ms($2) } /^ +99%/ { p99=ms($2) }
    /Non-2xx/ { bad=$NF }
    END { printf "%s %.3f %.3f %d\n", rps, p50, p99, bad+0 }' <<< "$out"
}

echo "warming up footfall (JIT) ..."
wrk -t1 -c"$CONNECTIONS" -d10s -s "$WORK/single.lua" "http://127.0.0.1:$FOOTFALL_PORT/v1/events" >/dev/null
wrk -t1 -c"$CONNECTIONS" -d5s -s "$WORK/batch.lua" "http://127.0.0.1:$FOOTFALL_PORT/v1/events" >/dev/null

read -r N_RPS N_P50 N_P99 N_BAD < <(run nginx "http://127.0.0.1:$NGINX_PORT/v1/events" "$WORK/single.lua")
read -r F_RPS F_P50 F_P99 F_BAD < <(run footfall "http://127.0.0.1:$FOOTFALL_PORT/v1/events" "$WORK/single.lua")
read -r B_RPS B_P50 B_P99 B_BAD < <(run batch "http://127.0.0.1:$FOOTFALL_PORT/v1/events" "$WORK/batch.lua")
# Diagnostics for the ceiling: the same HTTP stack without a broker round trip, and more connections
# (a 202 waits for the ack, so each connection carries at most 1/latency requests per second).
printf 'wrk.method = "GET"\n' > "$WORK/get.lua"
read -r H_RPS H_P50 H_P99 H_BAD < <(run health "http://127.0.0.1:$FOOTFALL_PORT/health/live" "$WORK/get.lua")
SAVED=$CONNECTIONS; CONNECTIONS=$((CONNECTIONS * 4))
read -r M_RPS M_P50 M_P99 M_BAD < <(run many "http://127.0.0.1:$FOOTFALL_PORT/v1/events" "$WORK/single.lua")
CONNECTIONS=$SAVED
PRODUCER=$(java -Xmx1g -cp "$JAR" io.footfall.app.Main collector-bench produce --bootstrap "127.0.0.1:$KAFKA_PORT" \
  --records "$PRODUCER_RECORDS" --event "$EVENT" 2>/dev/null | sed -n 's/.*producer_records_per_second=\([0-9]*\).*/\1/p')

echo
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(free -g | awk '/Mem:/ {print $2}') GB; $(date -u +%FT%TZ); wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
printf '%-34s %12s %9s %9s %8s\n' "run" "req/s" "p50 ms" "p99 ms" "non-2xx"
printf '%-34s %12.0f %9.3f %9.3f %8d\n' "nginx return 204 (1 worker)" "$N_RPS" "$N_P50" "$N_P99" "$N_BAD"
printf '%-34s %12.0f %9.3f %9.3f %8d\n' "footfall single event (202)" "$F_RPS" "$F_P50" "$F_P99" "$F_BAD"
printf '%-34s %12.0f %9.3f %9.3f %8d\n' "footfall 100-event gzip NDJSON" "$B_RPS" "$B_P50" "$B_P99" "$B_BAD"
printf '%-34s %12.0f %9.3f %9.3f %8d\n' "footfall GET /health/live (no ack)" "$H_RPS" "$H_P50" "$H_P99" "$H_BAD"
printf '%-34s %12.0f %9.3f %9.3f %8d\n' "footfall single event, $((CONNECTIONS * 4)) conns" "$M_RPS" "$M_P50" "$M_P99" "$M_BAD"
awk -v n="$N_RPS" -v f="$F_RPS" -v np="$N_P99" -v fp="$F_P99" -v b="$B_RPS" -v p="$PRODUCER" 'BEGIN {
  printf "single event: footfall/nginx requests/s = %.2f (target >= 0.80); p99 footfall/nginx = %.1f (target <= 2)\n", f/n, fp/np
  printf "batch: footfall events/s = %.0f; raw producer records/s = %.0f; ratio = %.2f (target >= 0.80)\n", b*100, p, (p > 0 ? b*100/p : 0)
}'
if [ -n "${JFR:-}" ]; then jcmd "$FOOTFALL_PID" JFR.dump filename="$JFR" >/dev/null; echo "JFR recording: $JFR"; fi
