#!/usr/bin/env bash
# Stop the stripe-mock started by infra/stripe-mock-start.sh. Idempotent.
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tm_lock stripe-mock

tm_stop_daemon stripe-mock stripe-mock "$STRIPE_MOCK_PORT" 10
