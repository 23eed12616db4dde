"""In-app notifications: the caller's own list, mark read, and a live server-sent event stream."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sse_starlette.sse import EventSourceResponse

from services.notifications import service
from services.notifications.schemas import NotificationPage
from web.deps import CurrentUser, Page, Size

router = APIRouter(prefix="/api/v1", tags=["notifications"])
# The stream polls the caller's own rows: PostgreSQL is the record, so a missed push is never a lost one.
POLL_SECONDS = 2.0


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
        while not await request.is_disconnected():
            for item in await service.newer_than(actor=user, after_id=last):
                last = item.id
                yield {
                    "event": "notification",
                    "id": str(item.id),
                    "data": json.dumps(item.model_dump(mode="json"), ensure_ascii=False),
                }
            await asyncio.sleep(POLL_SECONDS)

    return EventSourceResponse(events(), ping=15)
