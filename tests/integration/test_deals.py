"""Deals: one live contract per match, booking prices from the fee schedule."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import create_listing, create_org, create_user, publish_listing

pytestmark = pytest.mark.integration


async def test_a_match_becomes_at_most_one_contract(api, admin_token, db):
    # given a published achievement matched to a published demand
    uni = await create_org(api, admin_token, kind="university")
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    _, provider = await create_user(api, admin_token, org_id=uni["id"], role="provider")
    _, enterprise = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    made = await create_listing(
        api,
        provider,
        "achievement",
        title="钙钛矿太阳能电池封装技术",
        fields=["materials"],
        keywords=["钙钛矿"],
    )
    await publish_listing(api, provider, admin_token, "achievement", made["id"])
    await api.wait_indexed(admin_token)
    demand = await api.json(
        "POST",
        "/api/v1/demands",
        token=enterprise,
        expect=201,
        json={"title": "求购钙钛矿太阳能电池封装技术", "fields": ["materials"], "kind": "tech_problem"},
    )
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=enterprise)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin_token)
    matches = await api.json("GET", f"/api/v1/demands/{demand['id']}/matches", token=enterprise)
    match_id = next(m["match_id"] for m in matches["items"] if m["id"] == made["id"])
    await api.json(
        "POST", f"/api/v1/matches/{match_id}/status", token=admin_token, json={"status": "negotiating"}
    )
    body = {
        "contract_type": "transfer",
        "title": "钙钛矿封装技术转让合同",
        "buyer_org_id": ent["id"],
        "seller_org_id": uni["id"],
        "match_id": match_id,
        "field": "materials",
        "total_fen": 5_000_000,
        "tech_fen": 5_000_000,
        "signed_at": "2026-11-01",
        "milestones": [{"name": "一次性支付", "amount_fen": 5_000_000}],
    }

    # when the deal is recorded twice
    first = await api.json("POST", "/api/v1/contracts", token=provider, expect=201, json=body)
    before = await db.fetchval("SELECT count(*) FROM deals_contract")
    second = await api.call("POST", "/api/v1/contracts", token=provider, json=body, expect=409)

    # then the second is refused and nothing was saved
    assert second.json()["code"] == "match_has_contract"
    assert await db.fetchval("SELECT count(*) FROM deals_contract") == before
    assert await db.fetchval("SELECT count(*) FROM deals_contract WHERE match_id = $1", match_id) == 1
    assert first["match_id"] == match_id


async def test_booking_is_priced_from_the_fee_schedule_in_whole_hours(api, admin_token):
    lab = await create_org(api, admin_token, kind="university")
    ent = await create_org(api, admin_token, kind="enterprise")
    _, owner = await create_user(api, admin_token, org_id=lab["id"], role="provider")
    _, booker = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    instrument = await create_listing(api, owner, "instrument", fees=[{"unit": "hour", "price_fen": 40_000}])
    await publish_listing(api, owner, admin_token, "instrument", instrument["id"])
    start = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    booking = await api.json(
        "POST",
        "/api/v1/bookings",
        token=booker,
        expect=201,
        json={
            "instrument_id": instrument["id"],
            "start": start.isoformat(),
            "end": (start + timedelta(hours=2, minutes=30)).isoformat(),
            "mode": "self",
        },
    )
    # 2.5 hours bill as 3 hours at 400.00 元
    assert booking["price_fen"] == 120_000
    assert booking["status"] == "pending"
    approved = await api.json("POST", f"/api/v1/bookings/{booking['id']}/approve", token=owner)
    assert approved["status"] == "approved"
