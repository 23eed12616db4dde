#!/usr/bin/env bash
# Stop the PostgreSQL cluster started by infra/pg-start.sh (fast shutdown;
# immediate if that does not finish in 60 s). Idempotent.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tm_lock postgres

tm_pg_resolve
if [[ ! -x $PG_BIN/pg_ctl ]] || ! tm_pg_running; then
  if tm_port_open "$PG_PORT"; then
    tm_log "not running from $PG_DATA_DIR; 127.0.0.1:$PG_PORT is served by a process these scripts did not start: left alone"
  else
    tm_log "not running"
  fi
  exit 0
fi

T=$(tm_now)
tm_log "stopping (data $PG_DATA_DIR, log $PG_LOG)"
if ! tm_pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" -w -t 60 -m fast stop >>"$PG_LOG" 2>&1 </dev/null; then
  tm_warn "fast shutdown did not finish: trying immediate shutdown"
  tm_pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" -w -t 30 -m immediate stop >>"$PG_LOG" 2>&1 </dev/null \
    || tm_die_with_log "$PG_LOG" "could not stop PostgreSQL"
fi
tm_log "stopped in $(tm_elapsed "$T")"
