"""Queries of notifications; every read and write is scoped to one recipient."""

from tortoise.backends.base.client import BaseDBAsyncClient

from services.core import clock
from services.notifications.models import Notification


async def create_many(rows: list[Notification], connection: BaseDBAsyncClient) -> list[Notification]:
    created = []
    for row in rows:
        await row.save(using_db=connection)
        created.append(row)
    return created


async def page_for(
    user_id: int, *, unread_only: bool, offset: int, limit: int
) -> tuple[int, int, list[Notification]]:
    query = Notification.filter(user_id=user_id)
    if unread_only:
        query = query.filter(read_at__isnull=True)
    total = await query.count()
    unread = await Notification.filter(user_id=user_id, read_at__isnull=True).count()
    return total, unread, await query.order_by("-id").offset(offset).limit(limit)


async def newer_than(user_id: int, after_id: int, limit: int = 50) -> list[Notification]:
    return await Notification.filter(user_id=user_id, id__gt=after_id).order_by("id").limit(limit)


async def latest_id(user_id: int) -> int:
    row = await Notification.filter(user_id=user_id).order_by("-id").first()
    return int(row.id) if row else 0


async def mark_read(user_id: int, notification_id: int | None) -> int:
    """Mark one (or, with None, every) unread notification of this user read; others' rows are never touched."""
    query = Notification.filter(user_id=user_id, read_at__isnull=True)
    if notification_id is not None:
        query = query.filter(id=notification_id)
    return await query.update(read_at=clock.now())


async def exists_for(user_id: int, notification_id: int) -> bool:
    return await Notification.exists(user_id=user_id, id=notification_id)


async def count_unread(user_id: int, kind: str | None = None) -> int:
    query = Notification.filter(user_id=user_id, read_at__isnull=True)
    if kind is not None:
        query = query.filter(kind=kind)
    return await query.count()


async def mark_kind_read(user_id: int, kind: str) -> int:
    """Mark this user's unread notifications of one kind read (the page they point to was opened)."""
    return await Notification.filter(user_id=user_id, read_at__isnull=True, kind=kind).update(
        read_at=clock.now()
    )
