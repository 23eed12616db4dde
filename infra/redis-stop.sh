#!/usr/bin/env bash
# Stop the redis-server started by infra/redis-start.sh (SHUTDOWN NOSAVE). Idempotent.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tm_lock redis

PIDFILE="$TM_RUN_DIR/redis.pid"
pid=$(tm_read_pid "$PIDFILE")
if ! tm_pid_alive "$pid" redis-server; then
  rm -f "$PIDFILE" "$TM_RUN_DIR/redis.port"
  if tm_port_open "$REDIS_PORT"; then
    tm_log "not running from these scripts; 127.0.0.1:$REDIS_PORT is served by another process: left alone"
  else
    tm_log "not running"
  fi
  exit 0
fi
T=$(tm_now)
tm_log "stopping pid $pid (log $TM_LOG_DIR/redis.log)"
timeout 10 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
tm_stop_pid "$pid" redis 10 || tm_die "could not stop redis (pid $pid)"
rm -f "$PIDFILE" "$TM_RUN_DIR/redis.port"
tm_log "stopped in $(tm_elapsed "$T")"
