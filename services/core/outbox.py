"""The transactional outbox: record an event in the caller's transaction; the worker drains it."""

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.core.models import OutboxEvent


async def record_event(
    *,
    connection: BaseDBAsyncClient,
    topic: str,
    aggregate_type: str,
    aggregate_id: int,
    aggregate_version: int = 0,
    payload: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Write one outbox row inside the given transaction."""
    return await OutboxEvent.create(
        topic=topic,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        payload=payload or {},
        using_db=connection,
    )


async def count_pending() -> int:
    """How many outbox rows the worker has not processed yet."""
    return await OutboxEvent.filter(processed_at__isnull=True).count()


MAX_ATTEMPTS = 8


async def claim_batch(connection: BaseDBAsyncClient, limit: int) -> list[dict[str, Any]]:
    """Lock the oldest unprocessed rows; other workers skip them (call inside a transaction)."""
    return await connection.execute_query_dict(
        "SELECT id, topic, aggregate_type, aggregate_id, aggregate_version, payload, attempts FROM core_outbox "
        "WHERE processed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        [limit],
    )


async def mark_processed(connection: BaseDBAsyncClient, ids: list[int]) -> None:
    """Mark rows done."""
    if ids:
        await connection.execute_query(
            "UPDATE core_outbox SET processed_at = now() WHERE id = ANY($1::bigint[])", [ids]
        )


async def mark_failed(connection: BaseDBAsyncClient, row_id: int, error: str, attempts: int) -> bool:
    """Record a failed attempt; after MAX_ATTEMPTS the row is parked as dead (processed, with its error)."""
    dead = attempts + 1 >= MAX_ATTEMPTS
    await connection.execute_query(
        "UPDATE core_outbox SET attempts = attempts + 1, last_error = $2, "
        "processed_at = CASE WHEN $3 THEN now() ELSE NULL END WHERE id = $1",
        [row_id, error[:2000], dead],
    )
    return dead


async def count_dead() -> int:
    """Rows given up on after MAX_ATTEMPTS (they keep their error for an operator)."""
    return await OutboxEvent.filter(
        processed_at__isnull=False, last_error__isnull=False, attempts__gte=MAX_ATTEMPTS
    ).count()


async def high_water_mark() -> int:
    """The newest outbox id (a rebuild replays everything after it)."""
    row = await OutboxEvent.all().order_by("-id").first()
    return row.id if row else 0


async def events_since(after_id: int, topic: str, limit: int = 5000) -> list[OutboxEvent]:
    """Events of a topic after an id, processed or not, oldest first."""
    return await OutboxEvent.filter(id__gt=after_id, topic=topic).order_by("id").limit(limit)
