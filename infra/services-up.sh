#!/usr/bin/env bash
# Install what is missing, then start PostgreSQL, Redis, OpenSearch and
# stripe-mock on 127.0.0.1 (idempotent; a second run only checks) and print a
# summary. Each service's start script says where its log is.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=$(tm_now)
bash "$TM_ROOT/infra/install.sh"

# OpenSearch takes longest: start it in the background while the others start.
search_out=$(mktemp)
trap 'rm -f "$search_out"' EXIT
bash "$TM_ROOT/infra/search-start.sh" >"$search_out" 2>&1 </dev/null &
search_job=$!

failed=()
for svc in pg redis stripe-mock; do
  bash "$TM_ROOT/infra/$svc-start.sh" </dev/null || failed+=("$svc")
done
search_rc=0
wait "$search_job" || search_rc=$?
cat "$search_out"
((search_rc == 0)) || failed+=(search)

if ((${#failed[@]})); then
  tm_err "failed to start: ${failed[*]} (see the messages and log tails above)"
  exit 1
fi

pw='****'
[[ $PG_PASSWORD == postgres ]] && pw=$PG_PASSWORD
# Where each log is, or a note when the port is served by a process these scripts did not start.
ext="(not started by these scripts: no log here, infra/services-down.sh leaves it alone)"
tm_pg_resolve
if tm_pg_running; then pg_log="log $PG_LOG"; else pg_log=$ext; fi
logline() { # NAME LOG
  if tm_pid_alive "$(tm_read_pid "$TM_RUN_DIR/$1.pid")"; then echo "log $2"; else echo "$ext"; fi
}
cat <<SUMMARY

TechMarket services are up on 127.0.0.1 ($(tm_elapsed "$T")):
  PostgreSQL $PG_VERSION  127.0.0.1:$PG_PORT   postgresql://$PG_USER:$pw@127.0.0.1:$PG_PORT/$PG_DB  (tests: /$PG_TEST_DB)
                 $pg_log
  Redis          127.0.0.1:$REDIS_PORT   redis://127.0.0.1:$REDIS_PORT/0
                 $(logline redis "$TM_LOG_DIR/redis.log")
  OpenSearch     127.0.0.1:$SEARCH_PORT   http://127.0.0.1:$SEARCH_PORT
                 $(logline opensearch "$TM_LOG_DIR/opensearch.log")
  stripe-mock    127.0.0.1:$STRIPE_MOCK_PORT  http://127.0.0.1:$STRIPE_MOCK_PORT  (https: 127.0.0.1:$STRIPE_MOCK_HTTPS_PORT)
                 $(logline stripe-mock "$TM_LOG_DIR/stripe-mock.log")
Stop them with: infra/services-down.sh
SUMMARY
