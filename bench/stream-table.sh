#!/usr/bin/env bash
# Reproduces the stream table of docs/benchmarks.md ("Submit-to-event latency over the WebSocket stream") in one
# command, from the project root:
#
#   bench/stream-table.sh [<clients>/<orders per s> ...]    # default: the table's six rows, about 8 minutes
#
# Uses the jars already built (target/orion-oms.jar, bench/target/benchmarks.jar; see bench/README.md). For each row:
# a fresh service on a fresh data directory (durable embedded PostgreSQL, rate limits off, warnings-only logs, 2,000
# stream connections per user), the demo trader's token and account read from its banner, a 20 s run at the row's
# clients and rate (not reported: JIT and connection warm-up), then the measured 25 s run (its first 5 s are the
# benchmark's own warm-up). Prints each measured run's figures and, in cores, the CPU of the service process (all its
# threads) over that run and the generator's over its whole run (connecting included) divided by the same time.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${BENCH_PORT:-18080}"
DATA=bench/target/stream-data
OUT=bench/target/results
mkdir -p "$OUT"
ROWS=("$@")
[ ${#ROWS[@]} -gt 0 ] || ROWS=(1/50 1/1000 100/200 100/400 100/1000 1000/50)
. bench/service.sh
HZ=$(getconf CLK_TCK)
TIMEFORMAT='%U %S' # bash's time: the generator's user and system CPU seconds

for row in "${ROWS[@]}"; do
  clients="${row%%/*}"; rate="${row##*/}"
  rm -rf "$DATA"
  ORION_STREAM_MAX_CONNECTIONS_PER_USER=2000 start_service target/orion-oms.jar "$DATA" "$OUT/stream-service.log"
  # the banner comes just after the health check answers
  for _ in $(seq 1 30); do grep -q "Demo account:" "$OUT/stream-service.log" && break; sleep 0.5; done
  token=$(grep -A1 "Trader token" "$OUT/stream-service.log" | tail -1 | tr -d ' ')
  account=$(grep -m1 "Demo account:" "$OUT/stream-service.log" | awk '{print $3}')
  bench() {
    java -cp bench/target/benchmarks.jar io.orion.oms.bench.StreamLatencyBench "http://127.0.0.1:$PORT" \
      "$token" "$account" "$clients" "$rate" "$1" 2>&1 | grep -v '^SLF4J'
  }
  bench "${STREAM_PRERUN_SECONDS:-20}" > /dev/null
  echo "== $clients clients, $rate orders/s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  svc0=$(ticks "$SERVICE"); t0=$(date +%s.%N)
  { time bench "${STREAM_MEASURED_SECONDS:-25}" > "$OUT/stream-row.txt"; } 2> "$OUT/stream-row-cpu.txt" || true
  svc1=$(ticks "$SERVICE"); t1=$(date +%s.%N)
  cat "$OUT/stream-row.txt"
  awk -v s=$((svc1 - svc0)) -v hz="$HZ" -v t0="$t0" -v t1="$t1" '{ g = $1 + $2 } END {
    printf "CPU over the measured run: service %.2f cores, generator %.2f cores\n", s/hz/(t1-t0), g/(t1-t0) }' \
    "$OUT/stream-row-cpu.txt"
  kill "$SERVICE"; wait "$SERVICE" 2>/dev/null || true
done
