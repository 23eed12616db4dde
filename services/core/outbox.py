"""The transactional outbox: record an event in the caller's transaction; the worker drains it."""

from collections.abc import Callable
from typing import Any

from services.core import repository
from services.core.db import Connection
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
    connection: Connection,
    topic: str,
    aggregate_type: str,
    aggregate_id: int,
    aggregate_version: int = 0,
    payload: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Write one outbox row inside the given transaction."""
    return await repository.insert_outbox_event(
        connection=connection,
        topic=topic,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        payload=enrich_payload(topic, payload or {}),
    )


async def erase_payloads(*, connection: Connection, aggregate_type: str, aggregate_id: int) -> None:
    """Replace the snapshots in an aggregate's past events with a bare erased marker (right to deletion)."""
    # Old events carried the whole profile; an erased person's data must not outlive the row in the outbox.
    await repository.erase_outbox_payloads(
        connection=connection, aggregate_type=aggregate_type, aggregate_id=aggregate_id
    )


async def count_pending() -> int:
    """How many outbox rows the worker has not processed yet."""
    return await repository.count_unprocessed_events()


MAX_ATTEMPTS = 8


async def claim_batch(
    connection: Connection, limit: int, *, detach: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Lock the oldest unprocessed rows; other workers skip them (call inside a transaction).

    `detach` names a JSON path that is cut out of each payload and returned as raw JSON text in `detached`:
    a large part the caller only forwards (an engine document) is never decoded and re-encoded in Python.
    """
    return await repository.lock_unprocessed_events(connection, limit, list(detach) or ["-"])


async def mark_processed(connection: Connection, ids: list[int]) -> None:
    """Mark rows done."""
    if ids:
        await repository.mark_events_processed(connection, ids)


async def mark_failed(connection: Connection, row_id: int, error: str, attempts: int) -> bool:
    """Record a failed attempt; after MAX_ATTEMPTS the row is parked as dead (processed, with its error)."""
    dead = attempts + 1 >= MAX_ATTEMPTS
    await repository.record_event_failure(connection, row_id=row_id, error=error[:2000], dead=dead)
    return dead


async def count_dead() -> int:
    """Rows given up on after MAX_ATTEMPTS (they keep their error for an operator)."""
    return await repository.count_dead_events(MAX_ATTEMPTS)


async def high_water_mark() -> int:
    """The newest outbox id (a rebuild replays everything after it)."""
    return await repository.newest_event_id()


async def events_since(after_id: int, topic: str, limit: int = 5000) -> list[OutboxEvent]:
    """Events of a topic after an id, processed or not, oldest first."""
    return await repository.list_events_after(after_id, topic, limit)


async def lag_by_lane() -> dict[str, tuple[int, float]]:
    """Unprocessed rows and the age in seconds of the oldest one, per lane (the topic's family)."""
    rows = await repository.unprocessed_by_lane()
    lanes = {"listing": (0, 0.0), "demand": (0, 0.0)}
    lanes.update({str(r["lane"]): (int(r["pending"]), float(r["lag"])) for r in rows})
    return lanes
