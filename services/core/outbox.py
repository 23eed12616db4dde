"""The transactional outbox: record an event in the caller's transaction; the worker drains it."""

from collections.abc import Callable
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from services.core.models import OutboxEvent

PayloadEnricher = Callable[[dict[str, Any]], dict[str, Any]]
_enrichers: dict[str, PayloadEnricher] = {}


def register_payload_enricher(topic: str, enricher: PayloadEnricher) -> None:
    """Let an outer layer add derived data to a topic's payloads as they are written (dependency inversion).

    The search layer registers one that stores the finished engine document with each listing event, so
    the text analysis runs once at write time and the worker only forwards documents at the engine's pace.
    """
    _enrichers[topic] = enricher


def enrich_payload(topic: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Apply the topic's enricher, if one is registered in this process."""
    enricher = _enrichers.get(topic)
    return enricher(payload) if enricher is not None else payload


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
        payload=enrich_payload(topic, payload or {}),
        using_db=connection,
    )


async def erase_payloads(*, connection: BaseDBAsyncClient, aggregate_type: str, aggregate_id: int) -> None:
    """Replace the snapshots in an aggregate's past events with a bare erased marker (right to deletion)."""
    # Old events carried the whole profile; an erased person's data must not outlive the row in the outbox.
    await connection.execute_query(
        "UPDATE core_outbox SET payload = jsonb_build_object('snapshot', jsonb_build_object('id', aggregate_id, "
        "'type', payload->'snapshot'->'type', 'status', 'erased', 'version', aggregate_version)) "
        "WHERE aggregate_type = $1 AND aggregate_id = $2",
        [aggregate_type, aggregate_id],
    )


async def count_pending() -> int:
    """How many outbox rows the worker has not processed yet."""
    return await OutboxEvent.filter(processed_at__isnull=True).count()


MAX_ATTEMPTS = 8


async def claim_batch(
    connection: BaseDBAsyncClient, limit: int, *, detach: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Lock the oldest unprocessed rows; other workers skip them (call inside a transaction).

    `detach` names a JSON path that is cut out of each payload and returned as raw JSON text in `detached`:
    a large part the caller only forwards (an engine document) is never decoded and re-encoded in Python.
    """
    return await connection.execute_query_dict(
        "SELECT id, topic, aggregate_type, aggregate_id, aggregate_version, attempts, "
        "payload #- $2::text[] AS payload, (payload #> $2::text[])::text AS detached FROM core_outbox "
        "WHERE processed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        [limit, list(detach) or ["-"]],
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


async def lag_by_lane() -> dict[str, tuple[int, float]]:
    """Unprocessed rows and the age in seconds of the oldest one, per lane (the topic's family)."""
    rows = await connections.get("default").execute_query_dict(
        "SELECT split_part(topic, '.', 1) AS lane, count(*) AS pending, "
        "coalesce(extract(epoch FROM now() - min(created_at)), 0) AS lag FROM core_outbox "
        "WHERE processed_at IS NULL GROUP BY 1"
    )
    lanes = {"listing": (0, 0.0), "demand": (0, 0.0)}
    lanes.update({str(r["lane"]): (int(r["pending"]), float(r["lag"])) for r in rows})
    return lanes
