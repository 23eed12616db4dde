#!/usr/bin/env bash
# Stop the OpenSearch node started by infra/search-start.sh: TERM, up to 20 s,
# then KILL (and remove the node lock file left behind). Idempotent.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tm_lock opensearch

PIDFILE="$TM_RUN_DIR/opensearch.pid"
BASE="$TM_DATA_DIR/opensearch"
pid=$(tm_read_pid "$PIDFILE")
if ! tm_pid_alive "$pid" org.codelibs.opensearch.runner.OpenSearchRunner; then
  rm -f "$PIDFILE" "$TM_RUN_DIR/opensearch.port"
  if tm_port_open "$SEARCH_PORT"; then
    tm_log "not running from these scripts; 127.0.0.1:$SEARCH_PORT is served by another process: left alone"
  else
    tm_log "not running"
  fi
  exit 0
fi
T=$(tm_now)
tm_log "stopping pid $pid (log $TM_LOG_DIR/opensearch.log)"
tm_stop_pid "$pid" opensearch 20 || tm_die "could not stop OpenSearch (pid $pid)"
rm -f "$PIDFILE" "$TM_RUN_DIR/opensearch.port" "$BASE"/node_*/data/nodes/*/node.lock
tm_log "stopped in $(tm_elapsed "$T")"
