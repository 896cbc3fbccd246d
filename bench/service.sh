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
