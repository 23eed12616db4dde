"""Notifications pushed live over server-sent events: a change writes the notification and an outbox event in one
transaction, the worker pushes it, and only its recipient's open stream receives it."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories import create_org, create_user, unique
from tests.integration.conftest import Processes

pytestmark = pytest.mark.integration


class Stream:
    """One person's open notification stream, read event by event."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()

    async def next_notification(self, seconds: float = 30) -> dict[str, Any]:
        event = ""
        async with asyncio.timeout(seconds):
            async for line in self.lines:
                if line.startswith("event:"):
                    event = line.removeprefix("event:").strip()
                elif line.startswith("data:") and event == "notification":
                    return dict(json.loads(line.removeprefix("data:").strip()))
        raise AssertionError("the stream ended")


@asynccontextmanager
async def open_stream(base: str, token: str) -> AsyncIterator[Stream]:
    async with (
        httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(60, read=60)) as client,
        client.stream(
            "GET",
            "/api/v1/notifications/stream",
            params={"after": 0},
            headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"},
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        yield Stream(response)


async def _published_demand(api: Any, admin: str, buyer: str) -> int:
    made = await api.json(
        "POST",
        "/api/v1/demands",
        token=buyer,
        expect=201,
        json={"title": unique("镁合金支架疲劳寿命测试"), "fields": ["materials"], "kind": "testing"},
    )
    await api.json("POST", f"/api/v1/demands/{made['id']}/submit", token=buyer)
    await api.json("POST", f"/api/v1/demands/{made['id']}/publish", token=admin)
    return int(made["id"])


async def test_a_notification_written_through_the_outbox_reaches_only_its_recipients_open_stream(
    stack: Processes, api: Any, admin_token: str, db: asyncpg.Connection
) -> None:
    # given two brokers with their notification streams open, and two published demands
    org = await create_org(api, admin_token, kind="agency")
    a_id, a_token = await create_user(api, admin_token, org_id=org["id"], role="broker")
    b_id, b_token = await create_user(api, admin_token, org_id=org["id"], role="broker")
    buyer_org = await create_org(api, admin_token, kind="enterprise")
    _, buyer = await create_user(api, admin_token, org_id=buyer_org["id"], role="enterprise")
    first = await _published_demand(api, admin_token, buyer)
    second = await _published_demand(api, admin_token, buyer)
    async with open_stream(stack.base, a_token) as a_stream, open_stream(stack.base, b_token) as b_stream:
        # when the admin gives the first demand to broker A
        await api.json("POST", f"/api/v1/demands/{first}/broker", token=admin_token, json={"broker_id": a_id})

        # then A's open stream receives it
        received = await a_stream.next_notification()
        assert received["kind"] == "broker_assigned"
        assert received["link"] == f"/broker?demand_id={first}"
        # and it was written through the outbox, in the same transaction, for A
        event = await db.fetchrow(
            "SELECT payload, processed_at FROM core_outbox WHERE topic = 'notification.created' "
            "AND aggregate_id = $1",
            received["id"],
        )
        assert event is not None
        payload = json.loads(event["payload"]) if isinstance(event["payload"], str) else event["payload"]
        assert a_id in payload["user_ids"]
        assert b_id not in payload["user_ids"]

        # when the second demand is given to B, B's stream receives that one — A's never came before it
        await api.json(
            "POST", f"/api/v1/demands/{second}/broker", token=admin_token, json={"broker_id": b_id}
        )
        own = await b_stream.next_notification()
        assert own["link"] == f"/broker?demand_id={second}"
        assert own["id"] != received["id"]
        # and nothing of B's reaches A
        with pytest.raises(TimeoutError):
            await a_stream.next_notification(seconds=6)
    # and each stream's rows were the recipient's own
    owners = await db.fetch(
        "SELECT id, user_id FROM notifications_notification WHERE id = ANY($1::bigint[])",
        [received["id"], own["id"]],
    )
    assert {row["id"]: row["user_id"] for row in owners} == {received["id"]: a_id, own["id"]: b_id}
