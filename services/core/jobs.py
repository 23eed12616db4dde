"""Background jobs a user waits on (bulk import): create with their file, claim, report progress, finish."""

import json
import uuid
from typing import Any

from services.core import clock, repository
from services.core.db import Connection
from services.core.models import Job

# A running job whose row has not moved for this long belongs to a worker that died; it is claimed again.
STALE_AFTER_MINUTES = 15
MAX_ATTEMPTS = 3


async def create_job(
    *,
    connection: Connection,
    kind: str,
    owner_id: int | None,
    org_id: int | None,
    params: dict[str, Any],
    filename: str,
    content: bytes,
) -> Job:
    """A queued job and its uploaded file, inside the caller's transaction."""
    return await repository.insert_job(
        connection=connection,
        kind=kind,
        status="queued",
        owner_id=owner_id,
        org_id=org_id,
        params=params,
        filename=filename,
        content=content,
    )


async def claim_next(connection: Connection, kind_prefix: str) -> dict[str, Any] | None:
    """Lock the oldest queued (or abandoned) job of a kind and mark it running; other workers skip it."""
    row = await repository.lock_claimable_job(
        connection, kind_prefix=kind_prefix, stale_after_minutes=STALE_AFTER_MINUTES
    )
    if row is None:
        return None
    params = row["params"]
    params = json.loads(params) if isinstance(params, str) else dict(params or {})
    params["attempts"] = int(params.get("attempts", 0)) + 1
    await repository.mark_job_running(connection, job_id=row["id"], params=params)
    return {**row, "params": params}


async def read_file(job_id: uuid.UUID) -> tuple[str, bytes] | None:
    """The uploaded file of a job (name, bytes)."""
    found = await repository.get_job_file(job_id)
    return (found.filename, bytes(found.content)) if found else None


async def report_progress(job_id: uuid.UUID, *, total: int, done: int, failed: int) -> None:
    """Counters a client polls while the job runs (committed at once)."""
    # A queryset update skips auto_now; the timestamp is what tells a live job from an abandoned one.
    await repository.update_job_counters(
        job_id, total=total, done=done, failed=failed, updated_at=clock.now()
    )


async def finish(
    *,
    connection: Connection,
    job_id: uuid.UUID,
    status: str,
    total: int,
    done: int,
    failed: int,
    errors: list[dict[str, Any]],
    result: dict[str, Any],
) -> None:
    """Final status, errors and result; the uploaded bytes are released (the name stays)."""
    job = await repository.lock_job(connection, job_id)
    if job is None:
        return
    job.status = status
    job.total, job.done, job.failed = total, done, failed
    job.errors = errors
    job.params = {**job.params, "result": result}
    await repository.save_job(connection, job)
    await repository.empty_job_file(connection, job_id)


async def get_job(job_id: uuid.UUID) -> Job | None:
    """One job by id."""
    return await repository.get_job(job_id)
