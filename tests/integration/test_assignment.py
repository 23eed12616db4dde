"""Published demands go to a broker whose APPROVED profile covers their field, the least loaded first; a
pending or revoked profile, or a broker account with no profile, never receives one."""

from typing import Any

import asyncpg
import pytest

from tests.factories import create_org, create_user

pytestmark = pytest.mark.integration

FIELD = "biotech"


async def _profile(api: Any, admin: str, org_id: int, fields: list[str], *, approve: bool) -> int:
    """A provider files a broker profile over `fields`; an admin approves it (or leaves it pending)."""
    user_id, token = await create_user(api, admin, org_id=org_id, role="provider")
    profile = await api.json(
        "POST",
        "/api/v1/brokers/profile",
        token=token,
        expect=201,
        json={"certificate_no": f"JJR-{user_id}", "title": "技术经纪人", "fields": fields},
    )
    if approve:
        await api.json("POST", f"/api/v1/admin/brokers/{profile['id']}/approve", token=admin)
    return user_id


async def _least_loaded_in_field(db: asyncpg.Connection) -> tuple[set[int], int]:
    """The approved brokers covering FIELD with the fewest open demands now, and that load."""
    rows = await db.fetch(
        "SELECT p.user_id, count(d.id) AS load FROM brokers_profile p JOIN accounts_user u ON u.id = p.user_id "
        "LEFT JOIN demand_demand d ON d.broker_id = p.user_id AND d.status = 'published' "
        "WHERE p.status = 'approved' AND u.role = 'broker' AND u.is_active AND p.fields ? $1 "
        "GROUP BY p.user_id",
        FIELD,
    )
    least = min(r["load"] for r in rows)
    return {r["user_id"] for r in rows if r["load"] == least}, least


async def test_demands_go_by_field_to_approved_brokers_balanced_by_load(
    api: Any, admin_token: str, db: asyncpg.Connection
) -> None:
    # given two approved brokers in the field, one approved elsewhere, one pending in the field,
    # and a broker account that never filed a profile
    org = await create_org(api, admin_token, kind="agency")
    in_field = {
        await _profile(api, admin_token, org["id"], [FIELD, "medtech"], approve=True) for _ in range(2)
    }
    elsewhere = await _profile(api, admin_token, org["id"], ["ic"], approve=True)
    pending = await _profile(api, admin_token, org["id"], [FIELD], approve=False)
    bare_id, _ = await create_user(api, admin_token, org_id=org["id"], role="broker")
    buyer_org = await create_org(api, admin_token, kind="enterprise")
    _, buyer = await create_user(api, admin_token, org_id=buyer_org["id"], role="enterprise")

    assigned: list[int] = []
    for number in range(4):
        demand = await api.json(
            "POST",
            "/api/v1/demands",
            token=buyer,
            expect=201,
            json={
                "title": f"抗体药物药效评价合作{number}",
                "description": "需要人源化小鼠模型开展抗体药物药效评价。",
                "fields": [FIELD],
                "kind": "tech_problem",
            },
        )
        await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=buyer)
        expected, load = await _least_loaded_in_field(db)

        # when it is published
        await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin_token)

        # then it went to one of the least loaded approved brokers of its field, and that broker was told
        broker_id = await db.fetchval("SELECT broker_id FROM demand_demand WHERE id = $1", demand["id"])
        assert broker_id in expected, (broker_id, expected, load)
        told = await db.fetchval(
            "SELECT count(*) FROM notifications_notification WHERE user_id = $1 AND kind = 'broker_assigned' "
            "AND link LIKE $2",
            broker_id,
            f"%demand_id={demand['id']}",
        )
        assert told == 1
        assigned.append(broker_id)

    # and nobody outside the approved field profiles got one
    assert not {elsewhere, pending, bare_id} & set(assigned)
    # and the load is balanced: once both new brokers are in play, neither holds two more than the other
    ours = [
        await db.fetchval(
            "SELECT count(*) FROM demand_demand WHERE broker_id = $1 AND status = 'published'", b
        )
        for b in in_field
    ]
    assert abs(ours[0] - ours[1]) <= 1
