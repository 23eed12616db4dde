"""Notify people of what concerns them: rows written in the transaction of the change that caused them."""

from collections.abc import Iterable

from services.accounts.policies import Actor
from services.core.db import Connection
from services.core.errors import NotFound
from services.core.outbox import record_event
from services.core.redis import get_redis, notification_channel
from services.notifications import repository
from services.notifications.models import Notification
from services.notifications.schemas import NotificationKind, NotificationPage, NotificationRead

NOTIFICATION_TOPIC = "notification.created"


def notification_read(row: Notification) -> NotificationRead:
    """Schema of a notification."""
    return NotificationRead(
        id=row.id,
        kind=NotificationKind(row.kind),
        title=row.title,
        body=row.body,
        link=row.link,
        created_at=row.created_at,
        read_at=row.read_at,
    )


async def notify(
    *,
    connection: Connection,
    user_ids: Iterable[int | None],
    kind: NotificationKind,
    title: str,
    body: str = "",
    link: str = "",
    skip_user_id: int | None = None,
) -> int:
    """Write one notification per recipient inside the caller's transaction."""
    recipients = sorted({u for u in user_ids if u is not None and u != skip_user_id})
    if not recipients:
        return 0
    rows = [
        Notification(user_id=user_id, kind=kind.value, title=title[:200], body=body, link=link[:300])
        for user_id in recipients
    ]
    # The rows are written in the caller's transaction: a committed change always has its notifications,
    # and the live stream reads them from here (nothing is lost when a page is closed).
    created = await repository.create_many(rows, connection)
    # And an outbox event in the same transaction: the worker pushes it to the recipients' open streams.
    await record_event(
        connection=connection,
        topic=NOTIFICATION_TOPIC,
        aggregate_type="notification",
        aggregate_id=int(created[0].id) if created else 0,
        payload={"user_ids": recipients, "kind": kind.value},
    )
    return len(created)


async def push_to_streams(*, user_ids: Iterable[int]) -> int:
    """Wake the open notification streams of these people (from the worker, after the outbox event)."""
    pushed = 0
    for user_id in sorted(set(user_ids)):
        await get_redis().publish(notification_channel(user_id), "new")
        pushed += 1
    return pushed


async def list_notifications(*, actor: Actor, unread_only: bool, page: int, size: int) -> NotificationPage:
    """The caller's own notifications, newest first."""
    total, unread, rows = await repository.page_for(
        actor.user_id, unread_only=unread_only, offset=(page - 1) * size, limit=size
    )
    return NotificationPage(
        total=total, unread=unread, page=page, size=size, items=[notification_read(r) for r in rows]
    )


async def mark_read(*, actor: Actor, notification_id: int | None) -> int:
    """Mark one of the caller's notifications read (or all of them); someone else's does not exist (404)."""
    if notification_id is not None and not await repository.exists_for(actor.user_id, notification_id):
        raise NotFound("notification_not_found", "通知不存在", "notification not found")
    return await repository.mark_read(actor.user_id, notification_id)


async def newer_than(*, actor: Actor, after_id: int) -> list[NotificationRead]:
    """The caller's notifications after an id (for the live stream)."""
    return [notification_read(r) for r in await repository.newer_than(actor.user_id, after_id)]


async def latest_id(*, actor: Actor) -> int:
    """The id of the caller's newest notification (where a fresh stream starts)."""
    return await repository.latest_id(actor.user_id)


async def unread_count(*, actor: Actor, kind: NotificationKind | None = None) -> int:
    """How many of the caller's own notifications (of one kind, or all) are unread (the header badge)."""
    return await repository.count_unread(actor.user_id, kind.value if kind is not None else None)


async def mark_kind_read(*, actor: Actor, kind: NotificationKind) -> int:
    """Mark the caller's unread notifications of one kind read: the page they announce has been seen."""
    return await repository.mark_kind_read(actor.user_id, kind.value)
