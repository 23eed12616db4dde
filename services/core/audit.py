"""Append-only audit trail of administrative and security-relevant actions."""

from typing import Any

from services.core import repository
from services.core.db import Connection


async def record_audit(
    *,
    connection: Connection | None,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one audit row (inside the caller's transaction when one is given)."""
    await repository.insert_audit(
        connection=connection,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )


async def list_audit(*, object_type: str | None, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """A page of the audit trail, newest first."""
    total, rows = await repository.page_audit(object_type=object_type, offset=offset, limit=limit)
    return total, [
        {
            "id": r.id,
            "actor_id": r.actor_id,
            "action": r.action,
            "object_type": r.object_type,
            "object_id": r.object_id,
            "detail": r.detail,
            "created_at": r.created_at.isoformat(),
        }
        for r in rows
    ]
