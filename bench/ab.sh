#!/usr/bin/env bash
# Alternating before/after runs of service builds, with what each filled order costs (from the project root):
#
#   bench/ab.sh <rounds> <jar>:<label>[:<VAR>=<value>,...] [<jar>:<label>[:...] ...]
#
# A build may carry ORION_* settings of its own after a second colon (e.g. target/orion-oms.jar:spacing5:
# ORION_STREAM_DRAIN_SPACING_MS=5), so that two settings of one jar can be alternated like two jars.
#
# For each round and each build: starts the jar on a fresh data directory (as bench/compare.sh does), warms the JIT
# (warm_jit in bench/service.sh: 150 s), then runs closed 64 connections (10 s warm-up, 20 s measured) and closed 4 connections (5 s + 20 s). Over
# 15 s inside each measured phase it reads, per order written: CPU of the service and of all PostgreSQL processes
# (/proc/<pid>/stat), read/write system calls of the service (/proc/<pid>/io), context switches of the whole
# machine (/proc/stat) and committed transactions (pg_stat_database). Needs psql (Debian: postgresql-client). The
# machine's other load moves throughput between runs by 15-30%; the per-order counts move much less, and only
# builds alternated in one sitting should be compared. It prints submit->order.filled too: a closed run paces itself
# on the 201 only, so a build that accepts faster by starving the execution reports shows there (fills seconds late).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="$1"; shift
PORT="${BENCH_PORT:-18080}"
DATA=bench/target/ab-data
. bench/service.sh

sql() { psql -h 127.0.0.1 -p "$(sed -n 4p "$DATA/pg/postmaster.pid")" -U postgres -d postgres -Atc "$1"; }
pg_ticks() { local s=0; for p in $(pgrep -f "postgres -D $PWD/$DATA" || true) $(pgrep -P "$(pgrep -f "postgres -D $PWD/$DATA" | head -1)" || true); do s=$((s + $(ticks "$p"))); done; echo "$s"; }
io_calls() { awk '/syscr|syscw/{s+=$2} END{print s+0}' "/proc/$1/io"; }
ctx() { awk '/^ctxt/{print $2}' /proc/stat; }
snapshot() { echo "$(sql "select count(*) from orders") $(ticks "$SERVICE") $(pg_ticks) $(io_calls "$SERVICE") $(ctx) $(sql "select sum(xact_commit) from pg_stat_database")"; }

# per-order figures over <secs> seconds, starting <delay> seconds from now
window() {
  sleep "$1"; local a; a=($(snapshot)); sleep "$2"; local b; b=($(snapshot))
  local n=$((b[0] - a[0])); [ "$n" -gt 0 ] || { echo "no orders in the window"; return; }
  awk -v n="$n" -v s="$2" -v svc=$((b[1] - a[1])) -v pg=$((b[2] - a[2])) -v io=$((b[3] - a[3])) -v cs=$((b[4] - a[4])) \
    -v x=$((b[5] - a[5])) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "window %.1f orders/s; per order: service CPU %.2f ms, PostgreSQL CPU %.2f ms, service read/write calls %.1f, context switches %.1f, transactions %.2f\n", n/s, svc*1000/hz/n, pg*1000/hz/n, io/n, cs/n, x/n }'
}

run() {
  java -cp bench/target/benchmarks.jar io.orion.oms.bench.OrderFlowBench --url "http://127.0.0.1:$PORT" \
    --data-dir "$DATA" "$@" 2>&1 | grep -E "accepted|submit->201|submit->order.filled" || true
}

BUILDS=("$@")
for r in $(seq 1 "$ROUNDS"); do
  # every other round in reverse order: on 2026-12-07 the build run second in a round was slower in 4 of 5 rounds,
  # by up to 35%, whichever build it was, so a fixed order would favour the first
  order=("${BUILDS[@]}")
  if [ $((r % 2)) -eq 0 ]; then order=(); for ((i=${#BUILDS[@]}-1; i>=0; i--)); do order+=("${BUILDS[$i]}"); done; fi
  for build in "${order[@]}"; do
    IFS=: read -r jar label settings <<< "$build"
    rm -rf "$DATA"; mkdir -p bench/target
    for kv in ${settings//,/ }; do export "${kv?}"; done # this build's own settings, for its service only
    start_service "$jar" "$DATA" bench/target/ab-service.log
    for kv in ${settings//,/ }; do unset "${kv%%=*}"; done
    warm_jit "$DATA"
    window 15 15 > bench/target/ab-window & w=$!
    run --mode closed --traders 64 --connections 64 --seconds 20 --warmup 10 | sed "s/^/$label round $r closed 64: /"
    wait "$w"; sed "s/^/$label round $r closed 64: /" bench/target/ab-window
    window 10 15 > bench/target/ab-window & w=$!
    run --mode closed --traders 4 --connections 4 --seconds 20 --warmup 5 | sed "s/^/$label round $r closed 4: /"
    wait "$w"; sed "s/^/$label round $r closed 4: /" bench/target/ab-window
    kill "$SERVICE"; wait "$SERVICE" 2>/dev/null || true
  done
done
