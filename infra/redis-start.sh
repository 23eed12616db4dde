#!/usr/bin/env bash
# Start redis-server (Debian package) on 127.0.0.1:$REDIS_PORT, no persistence
# (--save '' --appendonly no). Idempotent. No systemd.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tm_lock redis

T=$(tm_now)
tm_need_install "command -v redis-server" "command -v redis-cli"
LOG="$TM_LOG_DIR/redis.log"
PIDFILE="$TM_RUN_DIR/redis.pid"
DIR="$TM_DATA_DIR/redis"
mkdir -p "$DIR"
tm_log "Redis: data $DIR, log $LOG"

redis_pong() { [[ $(timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

pid=$(tm_read_pid "$PIDFILE")
if tm_pid_alive "$pid" redis-server; then
  tm_same_port redis "$PIDFILE" "$REDIS_PORT" "$pid"
  wait_for redis 30 "$LOG" "$pid" redis_pong
  tm_log "already running on 127.0.0.1:$REDIS_PORT (pid $pid)"
  exit 0
fi
rm -f "$PIDFILE" "$TM_RUN_DIR/redis.port"

if tm_port_open "$REDIS_PORT"; then
  if redis_pong; then
    tm_warn "a Redis not started by these scripts already answers on 127.0.0.1:$REDIS_PORT; using it"
    exit 0
  fi
  tm_err "port 127.0.0.1:$REDIS_PORT is taken by a process that is not Redis:"
  tm_port_holder "$REDIS_PORT" >&2
  tm_die "free the port or choose another REDIS_PORT"
fi

tm_rotate_log "$LOG"
tm_log "starting on 127.0.0.1:$REDIS_PORT"
# Run in the foreground of our own detached session (instead of --daemonize
# yes) so we know the pid at once and notice immediately if it dies.
# shellcheck disable=SC2034  # read by wait_for (stop this pid on timeout)
TM_WAIT_PIDFILE=$PIDFILE
setsid nohup redis-server --daemonize no --bind 127.0.0.1 --port "$REDIS_PORT" \
  --save '' --appendonly no --dir "$DIR" --logfile "$LOG" --pidfile "$PIDFILE" \
  >>"$LOG" 2>&1 </dev/null 9>&- &
pid=$!
echo "$pid" >"$PIDFILE"
echo "$REDIS_PORT" >"$TM_RUN_DIR/redis.port"
wait_for redis 30 "$LOG" "$pid" redis_pong
tm_log "ready on 127.0.0.1:$REDIS_PORT (pid $pid) in $(tm_elapsed "$T"): redis://127.0.0.1:$REDIS_PORT/0, log $LOG"
