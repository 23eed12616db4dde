"""The broker's working day on `make run`: a private stack loaded by `python -m devdata` (the loader `make run`
uses) gives the demo broker assigned demands, matches worked over the past months, overdue flags with their
reminders, and a ranking model trained on that history; the workbench page shows them."""

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from devdata.seeding import DEMO_PASSWORD
from tests.integration.conftest import ROOT, Api, Processes, drop_private_stack, private_env, private_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
BROKER = "broker@demo.techmarket.cn"


@pytest.fixture(scope="module")
def seeded() -> Iterator[Processes]:
    """A private stack (server + worker) with the demo data of `make run`, at a small scale."""
    processes = private_stack(private_env("brokerday"), "-brokerday", worker=True)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "devdata", "--scale", "200", "--demands", "8"],
            cwd=ROOT,
            env=processes.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        yield processes
    finally:
        drop_private_stack(processes)


async def test_the_seeded_broker_starts_the_day_with_assigned_demands_and_overdue_reminders(
    seeded: Processes,
) -> None:
    db = await asyncpg.connect(seeded.env["DATABASE_URL"].replace("postgres://", "postgresql://"))
    try:
        broker_id = await db.fetchval("SELECT id FROM accounts_user WHERE email = $1", BROKER)
        published = await db.fetchval("SELECT count(*) FROM demand_demand WHERE status = 'published'")
        assigned = await db.fetchval(
            "SELECT count(*) FROM demand_demand WHERE status = 'published' AND broker_id = $1", broker_id
        )
        overdue = await db.fetchval(
            "SELECT count(*) FROM demand_match WHERE broker_id = $1 AND reminded_at IS NOT NULL "
            "AND status IN ('suggested', 'shortlisted', 'contacted', 'negotiating')",
            broker_id,
        )
        models = await db.fetchval("SELECT count(*) FROM demand_ranking_model")
        reminded = await db.fetchval(
            "SELECT count(*) FROM demand_match WHERE broker_id = $1 AND reminded_at IS NOT NULL", broker_id
        )
        reminder_rows = await db.fetchval(
            "SELECT count(*) FROM notifications_notification WHERE user_id = $1 AND kind = 'reminder'",
            broker_id,
        )
    finally:
        await db.close()
    # every published demand is the demo broker's, some of their matches are overdue and were reminded,
    # and train-matcher ran on the seeded history (adopted or not, it was recorded with its figures)
    assert published >= 5
    assert assigned == published
    assert overdue > 0
    assert models == 1
    # one reminder per match left idle past the SLA
    assert reminder_rows == reminded >= overdue

    async with httpx.AsyncClient(base_url=seeded.base, timeout=60) as client:
        api = Api(client)
        token = await api.token(BROKER, DEMO_PASSWORD)
        # the queue API: assigned matches, the overdue ones flagged with their idle days
        queue = await api.json(
            "GET", "/api/v1/broker/queue", token=token, params={"size": 100, "sort": "idle"}
        )
        assert queue["total"] > 0
        flagged = [m for m in queue["items"] if m["overdue"]]
        assert flagged
        assert all(m["idle_days"] >= 3 and m["broker_id"] == broker_id for m in flagged)
        # the reminders are in the broker's notifications, each linking to its demand in the workbench
        notes = await api.json("GET", "/api/v1/notifications", token=token, params={"size": 100})
        reminders = [n for n in notes["items"] if n["kind"] == "reminder"]
        assert reminders
        assert all(n["link"].startswith("/broker?demand_id=") and "天未跟进" in n["title"] for n in reminders)
        assert notes["unread"] >= len(reminders)

        # the workbench page, as the broker first opens it: demands with their matches and the overdue badge
        page = await api.call("GET", "/broker", token=token, expect=200)
        assert page.text.count('class="panel queue-group"') >= 1
        assert 'class="badge overdue">待跟进 ' in page.text
        idle_page = await api.call("GET", "/broker?sort=idle&min_idle_days=3", token=token, expect=200)
        assert flagged[0]["title"] in idle_page.text
        assert 'class="badge overdue">待跟进 ' in idle_page.text
        # and the bell that receives notifications live (server-sent events) is on the workbench
        assert "data-notifications" in page.text
        assert "data-live-notices" in page.text


async def test_a_notification_reaches_the_seeded_broker_live(seeded: Processes) -> None:
    """While the workbench is open, a provider's interest arrives on the broker's stream within seconds."""
    async with httpx.AsyncClient(base_url=seeded.base, timeout=60) as client:
        api = Api(client)
        broker = await api.token(BROKER, DEMO_PASSWORD)
        provider = await api.token("provider@demo.techmarket.cn", DEMO_PASSWORD)
        db = await asyncpg.connect(seeded.env["DATABASE_URL"].replace("postgres://", "postgresql://"))
        try:
            # a suggested match of one of the demo provider's own listings to an open demand
            row = await db.fetchrow(
                "SELECT m.id, m.listing_id FROM demand_match m JOIN catalog_listing l ON l.id = m.listing_id "
                "JOIN accounts_user u ON u.org_id = l.org_id JOIN demand_demand d ON d.id = m.demand_id "
                "WHERE u.email = 'provider@demo.techmarket.cn' AND m.interest_at IS NULL "
                "AND m.status = 'suggested' AND d.status = 'published' ORDER BY m.id LIMIT 1"
            )
        finally:
            await db.close()
        assert row is not None, "the demo provider has no listing matched to a seeded demand"
        headers = {"Authorization": f"Bearer {broker}", "Accept": "text/event-stream"}
        async with client.stream("GET", "/api/v1/notifications/stream", headers=headers) as stream:
            assert stream.status_code == 200
            lines = stream.aiter_lines()
            await api.json(
                "POST", f"/api/v1/listings/{row['listing_id']}/matches/{row['id']}/interest", token=provider
            )
            event = await _next_event(lines)
        assert event["kind"] == "interest"
        assert "表达了合作意向" in event["title"]


async def _next_event(lines: Any, seconds: float = 30) -> dict[str, Any]:
    async with asyncio.timeout(seconds):
        async for line in lines:
            if line.startswith("data:"):
                return dict(json.loads(line.removeprefix("data:").strip()))
    raise AssertionError("the stream ended without a notification")
