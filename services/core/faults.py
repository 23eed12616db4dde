"""What an unexpected exception means: bad input that slipped past validation, or a dependency that is down.

The web layer maps the answer to 422 or 503 with Retry-After instead of 500, and the metrics count it.
"""

from enum import StrEnum

import asyncpg
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from services.core.db import DatabaseUnreachable, RefusedValue


class Fault(StrEnum):
    BAD_VALUE = "bad_value"
    DATABASE_DOWN = "database_down"
    REDIS_DOWN = "redis_down"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def is_redis_down(exc: BaseException) -> bool:
    """True when the exception (or its cause) says Redis cannot be reached."""
    return any(isinstance(e, RedisConnectionError | RedisTimeoutError) for e in _chain(exc))


def classify(exc: BaseException) -> Fault | None:
    """The fault behind an exception, or None when it is a genuine bug."""
    chain = _chain(exc)
    # asyncpg's client-side encoding error (an int beyond int64) is an InterfaceError: check values first.
    if any(isinstance(e, _BAD_VALUE) for e in chain):
        return Fault.BAD_VALUE
    if any(isinstance(e, RedisConnectionError | RedisTimeoutError) for e in chain):
        return Fault.REDIS_DOWN
    if any(isinstance(e, _DATABASE_DOWN) for e in chain):
        return Fault.DATABASE_DOWN
    return None


_BAD_VALUE = (asyncpg.DataError, asyncpg.exceptions._base.DataError, OverflowError, RefusedValue)
_DATABASE_DOWN = (
    DatabaseUnreachable,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.TooManyConnectionsError,
    ConnectionError,
    TimeoutError,
    OSError,
)
