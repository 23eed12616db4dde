"""Background jobs a user waits on (bulk import): create with their file, claim, report progress, finish."""

import json
import uuid
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.core import clock
from services.core.models import Job, JobFile

# A running job whose row has not moved for this long belongs to a worker that died; it is claimed again.
STALE_AFTER_MINUTES = 15
MAX_ATTEMPTS = 3


async def create_job(
    *,
    connection: BaseDBAsyncClient,
    kind: str,
    owner_id: int | None,
    org_id: int | None,
    params: dict[str, Any],
    filename: str,
    content: bytes,
) -> Job:
    """A queued job and its uploaded file, inside the caller's transaction."""
    job = await Job.create(
        id=uuid.uuid4(),
        kind=kind,
        status="queued",
        owner_id=owner_id,
        org_id=org_id,
        params=params,
        using_db=connection,
    )
    await JobFile.create(job_id=job.id, filename=filename, content=content, using_db=connection)
    return job


async def claim_next(connection: BaseDBAsyncClient, kind_prefix: str) -> dict[str, Any] | None:
    """Lock the oldest queued (or abandoned) job of a kind and mark it running; other workers skip it."""
    rows = await connection.execute_query_dict(
        "SELECT id, kind, owner_id, org_id, params FROM core_job "
        "WHERE kind LIKE $1 AND (status = 'queued' OR (status = 'running' AND "
        "updated_at < now() - make_interval(mins => $2))) "
        "ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED",
        [f"{kind_prefix}%", STALE_AFTER_MINUTES],
    )
    if not rows:
        return None
    row = rows[0]
    params = row["params"]
    params = json.loads(params) if isinstance(params, str) else dict(params or {})
    params["attempts"] = int(params.get("attempts", 0)) + 1
    await connection.execute_query(
        "UPDATE core_job SET status = 'running', params = $2::jsonb, updated_at = now() WHERE id = $1",
        [row["id"], json.dumps(params, ensure_ascii=False)],
    )
    return {**row, "params": params}


async def read_file(job_id: uuid.UUID) -> tuple[str, bytes] | None:
    """The uploaded file of a job (name, bytes)."""
    found = await JobFile.get_or_none(job_id=job_id)
    return (found.filename, bytes(found.content)) if found else None


async def report_progress(job_id: uuid.UUID, *, total: int, done: int, failed: int) -> None:
    """Counters a client polls while the job runs (committed at once)."""
    # A queryset update skips auto_now; the timestamp is what tells a live job from an abandoned one.
    await Job.filter(id=job_id).update(total=total, done=done, failed=failed, updated_at=clock.now())


async def finish(
    *,
    connection: BaseDBAsyncClient,
    job_id: uuid.UUID,
    status: str,
    total: int,
    done: int,
    failed: int,
    errors: list[dict[str, Any]],
    result: dict[str, Any],
) -> None:
    """Final status, errors and result; the uploaded bytes are released (the name stays)."""
    job = await Job.filter(id=job_id).using_db(connection).select_for_update().first()
    if job is None:
        return
    job.status = status
    job.total, job.done, job.failed = total, done, failed
    job.errors = errors
    job.params = {**job.params, "result": result}
    await job.save(using_db=connection)
    await JobFile.filter(job_id=job_id).using_db(connection).update(content=b"")


async def get_job(job_id: uuid.UUID) -> Job | None:
    """One job by id."""
    return await Job.get_or_none(id=job_id)
