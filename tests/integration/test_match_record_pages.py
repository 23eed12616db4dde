"""需求分配 and 跟进记录 in the portal: an admin gives a published demand to a broker and moves it to another (the
open matches follow); the broker keeps internal and shared notes on a match's follow-up record, beside its
pipeline history; the enterprise reads the shared notes only. Attacker side: a broker, an enterprise member and a
self-registered account cannot assign; a broker who does not own the match cannot write on it; another
organisation cannot open the record."""

from typing import Any

import asyncpg
import pytest

from tests.factories import create_listing, create_org, publish_demand, publish_listing, self_register, unique
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
)

pytestmark = pytest.mark.integration


async def _user_id(db: asyncpg.Connection, email: str) -> int:
    return int(await db.fetchval("SELECT id FROM accounts_user WHERE email = $1", email))


async def _published_demand_with_a_match(api: Any, admin_token: str) -> tuple[str, int, int]:
    """A provider's published instrument, and an enterprise demand for it, published and matched: the buyer's
    e-mail, the demand and the match."""
    buyer_org = await create_org(api, admin_token, kind="enterprise", region="500107")
    buyer_email = await make_user(
        api, admin_token, org_id=buyer_org["id"], role="enterprise", name="企业研发"
    )
    buyer_token = await api.token(buyer_email, PASSWORD)
    provider = await create_org(api, admin_token)
    provider_email = await make_user(
        api, admin_token, org_id=provider["id"], role="provider", name="设备管理员"
    )
    owner = await api.token(provider_email, PASSWORD)
    name = unique("场发射扫描电镜")
    instrument = await create_listing(api, owner, "instrument", name=name)
    await publish_listing(api, owner, admin_token, "instrument", instrument["id"])
    await api.wait_indexed(admin_token)
    body = {
        "title": unique("铝合金疲劳断口形貌观察"),
        "description": f"需要用{name}观察铝合金零件疲劳断口形貌，约10个样品。",
        "fields": ["materials"],
        "kind": "testing",
        "budget": {"min_fen": 300_000, "max_fen": 2_000_000},
        "region": "500107",
    }
    demand = await publish_demand(api, buyer_token, admin_token, body)
    found = await api.json("GET", f"/api/v1/demands/{demand['id']}/matches", token=buyer_token)
    [match] = [m for m in found["items"] if m["id"] == instrument["id"]]
    return buyer_email, int(demand["id"]), int(match["match_id"])


async def test_admin_assigns_and_reassigns_a_demand_and_the_broker_keeps_a_follow_up_record(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a published demand with a match, two brokers, and the admin signed in on 需求分配
    buyer_email, demand_id, match_id = await _published_demand_with_a_match(api, admin_token)
    agency = await create_org(api, admin_token, kind="agency")
    first_name, second_name = unique("周经纪"), unique("吴经纪")
    first_email = await make_user(api, admin_token, org_id=agency["id"], role="broker", name=first_name)
    second_email = await make_user(api, admin_token, org_id=agency["id"], role="broker", name=second_name)
    first_id, second_id = await _user_id(db, first_email), await _user_id(db, second_email)
    admin = portal_factory()
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    listed = await admin.page("/admin/demands")
    assert "需求分配" in listed
    assert first_name in listed
    assert second_name in listed

    # when the admin names the first broker, then the demand and its open match are theirs
    token = await admin.token("/admin/demands")
    await admin.post(f"/admin/demands/{demand_id}/broker", {"broker_id": str(first_id)}, token=token)
    assert await db.fetchval("SELECT broker_id FROM demand_demand WHERE id = $1", demand_id) == first_id
    assert await db.fetchval("SELECT broker_id FROM demand_match WHERE id = $1", match_id) == first_id

    # when they move it to the second broker, then the match follows and the second broker is told
    await admin.post(f"/admin/demands/{demand_id}/broker", {"broker_id": str(second_id)}, token=token)
    assert await db.fetchval("SELECT broker_id FROM demand_demand WHERE id = $1", demand_id) == second_id
    assert await db.fetchval("SELECT broker_id FROM demand_match WHERE id = $1", match_id) == second_id
    told = await db.fetchval(
        "SELECT count(*) FROM notifications_notification WHERE user_id = $1 AND link = $2",
        second_id,
        f"/broker?demand_id={demand_id}",
    )
    assert told >= 1

    # when the admin names an enterprise account, or nobody, then the row says why and nothing changes
    wrong = await admin.post(
        f"/admin/demands/{demand_id}/broker",
        {"broker_id": str(await _user_id(db, buyer_email))},
        token=token,
        expect=422,
    )
    assert "不是有效的技术经纪人" in wrong.text
    assert f'id="err-demand-{demand_id}"' in wrong.text
    empty = await admin.post(f"/admin/demands/{demand_id}/broker", {"broker_id": ""}, token=token, expect=422)
    assert "请选择技术经纪人" in empty.text
    assert await db.fetchval("SELECT broker_id FROM demand_demand WHERE id = $1", demand_id) == second_id

    # when the second broker opens the match's 跟进记录 from the workbench and records two notes
    broker = portal_factory()
    await broker.login(second_email)
    assert f'href="/matches/{match_id}"' in await broker.page(f"/broker?demand_id={demand_id}")
    record = await broker.page(f"/matches/{match_id}")
    assert "跟进记录" in record
    assert second_name in record
    assert "双方接触记录" in record
    internal, shared = unique("内部：供给方报价偏高，先约技术交流"), unique("已为您约好下周二现场看样")
    note_token = await broker.token(f"/matches/{match_id}")
    await broker.post(
        f"/matches/{match_id}/notes", {"body": internal, "visibility": "internal"}, token=note_token
    )
    await broker.post(
        f"/matches/{match_id}/notes", {"body": shared, "visibility": "shared"}, token=note_token
    )
    await broker.post(
        f"/matches/{match_id}/status",
        {"status": "shortlisted", "back": f"/matches/{match_id}"},
        token=note_token,
    )

    # then the record shows both notes newest first and the move in the history, by the broker's name
    record = await broker.page(f"/matches/{match_id}")
    assert record.index(shared) < record.index(internal)
    assert "入围" in record.split("进展记录")[1].split("备注")[0]
    assert record.count(second_name) >= 3

    # and an empty note is refused beside the field, nothing saved
    refused = await broker.post(
        f"/matches/{match_id}/notes", {"body": "  ", "visibility": "shared"}, token=note_token, expect=422
    )
    assert 'id="err-body"' in refused.text
    assert await db.fetchval("SELECT count(*) FROM demand_match_note WHERE match_id = $1", match_id) == 2

    # and the enterprise reads the shared note only, with no contacts panel and no note form (a broker owns it)
    buyer = portal_factory()
    await buyer.login(buyer_email)
    assert f'href="/matches/{match_id}"' in await buyer.page(f"/demands/{demand_id}")
    seen = await buyer.page(f"/matches/{match_id}")
    assert shared in seen
    assert internal not in seen
    assert "双方接触记录" not in seen
    assert f'action="/matches/{match_id}/notes"' not in seen


async def test_only_admins_assign_and_only_the_owning_broker_writes_on_a_match(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a demand owned by one broker, another broker, the buyer, another organisation and a self-registered
    # account
    buyer_email, demand_id, match_id = await _published_demand_with_a_match(api, admin_token)
    agency = await create_org(api, admin_token, kind="agency")
    owner_email = await make_user(api, admin_token, org_id=agency["id"], role="broker", name=unique("郑经纪"))
    other_email = await make_user(api, admin_token, org_id=agency["id"], role="broker", name=unique("王经纪"))
    owner_id = await _user_id(db, owner_email)
    await api.json(
        "POST", f"/api/v1/demands/{demand_id}/broker", token=admin_token, json={"broker_id": owner_id}
    )
    stranger_org = await create_org(api, admin_token, kind="enterprise", region="500107")
    stranger_email = await make_user(
        api, admin_token, org_id=stranger_org["id"], role="enterprise", name="他人"
    )
    registered_email = await self_register(api, PASSWORD)

    # when any of them but the admin posts an assignment, then it is refused and the demand keeps its broker
    for email in (other_email, buyer_email, stranger_email, registered_email):
        person = portal_factory()
        await person.login(email)
        await person.page("/admin/demands", expect=403)
        await person.post(
            f"/admin/demands/{demand_id}/broker",
            {"broker_id": str(await _user_id(db, other_email))},
            token=await person.token("/account"),
            expect=403,
        )
    assert await db.fetchval("SELECT broker_id FROM demand_demand WHERE id = $1", demand_id) == owner_id

    # when the other broker opens the record, then they may read it but have no note form, and a posted note is
    # refused with nothing saved
    other = portal_factory()
    await other.login(other_email)
    assert f'action="/matches/{match_id}/notes"' not in await other.page(f"/matches/{match_id}")
    await other.post(
        f"/matches/{match_id}/notes",
        {"body": "抢单", "visibility": "internal"},
        token=await other.token(f"/matches/{match_id}"),
        expect=403,
    )
    assert await db.fetchval("SELECT count(*) FROM demand_match_note WHERE match_id = $1", match_id) == 0

    # when another organisation's member opens the record, then it is refused
    stranger = portal_factory()
    await stranger.login(stranger_email)
    await stranger.page(f"/matches/{match_id}", expect=403)
    await stranger.post(
        f"/matches/{match_id}/notes",
        {"body": "窥探", "visibility": "shared"},
        token=await stranger.token("/account"),
        expect=403,
    )

    # when the owning broker posts a note without the form's CSRF token, then it is refused
    owner = portal_factory()
    await owner.login(owner_email)
    await owner.post(
        f"/matches/{match_id}/notes", {"body": "无令牌", "visibility": "shared"}, token=None, expect=403
    )
    assert await db.fetchval("SELECT count(*) FROM demand_match_note WHERE match_id = $1", match_id) == 0
