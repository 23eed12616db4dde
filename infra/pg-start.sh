#!/usr/bin/env bash
# Start PostgreSQL $PG_VERSION (Debian package) on 127.0.0.1:$PG_PORT with its own
# data folder ($PG_DATA_DIR), then make sure databases $PG_DB and $PG_TEST_DB exist
# with extension btree_gist. Idempotent: a running server is left running (its
# config is re-applied with a reload). No systemd.
#   TM_FAST_PG=1  -> fsync, synchronous_commit, full_page_writes off (tests only)
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tm_lock postgres

T=$(tm_now)
tm_need_install "test -x '$PG_BIN/initdb'" "command -v psql" "command -v pg_isready"
tm_pg_resolve create
tm_log "PostgreSQL $PG_VERSION: data $PG_DATA_DIR, log $PG_LOG"

pg_ready() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }

# Superuser psql over the unix socket (local auth is trust), or over TCP with
# the password when we only adopted a server that is not ours.
PSQL_MODE=socket
psql_admin() {
  local PGOPTIONS="-c client_min_messages=warning" PGCONNECT_TIMEOUT=10; export PGOPTIONS PGCONNECT_TIMEOUT
  if [[ $PSQL_MODE == socket ]]; then
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_USER" "$@"
  else
    PGPASSWORD=$PG_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$@"
  fi
}

ensure_databases() {
  local db
  if [[ $PSQL_MODE == socket ]]; then
    # Keep the role's password in step with PG_PASSWORD.
    psql_admin -d postgres -v u="$PG_USER" -v pw="$PG_PASSWORD" <<'SQL' >/dev/null
ALTER ROLE :"u" WITH PASSWORD :'pw';
SQL
  fi
  for db in "$PG_DB" "$PG_TEST_DB"; do
    psql_admin -d postgres -v db="$db" <<'SQL' >/dev/null
SELECT format('CREATE DATABASE %I', :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
    psql_admin -d "$db" -c 'CREATE EXTENSION IF NOT EXISTS btree_gist' >/dev/null
  done
}

# Settings we own live in techmarket.conf, included from postgresql.conf.
write_conf() {
  local conf="$PG_DATA_DIR/techmarket.conf" new
  new=$(
    printf '# Written by infra/pg-start.sh on every start; edit infra/env.sh instead.\n'
    printf "listen_addresses = '127.0.0.1'\n"
    printf 'port = %s\n' "$PG_PORT"
    printf "unix_socket_directories = '%s'\n" "$PG_SOCKET_DIR"
    printf 'max_connections = %s\n' "$PG_MAX_CONNECTIONS"
    # A unique-constraint error's DETAIL repeats the key (a user's e-mail) and the statement may carry
    # literals: the server log keeps the error itself, never the personal data behind it.
    printf 'log_error_verbosity = terse\nlog_min_error_statement = panic\n'
    if [[ $TM_FAST_PG == 1 ]]; then
      printf '# TM_FAST_PG=1: no durability, for tests only\n'
      printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n'
    fi
  )
  if [[ ! -f $conf || $(cat "$conf") != "$new" ]]; then
    printf '%s\n' "$new" >"$conf"
    chown postgres:postgres "$conf"
    return 0   # changed
  fi
  return 1     # unchanged
}

if tm_pg_running; then
  # Never move a running server to another port silently: others may use it.
  # (Line 4 of postmaster.pid is the port it listens on.)
  have=$(sed -n 4p "$PG_DATA_DIR/postmaster.pid" 2>/dev/null || true)
  if [[ -n $have && $have != "$PG_PORT" ]]; then
    tm_die "PostgreSQL from $PG_DATA_DIR already runs on port $have, not $PG_PORT: stop it first (infra/pg-stop.sh) or use another TM_DATA_DIR"
  fi
  if write_conf; then
    # fsync, synchronous_commit and full_page_writes take effect on reload.
    tm_log "configuration changed (TM_FAST_PG=$TM_FAST_PG): reloading"
    tm_pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" reload >>"$PG_LOG" 2>&1 || true
  fi
  tm_log "already running on 127.0.0.1:$PG_PORT"
elif tm_port_open "$PG_PORT"; then
  # Something else holds the port. Use it if it is a PostgreSQL that accepts our credentials.
  if PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=5 timeout 10 psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    tm_warn "a PostgreSQL not started by these scripts already serves 127.0.0.1:$PG_PORT and accepts $PG_USER/****; using it"
    PSQL_MODE=tcp
  else
    tm_err "port 127.0.0.1:$PG_PORT is taken by another process (not our cluster, and it does not accept $PG_USER/****):"
    tm_port_holder "$PG_PORT" >&2
    tm_die "stop that process (Debian cluster? see 'pg_lsclusters') or choose another PG_PORT"
  fi
else
  if [[ ! -s $PG_DATA_DIR/PG_VERSION ]]; then
    if [[ -n $(ls -A "$PG_DATA_DIR") ]]; then
      tm_die "$PG_DATA_DIR is not empty but holds no cluster (no PG_VERSION): remove it and run again"
    fi
    tm_rotate_log "$PG_LOG"
    tm_log "initdb (superuser $PG_USER, scram-sha-256 over TCP, trust on the unix socket)"
    pwfile=$(mktemp)
    trap 'rm -f "$pwfile"' EXIT
    printf '%s\n' "$PG_PASSWORD" >"$pwfile"
    chown postgres "$pwfile"
    extra=()
    [[ $TM_FAST_PG == 1 ]] && extra+=(--no-sync)
    tm_pg_as_postgres "$PG_BIN/initdb" -D "$PG_DATA_DIR" -U "$PG_USER" --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 \
      --no-instructions "${extra[@]}" >>"$PG_LOG" 2>&1 </dev/null \
      || tm_die_with_log "$PG_LOG" "initdb failed"
    rm -f "$pwfile"
    printf "\n# TechMarket settings (infra/pg-start.sh)\ninclude_if_exists = 'techmarket.conf'\n" >>"$PG_DATA_DIR/postgresql.conf"
  else
    tm_rotate_log "$PG_LOG"
  fi
  write_conf || true
  chown postgres:postgres "$PG_LOG"
  tm_log "starting on 127.0.0.1:$PG_PORT (TM_FAST_PG=$TM_FAST_PG)"
  # pg_ctl's output and the server's own log both go to $PG_LOG (opened here as
  # root, so it works even if the postgres user cannot reach the log folder).
  tm_pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" -w -t 60 start >>"$PG_LOG" 2>&1 </dev/null \
    || tm_die_with_log "$PG_LOG" "pg_ctl start failed"
fi

wait_for postgres 30 "$PG_LOG" - pg_ready
ensure_databases || tm_die_with_log "$PG_LOG" "could not create databases $PG_DB/$PG_TEST_DB or extension btree_gist"
tm_log "ready on 127.0.0.1:$PG_PORT in $(tm_elapsed "$T"): postgresql://$PG_USER:****@127.0.0.1:$PG_PORT/$PG_DB (and /$PG_TEST_DB), log $PG_LOG"
