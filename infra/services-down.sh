#!/usr/bin/env bash
# Stop the services started by infra/services-up.sh. Idempotent; services not
# started by these scripts are left alone.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=$(tm_now)
failed=()
for svc in stripe-mock search redis pg; do
  bash "$TM_ROOT/infra/$svc-stop.sh" </dev/null || failed+=("$svc")
done
if ((${#failed[@]})); then
  tm_err "failed to stop: ${failed[*]}"
  exit 1
fi
tm_log "all stopped in $(tm_elapsed "$T")"
