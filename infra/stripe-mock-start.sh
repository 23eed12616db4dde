#!/usr/bin/env bash
# Start stripe-mock ($STRIPE_MOCK_VERSION, built by infra/install.sh into
# $TM_CACHE_DIR/bin) on http://127.0.0.1:$STRIPE_MOCK_PORT (HTTPS on
# 127.0.0.1:$STRIPE_MOCK_HTTPS_PORT: stripe-mock cannot turn HTTPS off, and its
# default would bind every interface). Idempotent.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tm_lock stripe-mock

T=$(tm_now)
tm_need_install "test -x '$TM_STRIPE_MOCK_BIN'" "grep -qx '$STRIPE_MOCK_VERSION' '$TM_STRIPE_MOCK_BIN.version'"
LOG="$TM_LOG_DIR/stripe-mock.log"
PIDFILE="$TM_RUN_DIR/stripe-mock.pid"
URL="http://127.0.0.1:$STRIPE_MOCK_PORT"
tm_log "stripe-mock $STRIPE_MOCK_VERSION: log $LOG"

answers() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -u sk_test_123: "$URL/v1/customers") == 200 ]]; }

pid=$(tm_read_pid "$PIDFILE")
if tm_pid_alive "$pid" stripe-mock; then
  tm_same_port stripe-mock "$PIDFILE" "$STRIPE_MOCK_PORT" "$pid"
  wait_for stripe-mock 30 "$LOG" "$pid" answers
  tm_log "already running on $URL (pid $pid)"
  exit 0
fi
rm -f "$PIDFILE" "$TM_RUN_DIR/stripe-mock.port"

if tm_port_open "$STRIPE_MOCK_PORT" && answers; then
  tm_warn "a stripe-mock not started by these scripts already answers on $URL; using it"
  exit 0
fi

tm_rotate_log "$LOG"
tm_log "starting on $URL"
# shellcheck disable=SC2034  # read by wait_for (stop this pid on timeout)
TM_WAIT_PIDFILE=$PIDFILE
setsid nohup "$TM_STRIPE_MOCK_BIN" -http-addr "127.0.0.1:$STRIPE_MOCK_PORT" \
  -https-addr "127.0.0.1:$STRIPE_MOCK_HTTPS_PORT" >>"$LOG" 2>&1 </dev/null 9>&- &
pid=$!
echo "$pid" >"$PIDFILE"
echo "$STRIPE_MOCK_PORT" >"$TM_RUN_DIR/stripe-mock.port"
wait_for stripe-mock 30 "$LOG" "$pid" answers
tm_log "ready on $URL (pid $pid) in $(tm_elapsed "$T"), log $LOG"
