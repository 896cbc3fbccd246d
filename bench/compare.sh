#!/usr/bin/env bash
# A quicker before/after check of a change on the order path (about 5 minutes per build), from the project root:
#
#   bench/compare.sh [service.jar] [label]      # default: target/orion-oms.jar
#
# Starts the given service jar on a fresh data directory (durable embedded PostgreSQL, rate limits off,
# warnings-only logs; extra JVM options from SERVICE_JAVA_OPTS, extra ORION_* settings from the environment),
# warms the JIT (warm_jit in bench/service.sh: 150 s, not reported), then runs open 100 traders at 100 orders/s, closed 64 connections and
# closed 4 connections, and prints the key lines of each report. Build the benchmarks first
# (mvn -B -q -f bench/pom.xml package -DskipTests). Compare builds in one sitting: the machine's other load moves
# the figures between sittings.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR="${1:-target/orion-oms.jar}"
LABEL="${2:-$JAR}"
PORT="${BENCH_PORT:-18080}"
DATA=bench/target/compare-data
rm -rf "$DATA"
mkdir -p bench/target
. bench/service.sh
start_service "$JAR" "$DATA" bench/target/compare-service.log
run() {
  java -cp bench/target/benchmarks.jar io.orion.oms.bench.OrderFlowBench --url "http://127.0.0.1:$PORT" \
    --data-dir "$DATA" "$@" 2>&1 | grep -E "accepted|submit->|event lag|errors|service:" || true
}
warm_jit "$DATA"
echo "== $LABEL: open, 100 traders, 100 orders/s"; run --mode open --traders 100 --rate 100 --seconds 20 --warmup 5 --ceiling false
echo "== $LABEL: closed, 64 connections";         run --mode closed --traders 64 --connections 64 --seconds 20 --warmup 10
echo "== $LABEL: closed, 4 connections";          run --mode closed --traders 4 --connections 4 --seconds 20 --warmup 5
