#!/usr/bin/env bash
# Where PostgreSQL's sessions wait, sampled while a benchmark runs (from the project root):
#
#   bench/waits.sh <data dir> <seconds> > waits.txt
#
# Every ~25 ms, one psql session lists each session of the service's embedded PostgreSQL (data directory <data dir>,
# as given to the service with ORION_DATA_DIR) that is inside a transaction or a statement: state, wait event
# (CPU: none) and the first 50 characters of its statement, one line each. Then, for instance:
#   cut -d'|' -f1,2 waits.txt | sort | uniq -c | sort -rn
# Needs psql (Debian: postgresql-client).
set -euo pipefail
DATA="$1"; SECS="$2"
PORT="$(sed -n 4p "$DATA/pg/postmaster.pid")"
Q="SELECT state||'|'||coalesce(wait_event_type,'CPU')||':'||coalesce(wait_event,'')||'|'||left(regexp_replace(query,'\s+',' ','g'),50) FROM pg_stat_activity WHERE backend_type='client backend' AND pid<>pg_backend_pid() AND state<>'idle';"
for _ in $(seq $((SECS * 40))); do echo "$Q"; echo "SELECT pg_sleep(0.02);"; done \
  | psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -At -q | grep -v '^$'
