"""Shared test settings: integration tests get their own database, index prefix and Redis db."""

import os

# Set before anything imports settings: the suite never touches the development database or indices.
# One database per run, so concurrent runs on one machine never reset each other's schema.
os.environ.setdefault(
    "DATABASE_URL", f"postgres://postgres:postgres@127.0.0.1:5432/techmarket_test_{os.getpid()}"
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SEARCH_INDEX_PREFIX", f"tmtest{os.getpid()}")
os.environ.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_test_techmarket_suite")
os.environ.setdefault("LOG_LEVEL", "INFO")
