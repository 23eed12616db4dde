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
