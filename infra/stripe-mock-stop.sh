#!/usr/bin/env bash
# Stop the stripe-mock started by infra/stripe-mock-start.sh. Idempotent.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tm_lock stripe-mock

PIDFILE="$TM_RUN_DIR/stripe-mock.pid"
pid=$(tm_read_pid "$PIDFILE")
if ! tm_pid_alive "$pid" stripe-mock; then
  rm -f "$PIDFILE" "$TM_RUN_DIR/stripe-mock.port"
  if tm_port_open "$STRIPE_MOCK_PORT"; then
    tm_log "not running from these scripts; 127.0.0.1:$STRIPE_MOCK_PORT is served by another process: left alone"
  else
    tm_log "not running"
  fi
  exit 0
fi
T=$(tm_now)
tm_log "stopping pid $pid (log $TM_LOG_DIR/stripe-mock.log)"
tm_stop_pid "$pid" stripe-mock 10 || tm_die "could not stop stripe-mock (pid $pid)"
rm -f "$PIDFILE" "$TM_RUN_DIR/stripe-mock.port"
tm_log "stopped in $(tm_elapsed "$T")"
