# Sourced by the benchmark scripts: starts the service jar $1 for benchmarking on port $PORT with data in $2 and
# its output in $3 (durable embedded PostgreSQL, rate limits off, warnings-only logs, extra JVM options from
# SERVICE_JAVA_OPTS), stops it when the script exits, and waits until it is ready.
start_service() {
  local jar="$1" data="$2" log="$3"
  ORION_DATA_DIR="$data" ORION_HTTP_PORT="$PORT" ORION_RATE_LIMITS_ENABLED=false ORION_LOG_LEVEL=WARN \
    java ${SERVICE_JAVA_OPTS:-} -jar "$jar" > "$log" 2>&1 &
  SERVICE=$!
  trap 'kill "$SERVICE" 2>/dev/null || true; wait "$SERVICE" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    if curl -fs "http://127.0.0.1:$PORT/api/v1/health/orders" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "service did not become ready"
  exit 1
}

# Warms the JIT of the service on port $PORT with data in $1, not reported: closed 64 connections for
# ${BENCH_WARMUP_SECONDS:-150} s. A fresh JVM compiles for minutes: measured with jstat -compiler, C2 took about one
# of this 2-core machine's cores for the first 75 s of this load and levelled off (under 0.1 s of compiling per
# second) after about two and a half minutes, while throughput at 64 connections rose by half. After the warm-up
# used before (60-90 s at 150 orders/s), the measured runs still had 0.4 s of compiling per second.
warm_jit() {
  java -cp bench/target/benchmarks.jar io.orion.oms.bench.OrderFlowBench --url "http://127.0.0.1:$PORT" \
    --data-dir "$1" --mode closed --traders 64 --connections 64 --seconds "${BENCH_WARMUP_SECONDS:-150}" --warmup 5 \
    > /dev/null 2>&1 || true
}

# CPU ticks (user + system, all threads) a process has used so far; 0 once it is gone.
ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
