# TechMarket — 科技服务超市. `make run` serves the portal; `make test` proves it against the real services.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

ADMIN_EMAIL ?= admin@techmarket.local
ADMIN_PASSWORD ?= Admin-Pass-2026!
SEED_SCALE ?= 3000
BENCH_SCALE ?= 200000

# The app's connection settings follow the service ports of infra/env.sh unless given explicitly.
PG_PORT ?= 5432
REDIS_PORT ?= 6379
SEARCH_PORT ?= 9200
STRIPE_MOCK_PORT ?= 12111
export PG_PORT REDIS_PORT SEARCH_PORT STRIPE_MOCK_PORT
export DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:$(PG_PORT)/techmarket
export REDIS_URL ?= redis://127.0.0.1:$(REDIS_PORT)/0
export SEARCH_URL ?= http://127.0.0.1:$(SEARCH_PORT)
export STRIPE_API_BASE ?= http://127.0.0.1:$(STRIPE_MOCK_PORT)

.PHONY: help venv services-up services-down migrate seed run test test-fast bench lint format clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the pinned dependencies

services-up: ## install (if missing) and start PostgreSQL, Redis, OpenSearch and stripe-mock on loopback
	bash infra/services-up.sh

services-down: ## stop the four services
	bash infra/services-down.sh

migrate: venv ## apply database migrations
	$(BIN)/techmarket migrate

seed: venv ## load the demo dataset (SEED_SCALE listings)
	$(BIN)/python -m devdata --scale $(SEED_SCALE)

run: venv services-up migrate ## everything, then serve the portal at http://127.0.0.1:8000
	@# The password goes through the environment: never echoed by make, never visible in ps.
	@TM_PASSWORD='$(ADMIN_PASSWORD)' $(BIN)/techmarket create-user --role admin --email '$(ADMIN_EMAIL)' --exist-ok
	$(BIN)/python -m devdata --scale $(SEED_SCALE)
	@echo "portal: http://127.0.0.1:$${PORT:-8000}   admin: $(ADMIN_EMAIL)   demo users: *@demo.techmarket.cn / TechMarket-2026"
	@$(BIN)/techmarket worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; $(BIN)/techmarket serve

test: export TM_FAST_PG := 1
test: export TM_APT_EXTRA := chromium fonts-noto-cjk
test: venv services-up ## the whole suite against the real services
	$(BIN)/python -m pytest -p no:cacheprovider -q --durations=40

test-fast: venv services-up ## the suite without the slow (load, fault, cluster, browser) tests
	$(BIN)/python -m pytest -p no:cacheprovider -q -m 'not slow'

bench: venv services-up ## benchmarks, each figure as a ratio to its limit measured in the same run
	$(BIN)/python -m tests.bench.run --scale $(BENCH_SCALE)

lint: venv ## ruff (lint + format check), mypy strict, import layering
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy services search matching web entry devdata
	$(BIN)/lint-imports

format: venv ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## stop services and remove the venv, caches and service data
	-bash infra/services-down.sh
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache *.egg-info
