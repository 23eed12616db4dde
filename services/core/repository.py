"""Every query of the core's own tables: the outbox, the audit trail and background jobs."""

import json
import uuid
from typing import Any

from tortoise import connections

from services.core.db import Connection
from services.core.models import AuditLog, Job, JobFile, OutboxEvent


async def insert_outbox_event(
    *,
    connection: Connection,
    topic: str,
    aggregate_type: str,
    aggregate_id: int,
    aggregate_version: int,
    payload: dict[str, Any],
) -> OutboxEvent:
    """One outbox row, inside the caller's transaction."""
    return await OutboxEvent.create(
        topic=topic,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        payload=payload,
        using_db=connection,
    )


async def erase_outbox_payloads(*, connection: Connection, aggregate_type: str, aggregate_id: int) -> None:
    """Replace the snapshots in an aggregate's past events with a bare erased marker."""
    await connection.execute_query(
        "UPDATE core_outbox SET payload = jsonb_build_object('snapshot', jsonb_build_object('id', aggregate_id, "
        "'type', payload->'snapshot'->'type', 'status', 'erased', 'version', aggregate_version)) "
        "WHERE aggregate_type = $1 AND aggregate_id = $2",
        [aggregate_type, aggregate_id],
    )


async def count_unprocessed_events() -> int:
    """Outbox rows not processed yet."""
    return await OutboxEvent.filter(processed_at__isnull=True).count()


async def lock_unprocessed_events(
    connection: Connection, limit: int, detach: list[str]
) -> list[dict[str, Any]]:
    """Lock the oldest unprocessed rows (SKIP LOCKED), cutting the `detach` path out as raw JSON text."""
    return await connection.execute_query_dict(
        "SELECT id, topic, aggregate_type, aggregate_id, aggregate_version, attempts, "
        "payload #- $2::text[] AS payload, (payload #> $2::text[])::text AS detached FROM core_outbox "
        "WHERE processed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        [limit, detach],
    )


async def mark_events_processed(connection: Connection, ids: list[int]) -> None:
    """Stamp rows as processed now."""
    await connection.execute_query(
        "UPDATE core_outbox SET processed_at = now() WHERE id = ANY($1::bigint[])", [ids]
    )


async def record_event_failure(connection: Connection, *, row_id: int, error: str, dead: bool) -> None:
    """Count a failed attempt and keep its error; a dead row is stamped processed."""
    await connection.execute_query(
        "UPDATE core_outbox SET attempts = attempts + 1, last_error = $2, "
        "processed_at = CASE WHEN $3 THEN now() ELSE NULL END WHERE id = $1",
        [row_id, error, dead],
    )


async def count_dead_events(max_attempts: int) -> int:
    """Processed rows that kept an error after `max_attempts`."""
    return await OutboxEvent.filter(
        processed_at__isnull=False, last_error__isnull=False, attempts__gte=max_attempts
    ).count()


async def newest_event_id() -> int:
    """The newest outbox id, 0 when empty."""
    row = await OutboxEvent.all().order_by("-id").first()
    return row.id if row else 0


async def list_events_after(after_id: int, topic: str, limit: int) -> list[OutboxEvent]:
    """Events of a topic after an id, processed or not, oldest first."""
    return await OutboxEvent.filter(id__gt=after_id, topic=topic).order_by("id").limit(limit)


async def unprocessed_by_lane() -> list[dict[str, Any]]:
    """Unprocessed rows and the age in seconds of the oldest, per topic family."""
    connection: Connection = connections.get("default")
    return await connection.execute_query_dict(
        "SELECT split_part(topic, '.', 1) AS lane, count(*) AS pending, "
        "coalesce(extract(epoch FROM now() - min(created_at)), 0) AS lag FROM core_outbox "
        "WHERE processed_at IS NULL GROUP BY 1"
    )


async def insert_audit(
    *,
    connection: Connection | None,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any],
) -> None:
    """One audit row (inside the caller's transaction when one is given)."""
    await AuditLog.create(
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        using_db=connection,
    )


async def page_audit(*, object_type: str | None, offset: int, limit: int) -> tuple[int, list[AuditLog]]:
    """The total and one page of audit rows, newest first."""
    query = AuditLog.all()
    if object_type:
        query = query.filter(object_type=object_type)
    return await query.count(), await query.order_by("-id").offset(offset).limit(limit)


async def insert_job(
    *,
    connection: Connection,
    kind: str,
    status: str,
    owner_id: int | None,
    org_id: int | None,
    params: dict[str, Any],
    filename: str,
    content: bytes,
) -> Job:
    """A job row and its file row, inside the caller's transaction."""
    job = await Job.create(
        id=uuid.uuid4(),
        kind=kind,
        status=status,
        owner_id=owner_id,
        org_id=org_id,
        params=params,
        using_db=connection,
    )
    await JobFile.create(job_id=job.id, filename=filename, content=content, using_db=connection)
    return job


async def lock_claimable_job(
    connection: Connection, *, kind_prefix: str, stale_after_minutes: int
) -> dict[str, Any] | None:
    """Lock the oldest queued job of a kind, or a running one untouched for too long (SKIP LOCKED)."""
    rows = await connection.execute_query_dict(
        "SELECT id, kind, owner_id, org_id, params FROM core_job "
        "WHERE kind LIKE $1 AND (status = 'queued' OR (status = 'running' AND "
        "updated_at < now() - make_interval(mins => $2))) "
        "ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED",
        [f"{kind_prefix}%", stale_after_minutes],
    )
    return rows[0] if rows else None


async def mark_job_running(connection: Connection, *, job_id: uuid.UUID, params: dict[str, Any]) -> None:
    """Set a locked job running with its new parameters and touch its timestamp."""
    await connection.execute_query(
        "UPDATE core_job SET status = 'running', params = $2::jsonb, updated_at = now() WHERE id = $1",
        [job_id, json.dumps(params, ensure_ascii=False)],
    )


async def get_job_file(job_id: uuid.UUID) -> JobFile | None:
    """The uploaded file row of a job."""
    return await JobFile.get_or_none(job_id=job_id)


async def update_job_counters(
    job_id: uuid.UUID, *, total: int, done: int, failed: int, updated_at: Any
) -> None:
    """Progress counters, committed at once."""
    await Job.filter(id=job_id).update(total=total, done=done, failed=failed, updated_at=updated_at)


async def lock_job(connection: Connection, job_id: uuid.UUID) -> Job | None:
    """A job row locked for update."""
    return await Job.filter(id=job_id).using_db(connection).select_for_update().first()


async def save_job(connection: Connection, job: Job) -> None:
    """Write a changed job row."""
    await job.save(using_db=connection)


async def empty_job_file(connection: Connection, job_id: uuid.UUID) -> None:
    """Release an uploaded file's bytes (the name stays)."""
    await JobFile.filter(job_id=job_id).using_db(connection).update(content=b"")


async def get_job(job_id: uuid.UUID) -> Job | None:
    """One job by id."""
    return await Job.get_or_none(id=job_id)
