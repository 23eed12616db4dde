"""Append-only audit trail of administrative and security-relevant actions."""

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.core.models import AuditLog


async def record_audit(
    *,
    connection: BaseDBAsyncClient | None,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one audit row (inside the caller's transaction when one is given)."""
    await AuditLog.create(
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
        using_db=connection,
    )


async def list_audit(*, object_type: str | None, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """A page of the audit trail, newest first."""
    query = AuditLog.all()
    if object_type:
        query = query.filter(object_type=object_type)
    total = await query.count()
    rows = await query.order_by("-id").offset(offset).limit(limit)
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
