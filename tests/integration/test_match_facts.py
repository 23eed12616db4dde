"""Provider facts behind a match, read from the real records: how a listing's earlier matches ended (won, lost
or dismissed with their reasons), an instrument's completed bookings, and its free time in the booking calendar
before the demand's deadline. Each stated reason is checked against those records."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from tests.factories import create_listing, create_org, create_user, publish_listing, unique

pytestmark = pytest.mark.integration

BEIJING_MIDNIGHT = "T00:00:00+08:00"


def _demand(deadline: date, title: str) -> dict[str, Any]:
    return {
        "title": f"{title}断口形貌观察",
        "description": f"需要用{title}观察金属零件疲劳断口形貌，约10个样品。",
        "fields": ["materials"],
        "kind": "testing",
        "budget": {"min_fen": 300_000, "max_fen": 2_000_000},
        "region": "500107",
        "deadline": deadline.isoformat(),
    }


async def _matches(api: Any, admin: str, buyer: str, body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    demand = await api.json("POST", "/api/v1/demands", token=buyer, expect=201, json=body)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=buyer)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin)
    found = await api.json(
        "GET", f"/api/v1/demands/{demand['id']}/matches", token=buyer, params={"limit": 50}
    )
    return {m["id"]: {**m, "demand_id": demand["id"]} for m in found["items"]}


def _reason(match: dict[str, Any], feature: str) -> str | None:
    return next((r["detail"] for r in match["reasons"] if r["feature"] == feature), None)


async def test_availability_reason_is_the_free_time_of_the_booking_calendar_before_the_deadline(
    api: Any, admin_token: str
) -> None:
    # given two published instruments of one provider: one closed until after the deadline, one for two days
    org = await create_org(api, admin_token)
    _, owner = await create_user(api, admin_token, org_id=org["id"], role="provider")
    name = unique("场发射扫描电镜")
    full = await create_listing(api, owner, "instrument", name=name)
    partly = await create_listing(api, owner, "instrument", name=name)
    for listing in (full, partly):
        await publish_listing(api, owner, admin_token, "instrument", listing["id"])
    deadline = (datetime.now(UTC) + timedelta(days=10)).date()
    window_end = f"{deadline + timedelta(days=1)}{BEIJING_MIDNIGHT}"
    now = datetime.now(UTC)
    for listing, days in ((full, 12), (partly, 2)):
        await api.json(
            "POST",
            f"/api/v1/instruments/{listing['id']}/closures",
            token=owner,
            expect=201,
            json={
                "start": now.isoformat(),
                "end": (now + timedelta(days=days)).isoformat(),
                "kind": "maintenance",
            },
        )
    await api.wait_indexed(admin_token)

    # when an enterprise asks for them before the deadline
    buyer_org = await create_org(api, admin_token, kind="enterprise", region="500107")
    _, buyer = await create_user(api, admin_token, org_id=buyer_org["id"], role="enterprise")
    matches = await _matches(api, admin_token, buyer, _demand(deadline, name))

    # then the fully closed one is said to have no free time, and is ranked below the other
    assert full["id"] in matches
    assert partly["id"] in matches
    assert _reason(matches[full["id"]], "availability") == f"需求截止 {deadline} 前预约日历已满，无空闲时段"
    assert matches[full["id"]]["score"] < matches[partly["id"]]["score"]

    # and the other's stated free hours are the free intervals of its availability page until the deadline
    calendar = await api.json(
        "GET",
        f"/api/v1/instruments/{partly['id']}/availability",
        params={"from": datetime.now(UTC).isoformat(), "to": window_end},
    )
    free = sum(
        (datetime.fromisoformat(i["end"]) - datetime.fromisoformat(i["start"])).total_seconds() / 3600
        for i in calendar["free"]
    )
    detail = _reason(matches[partly["id"]], "availability") or ""
    assert detail.startswith(f"需求截止 {deadline} 前预约日历尚有约 ")
    stated = float(detail.removeprefix(f"需求截止 {deadline} 前预约日历尚有约 ").removesuffix(" 小时空闲"))
    assert abs(stated - free) < 0.5
    assert 7 * 24 < stated < 9 * 24


async def test_track_record_reason_counts_wins_losses_by_reason_and_completed_bookings(
    api: Any, admin_token: str, db: asyncpg.Connection
) -> None:
    # given an instrument that answered an earlier demand, and a broker working that demand
    org = await create_org(api, admin_token)
    _, owner = await create_user(api, admin_token, org_id=org["id"], role="provider")
    name = unique("钨灯丝扫描电镜")
    instrument = await create_listing(api, owner, "instrument", name=name)
    await publish_listing(api, owner, admin_token, "instrument", instrument["id"])
    await api.wait_indexed(admin_token)
    buyer_org = await create_org(api, admin_token, kind="enterprise", region="500107")
    buyer_id, buyer = await create_user(api, admin_token, org_id=buyer_org["id"], role="enterprise")
    broker_org = await create_org(api, admin_token, kind="agency")
    broker_id, broker = await create_user(api, admin_token, org_id=broker_org["id"], role="broker")
    deadline = (datetime.now(UTC) + timedelta(days=30)).date()
    first = await _matches(api, admin_token, buyer, _demand(deadline, name))
    assert instrument["id"] in first
    demand_id = first[instrument["id"]]["demand_id"]
    await api.json(
        "POST", f"/api/v1/demands/{demand_id}/broker", token=admin_token, json={"broker_id": broker_id}
    )
    # the first record is clean
    assert _reason(first[instrument["id"]], "track_record") is None

    # when the broker dismisses that match as not relevant, and two bookings of it were completed
    await api.json(
        "POST",
        f"/api/v1/matches/{first[instrument['id']]['match_id']}/status",
        token=broker,
        json={"status": "dismissed", "reason": "not_relevant"},
    )
    for day in (3, 2):
        start = datetime.now(UTC) - timedelta(days=day)
        await db.execute(
            "INSERT INTO deals_booking (instrument_id, org_id, user_id, starts_at, ends_at, mode, status, price_fen, "
            "currency, note, cancel_fee_fen, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, 'commissioned', 'completed', 40000, 'cny', '', 0, now(), now())",
            instrument["id"],
            buyer_org["id"],
            buyer_id,
            start,
            start + timedelta(hours=1),
        )

    # then a new demand's match states exactly that record
    second = await _matches(api, admin_token, buyer, _demand(deadline, name))
    dismissed = await db.fetchval(
        "SELECT count(*) FROM demand_match WHERE listing_id = $1 AND status = 'dismissed' "
        "AND close_reason = 'not_relevant'",
        instrument["id"],
    )
    completed = await db.fetchval(
        "SELECT count(*) FROM deals_booking WHERE instrument_id = $1 AND status = 'completed'",
        instrument["id"],
    )
    assert (dismissed, completed) == (1, 2)
    assert _reason(second[instrument["id"]], "track_record") == "完成预约 2 次，1 次匹配未成交（不相关 1）"
