#!/usr/bin/env bash
# Soak test of `footfall standalone`: finds what grows (memory, threads, file descriptors, disk) when it runs for
# long. Starts a standalone on its own ports and data dir (with Native Memory Tracking), drives `footfall bench`
# at it for DURATION at RATE events/s, and alongside a user-like loop (the dashboard, every stats endpoint over
# the last hour and the last 30 days, a funnel, the SQL API, /api/pipeline, /metrics on both ports) and a churn
# of the live tap (a short read-and-drop every TAP_EVERY s, and every SLOW_EVERY s one client reading 1 byte/s and
# one that never reads, each held 60 s). Every SAMPLE s it writes a row to samples.csv (RSS, heap, heap after a
# forced GC every GC_EVERY samples, threads, FDs, NMT committed, lag, warehouse rows) and the data dir's size per
# part to disk.csv (Kafka per topic, Streams state per store, DuckDB file and WAL). Class histogram, thread names
# and FD targets are kept early (minute SNAP_AT) and at the end, with an NMT diff. Then: SIGTERM (timed, last log
# lines), a restart on the same data dir, and the rows in the warehouse compared with what bench had accepted
# (exit 1 on a difference). Prints the samples and a growth summary (first vs last 10 minutes, per hour).
# Usage: [DURATION=40m] [RATE=2000] [PORT=18080] bench/soak.sh [JAR] [WORK_DIR]   (admin port = PORT+1)
# Needs curl, jq, jcmd. Everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${1:-footfall-app/target/footfall.jar}
D=${2:-target/bench-soak}
DURATION=${DURATION:-40m}
RATE=${RATE:-2000}
PORT=${PORT:-18080}
APORT=$((PORT + 1))
SAMPLE=${SAMPLE:-60}
GC_EVERY=${GC_EVERY:-5}
SNAP_AT=${SNAP_AT:-5}
TAP_EVERY=${TAP_EVERY:-4}
SLOW_EVERY=${SLOW_EVERY:-30}
USER_EVERY=${USER_EVERY:-5}
SITE=${SITE:-site0.bench}
HEAP=${HEAP:-2g}
command -v jq >/dev/null && command -v jcmd >/dev/null && command -v curl >/dev/null || { echo "needs curl, jq and jcmd"; exit 2; }
[ -f "$JAR" ] || mvn -B -q package -DskipTests
rm -rf "$D"; mkdir -p "$D"
D=$(cd "$D" && pwd)
DATA="$D/data"
COL="http://127.0.0.1:$PORT"
ADM="http://127.0.0.1:$APORT"
secs() { case "$1" in *h) echo $(( ${1%h} * 3600 ));; *m) echo $(( ${1%m} * 60 ));; *s) echo "${1%s}";; *) echo "$1";; esac; }
RUN_S=$(secs "$DURATION")

pids=()
sa_pid=
killtree() { local c; for c in $(pgrep -P "$1" || true); do killtree "$c"; done; kill "$1" 2>/dev/null || true; }
cleanup() {
  touch "$D/stop" 2>/dev/null || true
  for p in "${pids[@]}" $sa_pid; do killtree "$p"; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_standalone() { # $1: log file; sets sa_pid and ready_ms (not to be called in $(...): sa_pid must reach the trap)
  local log=$1 t0; t0=$(date +%s%N)
  java -Xmx"$HEAP" -XX:NativeMemoryTracking=summary -jar "$JAR" standalone --data-dir "$DATA" \
    --collector-port "$PORT" --admin-port "$APORT" --set query.sqlTimeout=5m > "$log" 2>&1 &
  sa_pid=$!
  until grep -q "standalone ready" "$log"; do
    kill -0 "$sa_pid" 2>/dev/null || { echo "the standalone exited; see $log"; tail -20 "$log"; exit 1; }
    sleep 0.2
  done
  ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}
stop_standalone() { # SIGTERM; sets stopped: ms to exit and the exit code (not in $(...) either: wait needs the child)
  local t0 rc=0; t0=$(date +%s%N)
  kill -TERM "$sa_pid"; wait "$sa_pid" || rc=$?
  stopped="$(( ($(date +%s%N) - t0) / 1000000 )) ms, exit code $rc"
  sa_pid=
}
sql() { curl -s --max-time 60 -H "Authorization: Bearer $(cat "$DATA/query-api-token")" --data-binary "$1" "$ADM/api/sql"; }
lags() { curl -s --max-time 10 "$ADM/api/pipeline" | jq -r '[.stages[] | select(.name != "collector") | .lag // "?"] | join(",")' 2>/dev/null || echo "?,?"; }
wait_caught_up() { # until enricher and loader lag are 0 (at most 5 min)
  for _ in $(seq 300); do [ "$(lags)" = "0,0" ] && return 0; sleep 1; done; echo "  (lag still $(lags) after 5 min)"
}
# The ids are counted distinct, which over 10M+ rows on a cold cache can pass the SQL API's default 10 s: the
# standalone runs with query.sqlTimeout=5m (below), and an error answer is printed rather than read as rows.
count_rows() { sql "SELECT count(*), count(DISTINCT event_id) FROM events WHERE site LIKE 'site%.bench'" | jq -r 'if .rows then .rows[0] | join(" ") else "error: \(.)" end'; }
iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

snapshot() { # $1: label. Class histogram, thread names grouped, FD targets grouped
  local p=$sa_pid l=$1
  jcmd "$p" GC.class_histogram > "$D/histo-$l.txt" 2>&1 || true
  jcmd "$p" Thread.print 2>/dev/null | sed -n 's/^"\([^"]*\)".*/\1/p' | sed -E 's/[0-9]+/#/g' | sort | uniq -c | sort -rn > "$D/threads-$l.txt" || true
  for f in /proc/"$p"/fd/*; do readlink "$f" 2>/dev/null || true; done \
    | sed -E 's/\[[0-9]+\]/[]/; s/[0-9]{3,}/#/g' | sort | uniq -c | sort -rn > "$D/fds-$l.txt"
}

sample() { # $1: sample number, $2: "gc" to force a GC'd heap reading. One row of samples.csv, rows of disk.csv
  local p=$sa_pid n=$1 t rss thr fds heap gcheap="" nmt lag rows
  t=$(( $(date +%s) - T0 ))
  rss=$(awk '/^VmRSS/ {print $2}' /proc/"$p"/status); thr=$(awk '/^Threads/ {print $2}' /proc/"$p"/status)
  fds=$(ls /proc/"$p"/fd | wc -l)
  heap=$(jcmd "$p" GC.heap_info 2>/dev/null | sed -n 's/.*heap .*used \([0-9]*\)K.*/\1/p' | head -1)
  if [ $((n % GC_EVERY)) -eq 0 ] || [ "${2:-}" = gc ]; then
    jcmd "$p" GC.run > /dev/null 2>&1 || true
    gcheap=$(jcmd "$p" GC.heap_info 2>/dev/null | sed -n 's/.*heap .*used \([0-9]*\)K.*/\1/p' | head -1)
    gcheap=$((gcheap / 1024))
  fi
  nmt=$(jcmd "$p" VM.native_memory summary 2>/dev/null | sed -n 's/^Total: reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/\1/p')
  lag=$(lags)
  rows=$(sql "SELECT count(*) FROM events" | jq -r '.rows[0][0]' 2>/dev/null || echo "?")
  echo "$t,$((rss / 1024)),$((heap / 1024)),$gcheap,$thr,$fds,$((nmt / 1024)),$(( (rss - nmt) / 1024 )),$lag,$rows,$(grep -c ' 200$' "$D/tap.log" || true),$(grep -c ' 503$' "$D/tap.log" || true),$(awk '$3 != 200' "$D/user.log" | wc -l)" >> "$D/samples.csv"
  ( cd "$DATA" && find . -type f -printf '%b %p\n' 2>/dev/null || true ) | awk -v t="$t" '
    { p = $2; sub(/^\.\//, "", p); n = split(p, a, "/"); g = a[1]
      if (a[1] == "kafka" && n > 2) { g = a[2]; sub(/-[0-9]+$/, "", g); g = "kafka/" g }
      else if (a[1] == "kafka") g = "kafka/(checkpoints)"
      else if (a[1] == "streams" && n >= 5 && a[4] == "rocksdb") g = "streams/" a[2] "/rocksdb/" a[5]
      else if (a[1] == "streams" && n >= 4) g = "streams/" a[2] "/" a[4]
      s[g] += $1 * 512; c[g]++ }
    END { for (g in s) print t "," g "," s[g] "," c[g] }' | sort -t, -k2 >> "$D/disk.csv"
}

user_loop() { # a user with the dashboard open, asking everything every USER_EVERY s
  local now h d m
  until [ -e "$D/stop" ]; do
    now=$(iso now); h=$(iso '1 hour ago'); d=$(iso '30 days ago'); m=$(iso '1 minute')
    for u in "/" "/api/sites" "/api/pipeline" "/metrics" \
        "/api/stats/summary?site=$SITE&from=$h&to=$m" "/api/stats/summary?site=$SITE&from=$d&to=$m" \
        "/api/stats/top?site=$SITE&dimension=path&from=$h&to=$m" "/api/stats/top?site=$SITE&dimension=path&from=$d&to=$m" \
        "/api/stats/top?site=$SITE&dimension=referrer_host&from=$d&to=$m&limit=20" \
        "/api/stats/timeseries?site=$SITE&from=$h&to=$m&interval=minute" \
        "/api/stats/timeseries?site=$SITE&from=$d&to=$m&interval=day&tz=Europe/Berlin" \
        "/api/stats/realtime?site=$SITE" \
        "/api/stats/funnel?site=$SITE&from=$d&to=$m&steps=path%3D%3D%2Fpage%2F0%3Bpath%3D%3D%2Fpage%2F1%3Bevent_name%3D%3Dsignup"; do
      echo "$(date +%s) $u $(curl -s -o /dev/null --max-time 30 -w '%{http_code}' "$ADM$u" || true)" >> "$D/user.log"
    done
    echo "$(date +%s) collector/metrics $(curl -s -o /dev/null --max-time 30 -w '%{http_code}' "$COL/metrics" || true)" >> "$D/user.log"
    echo "$(date +%s) sql $(curl -s -o /dev/null --max-time 30 -w '%{http_code}' -H "Authorization: Bearer $(cat "$DATA/query-api-token")" \
      --data-binary "SELECT path, count(*) FROM events WHERE site = '$SITE' AND received_at > now() - INTERVAL 1 HOUR GROUP BY 1 ORDER BY 2 DESC LIMIT 10" "$ADM/api/sql" || true)" >> "$D/user.log"
    sleep "$USER_EVERY"
  done
}

tap_loop() { # open the live tap, read a few seconds, drop it; now and then a slow and a non-reading client
  local i=0 topic
  until [ -e "$D/stop" ]; do
    i=$((i + 1))
    case $((i % 10)) in 3) topic=raw;; 7) topic=bad;; *) topic=events;; esac
    echo "$(date +%s) $topic $(curl -sN -o /dev/null --max-time 3 -w '%{http_code}' "$ADM/api/tap?topic=$topic&site=$SITE" || true)" >> "$D/tap.log"
    if [ $(( i % ((SLOW_EVERY + TAP_EVERY - 1) / TAP_EVERY) )) -eq 0 ]; then
      ( echo "$(date +%s) slow $(curl -sN -o /dev/null --limit-rate 1 --max-time 60 -w '%{http_code}' "$ADM/api/tap?topic=events" || true)" >> "$D/tap-slow.log" ) &
      ( exec 3<>"/dev/tcp/127.0.0.1/$APORT"; printf 'GET /api/tap?topic=raw HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >&3; sleep 60 ) 2>/dev/null &
    fi
    sleep "$TAP_EVERY"
  done
  wait
}

echo "machine: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), jar $JAR, $DURATION at $RATE events/s, ports $PORT/$APORT, work dir $D"
start_standalone "$D/standalone.log"
echo "standalone ready after $ready_ms ms (pid $sa_pid)"
echo "t_s,rss_mb,heap_used_mb,heap_after_gc_mb,threads,fds,nmt_committed_mb,rss_minus_nmt_mb,enricher_lag,loader_lag,warehouse_rows,taps_200,taps_503,user_non200" > "$D/samples.csv"
echo "t_s,part,bytes,files" > "$D/disk.csv"
: > "$D/tap.log"; : > "$D/tap-slow.log"; : > "$D/user.log"
T0=$(date +%s)
java -jar "$JAR" bench --url "$COL" --query-url "$ADM" --rate "$RATE" --duration "$DURATION" --json "$D/bench.json" > "$D/bench.log" 2>&1 &
bench_pid=$!; pids+=("$bench_pid")
user_loop & pids+=($!)
tap_loop & pids+=($!)
n=0
sample 0
while kill -0 "$bench_pid" 2>/dev/null; do
  sleep "$SAMPLE"; n=$((n + 1))
  kill -0 "$sa_pid" 2>/dev/null || { echo "the standalone died; see $D/standalone.log"; exit 1; }
  sample "$n"
  tail -1 "$D/samples.csv"
  if [ "$n" -eq "$SNAP_AT" ]; then snapshot early; jcmd "$sa_pid" VM.native_memory baseline > /dev/null 2>&1 || true; fi
done
wait "$bench_pid" || echo "bench exited with $?"
touch "$D/stop"
sed -n '/^footfall bench:/,$p' "$D/bench.log"
accepted=$(jq -r '.events_accepted' "$D/bench.json")
wait_caught_up
sleep 5; sample $((n + 1)) gc
for p in "${pids[@]}"; do killtree "$p"; done   # no user or tap client during the stop
snapshot late
jcmd "$sa_pid" VM.native_memory summary.diff > "$D/nmt-diff.txt" 2>&1 || true
before=$(count_rows)
stop_standalone; echo "SIGTERM: $stopped"
echo "last log lines:"; tail -8 "$D/standalone.log" | sed 's/^/  /'
start_standalone "$D/restart.log"
echo "restart: ready after $ready_ms ms"
wait_caught_up
sleep 5
after=$(count_rows)
stop_standalone; echo "SIGTERM after restart: $stopped"

echo
echo "== samples ($D/samples.csv; disk per part in $D/disk.csv)"
column -s, -t < "$D/samples.csv"
echo
echo "== growth, mean of the last 10 minutes against the first 10 (per hour, and over a week; heap after GC: GC'd samples only)"
end=$(tail -1 "$D/samples.csv" | cut -d, -f1); w=$(( end / 4 < 600 ? end / 4 : 600 ))   # 10 min, less on a short run
awk -F, -v end="$end" -v w="$w" '
  NR == 1 { for (i = 2; i <= NF; i++) name[i] = $i; next }
  { for (i = 2; i <= 8; i++) if ($i != "") {
      if ($1 <= w) { fs[i] += $i; fn[i]++; ft[i] += $1 }
      if ($1 >= end - w) { ls[i] += $i; ln[i]++; lt[i] += $1 } } }
  END { for (i = 2; i <= 8; i++) if (fn[i] && ln[i] && lt[i] / ln[i] > ft[i] / fn[i]) {
      a = fs[i] / fn[i]; b = ls[i] / ln[i]; h = (lt[i] / ln[i] - ft[i] / fn[i]) / 3600
      printf "  %-22s %12.1f -> %12.1f   %+12.1f/h   %+14.1f/week\n", name[i], a, b, (b - a) / h, (b - a) / h * 168 } }' "$D/samples.csv"
awk -F, -v end="$end" -v w="$w" '
  NR == 1 { next }
  { if ($1 <= w) { fs[$2] += $3 / 1048576; fn[$2]++; ft[$2] += $1 }
    if ($1 >= end - w) { ls[$2] += $3 / 1048576; ln[$2]++; lt[$2] += $1; files[$2] = $4 } }
  END { for (g in ls) { a = fn[g] ? fs[g] / fn[g] : 0; t0 = fn[g] ? ft[g] / fn[g] : 0; b = ls[g] / ln[g]; h = (lt[g] / ln[g] - t0) / 3600
      if (h > 0) printf "  %-48s %9.1f -> %9.1f MB  %+9.1f MB/h  %+10.1f MB/week  (%d files)\n", g, a, b, (b - a) / h, (b - a) / h * 168, files[g] } }' "$D/disk.csv" | sort
echo
echo "== tap: $(grep -c ' 200$' "$D/tap.log" || true) short reads answered 200, $(grep -c ' 503$' "$D/tap.log" || true) 503; slow clients: $(wc -l < "$D/tap-slow.log"); user requests not 200: $(awk '$3 != 200' "$D/user.log" | wc -l) of $(wc -l < "$D/user.log")"
echo "== log lines by level and logger (standalone.log):"
grep -oE 'level=(WARN|ERROR) logger=[A-Za-z.$]+( event=[a-z_]+)?' "$D/standalone.log" | sort | uniq -c | sort -rn | sed 's/^/  /' || true
echo "  other WARN/ERROR/Exception lines: $(grep -E 'WARN|ERROR|Exception' "$D/standalone.log" | grep -vc 'level=' || true)"
echo "== restart check: bench accepted $accepted; site*.bench rows (all, distinct event_id) before SIGTERM: $before; after restart: $after"
if [ "$before" = "$accepted $accepted" ] && [ "$after" = "$accepted $accepted" ]; then
  echo "   OK: no event lost or doubled"
else
  echo "   MISMATCH"; exit 1
fi
