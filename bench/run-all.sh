#!/usr/bin/env bash
# Reproduces the end-to-end tables of docs/benchmarks.md in one command, from the project root:
#
#   bench/run-all.sh            # about 17 minutes
#
# Builds the service and the benchmarks, starts the service as documented (durable embedded PostgreSQL,
# rate limits off, warnings-only logs) on a fresh data directory, runs every scenario (open 100 and 1,000
# traders at 100 orders/s, open 1,000 orders/s, closed 4 and 64 connections, the step test, the database
# ceiling), writes each report under bench/target/results/, and stops the service; then the same service with every
# simulated LP answering at once (open 100 traders at 100/s and the step test: what the OMS itself adds).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-18080}"
OUT=bench/target/results
DATA=bench/target/bench-data
mkdir -p "$OUT"
rm -rf "$DATA"

echo "== building the service and the benchmarks"
mvn -B -q install -DskipTests
mvn -B -q -f bench/pom.xml package -DskipTests

echo "== starting the service on port $PORT (data in $DATA)"
. bench/service.sh
start_service target/orion-oms.jar "$DATA" "$OUT/service.log"

bench() {
  local name="$1"; shift
  echo "== $name"
  java -cp bench/target/benchmarks.jar io.orion.oms.bench.OrderFlowBench --url "http://127.0.0.1:$PORT" \
    --data-dir "$DATA" "$@" 2>&1 | grep -v '^SLF4J' | tee "$OUT/$name.txt" || true
}

# JIT warm-up, not reported (warm_jit in bench/service.sh): a fresh JVM compiles for minutes, which a long-running
# service does not pay
warm_jit "$DATA"
bench open-100-traders-100     --mode open --traders 100 --rate 100 --seconds 15 --warmup 5 --ceiling-seconds 8
bench open-1000-traders-100    --mode open --traders 1000 --rate 100 --seconds 15 --warmup 5 --ceiling false
bench closed-4                 --mode closed --traders 4 --connections 4 --warmup 20 --seconds 20
bench closed-64                --mode closed --traders 64 --connections 64 --warmup 20 --seconds 20
bench step                     --mode step --traders 100 --rate 100 --step-factor 1.5 --seconds 10 --warmup 5
bench open-100-traders-1000    --mode open --traders 100 --rate 1000 --seconds 15 --warmup 5 --ceiling false

# The OMS alone: the default simulated LPs answer after 1, 5 and 20 ms (their latencyMs), which submit->fill includes.
# The same configuration with every LP answering at once, on a second fresh service.
echo "== restarting the service with every simulated LP at latencyMs 0"
kill "$SERVICE"; wait "$SERVICE" 2>/dev/null || true
CONF0=bench/target/conf-lp-latency-0
rm -rf "$CONF0" "$DATA"
cp -r conf "$CONF0"
sed -i 's/"latencyMs": *[0-9]*/"latencyMs": 0/g' "$CONF0/orion.json"
ORION_CONF_DIR="$CONF0" start_service target/orion-oms.jar "$DATA" "$OUT/service-lp0.log"
warm_jit "$DATA"
bench lp0-open-100-traders-100 --mode open --traders 100 --rate 100 --seconds 15 --warmup 5 --ceiling false
bench lp0-step                 --mode step --traders 100 --rate 100 --step-factor 1.5 --seconds 10 --warmup 5

echo "== reports in $OUT"
