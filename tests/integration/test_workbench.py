"""The broker workbench from the attacker's side: who may move a match, and what reaches the buyer."""

from typing import Any

import asyncpg
import pytest

from tests.factories import create_listing, create_org, create_user, publish_listing, unique

pytestmark = pytest.mark.integration


async def _published_demand_with_match(api: Any, admin: str) -> dict[str, Any]:
    """A published demand for 石墨烯导热膜 and a published achievement that answers it."""
    provider_org = await create_org(api, admin)
    _, provider = await create_user(api, admin, org_id=provider_org["id"], role="provider")
    listing = await create_listing(api, provider, "achievement", title=unique("石墨烯导热膜制备技术"))
    await publish_listing(api, provider, admin, "achievement", listing["id"])
    buyer_org = await create_org(api, admin, kind="enterprise", region="500107")
    _, buyer = await create_user(api, admin, org_id=buyer_org["id"], role="enterprise")
    demand = await api.json(
        "POST",
        "/api/v1/demands",
        token=buyer,
        expect=201,
        json={
            "title": "手机散热用石墨烯导热膜",
            "description": "需要石墨烯导热膜制备技术，用于手机散热。",
            "fields": ["materials"],
            "kind": "tech_problem",
            "budget": {"min_fen": 50_000_000, "max_fen": 150_000_000},
            "region": "500107",
        },
    )
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=buyer)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin)
    await api.wait_indexed(admin)
    matches = await api.json("GET", f"/api/v1/demands/{demand['id']}/matches", token=buyer)
    assert matches["items"], "the matcher found nothing for the demand"
    return {"demand": demand, "buyer": buyer, "match_id": matches["items"][0]["match_id"]}


async def _match_row(db: asyncpg.Connection, match_id: int) -> str:
    return str(
        await db.fetchval(
            "SELECT (status, note, broker_id, status_changed_at)::text FROM demand_match WHERE id = $1",
            match_id,
        )
    )


async def test_another_brokers_match_cannot_be_moved(
    api: Any, admin_token: str, db: asyncpg.Connection
) -> None:
    # given a match broker A has claimed by working it
    world = await _published_demand_with_match(api, admin_token)
    match_id = world["match_id"]
    broker_org = await create_org(api, admin_token, kind="agency")
    _, broker_a = await create_user(api, admin_token, org_id=broker_org["id"], role="broker")
    _, broker_b = await create_user(api, admin_token, org_id=broker_org["id"], role="broker")
    await api.json(
        "POST", f"/api/v1/matches/{match_id}/status", token=broker_a, json={"status": "shortlisted"}
    )
    before = await _match_row(db, match_id)
    events = await db.fetchval("SELECT count(*) FROM demand_match_event WHERE match_id = $1", match_id)

    # when broker B (same agency) and the buyer try to move it
    moved_by_b = await api.call(
        "POST", f"/api/v1/matches/{match_id}/status", token=broker_b, json={"status": "dismissed"}
    )
    moved_by_buyer = await api.call(
        "POST", f"/api/v1/matches/{match_id}/status", token=world["buyer"], json={"status": "dismissed"}
    )

    # then both are refused and nothing changed; broker A and an admin still can
    assert moved_by_b.status_code == 403
    assert moved_by_b.json()["detail"].startswith("该匹配由其他技术经纪人负责")
    assert moved_by_buyer.status_code == 403
    assert await _match_row(db, match_id) == before
    assert (
        await db.fetchval("SELECT count(*) FROM demand_match_event WHERE match_id = $1", match_id) == events
    )
    await api.json("POST", f"/api/v1/matches/{match_id}/status", token=broker_a, json={"status": "contacted"})
    await api.json(
        "POST", f"/api/v1/matches/{match_id}/status", token=admin_token, json={"status": "negotiating"}
    )
