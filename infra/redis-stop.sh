#!/usr/bin/env bash
# Stop the redis-server started by infra/redis-start.sh (SHUTDOWN NOSAVE). Idempotent.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tm_lock redis

tm_stop_daemon redis redis-server "$REDIS_PORT" 10 timeout 10 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave
