"""In-app notifications: the caller's own list, mark read, and a live server-sent event stream."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError
from sse_starlette.sse import EventSourceResponse

from services.core.redis import get_redis, notification_channel
from services.notifications import service
from services.notifications.schemas import NotificationPage
from web.deps import CurrentUser, Page, Size

router = APIRouter(prefix="/api/v1", tags=["notifications"])
# The stream is woken by a push and also polls the caller's own rows: PostgreSQL is the record, so a missed
# push is never a lost notification.
POLL_SECONDS = 5.0


@router.get("/notifications")
async def list_(
    user: CurrentUser, page: Page = 1, size: Size = 20, unread: Annotated[bool, Query()] = False
) -> NotificationPage:
    return await service.list_notifications(actor=user, unread_only=unread, page=page, size=size)


@router.post("/notifications/{notification_id}/read")
async def mark_read(notification_id: int, user: CurrentUser) -> dict[str, int]:
    return {"marked": await service.mark_read(actor=user, notification_id=notification_id)}


@router.post("/notifications/read-all")
async def mark_all_read(user: CurrentUser) -> dict[str, int]:
    return {"marked": await service.mark_read(actor=user, notification_id=None)}


@router.get("/notifications/stream")
async def stream(request: Request, user: CurrentUser, after: int | None = None) -> EventSourceResponse:
    last = after if after is not None else await service.latest_id(actor=user)

    async def events() -> AsyncIterator[dict[str, str]]:
        nonlocal last
        # The worker publishes on the caller's own channel when the outbox carries a notification for them;
        # the rows are read from PostgreSQL, only the caller's. Without Redis the stream still polls.
        pubsub: PubSub | None = get_redis().pubsub()
        try:
            await pubsub.subscribe(notification_channel(user.user_id))  # type: ignore[union-attr]
        except RedisError:
            pubsub = None
        try:
            while not await request.is_disconnected():
                for item in await service.newer_than(actor=user, after_id=last):
                    last = item.id
                    yield {
                        "event": "notification",
                        "id": str(item.id),
                        "data": json.dumps(item.model_dump(mode="json"), ensure_ascii=False),
                    }
                await _wake_or_timeout(pubsub)
        finally:
            if pubsub is not None:
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    return EventSourceResponse(events(), ping=15)


async def _wake_or_timeout(pubsub: PubSub | None) -> None:
    """Wait for a push on the caller's channel, or the poll interval."""
    if pubsub is None:
        await asyncio.sleep(POLL_SECONDS)
        return
    try:
        await pubsub.get_message(ignore_subscribe_messages=True, timeout=POLL_SECONDS)
    except RedisError:
        await asyncio.sleep(POLL_SECONDS)
