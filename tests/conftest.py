"""Shared test settings: the suite gets its own database, index prefix and Redis db on the same servers."""

import os

# Set before anything imports settings: the suite never touches the development database or indices.
# The servers come from the environment (DATABASE_URL, REDIS_URL, SEARCH_URL, like the app); the names
# are per run, so concurrent runs on one machine never reset each other's schema or indices.
_server = os.environ.get("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/techmarket").rsplit(
    "/", 1
)[0]
os.environ["DATABASE_URL"] = f"{_server}/techmarket_test_{os.getpid()}"
# TM_TEST_REDIS_DB lets concurrent suites (e.g. one per git worktree) keep their rate limits apart.
_redis_db = os.environ.get("TM_TEST_REDIS_DB", "15")
os.environ["REDIS_URL"] = (
    os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + f"/{_redis_db}"
)
os.environ["SEARCH_INDEX_PREFIX"] = f"tmtest{os.getpid()}"
os.environ.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_test_techmarket_suite")
os.environ.setdefault("LOG_LEVEL", "INFO")
