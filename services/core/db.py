"""Tortoise ORM wiring: one app holding every domain's models, migrations in services/core/migrations."""

from contextlib import AbstractAsyncContextManager
from typing import Any, TypeAlias

from asyncpg.exceptions import DeadlockDetectedError
from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import DBConnectionError, IntegrityError
from tortoise.exceptions import ValidationError as OrmValidationError
from tortoise.transactions import in_transaction

from services.core.settings import get_settings

MODEL_MODULES = [
    "services.core.models",
    "services.accounts.models",
    "services.catalog.models",
    "services.enquiries.models",
    "services.demand.models",
    "services.deals.models",
    "services.notifications.models",
    "services.brokers.models",
    "services.indicators.models",
    "services.bookings.models",
    "services.vouchers.models",
    "services.testing.models",
    "services.orders.models",
    "services.favorites.models",
]


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    """The Tortoise configuration for a database URL (default: settings)."""
    return {
        "connections": {"default": database_url or get_settings().database_url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "services.core.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# What services see of the ORM: a connection to pass to repositories, a transaction to open one, and the
# error a unique constraint raises. Only repositories (and this module) import tortoise.
Connection: TypeAlias = BaseDBAsyncClient
UniqueViolation: TypeAlias = IntegrityError
# Two transactions inserting rows an exclusion constraint says conflict may each wait for the other's row:
# PostgreSQL then aborts one of them with a deadlock. Retried, it meets the committed row as a plain violation.
Deadlock: TypeAlias = DeadlockDetectedError
# What the ORM raises for an unreachable database and for a value a field refuses (services.core.faults).
DatabaseUnreachable: TypeAlias = DBConnectionError
RefusedValue: TypeAlias = OrmValidationError


def transaction() -> AbstractAsyncContextManager[Connection]:
    """One database transaction: `async with transaction() as conn:` commits on exit, rolls back on error."""
    return in_transaction()


async def ping() -> None:
    """One round trip to the database (readiness)."""
    await connections.get("default").execute_query("SELECT 1")


# Read by the `tortoise` CLI (makemigrations): `tortoise -c services.core.db.TORTOISE_ORM makemigrations`.
TORTOISE_ORM = tortoise_config()


async def open_database(database_url: str | None = None) -> None:
    """Initialise Tortoise for this process (shared across tasks)."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_database() -> None:
    """Close every pooled connection."""
    await Tortoise.close_connections()


async def migrate_database(database_url: str | None = None) -> None:
    """Apply every pending migration."""
    from tortoise.migrations.api import migrate

    await migrate(config=tortoise_config(database_url))
