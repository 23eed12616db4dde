"""Supply → demand in the portal over real HTTP: a listing's organisation sees the open demands its listing was
matched to, with the reasons, expresses interest with a form (the match lands in the broker's queue), and reads
the anonymised feedback on lost and dismissed matches. Another organisation and a self-registered account get
nothing."""

from typing import Any

import asyncpg
import pytest

from tests.factories import create_org, valid_uscc
from tests.integration.test_portal import Portal, make_user, portal_factory  # noqa: F401 - fixture by name
from tests.integration.test_workbench import CHALLENGE, _world

pytestmark = pytest.mark.integration
PASSWORD = "Qianfeng-Tech-2026!"


async def _signed_in_provider(api: Any, admin: str, portal: Portal, org_id: int) -> None:
    await portal.login(await make_user(api, admin, org_id=org_id, role="provider", name="成果转化办刘老师"))


async def test_a_provider_sees_its_matched_demands_expresses_interest_and_reads_feedback(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a published achievement matched to a published challenge (enterprise hidden) worked by broker A
    world = await _world(api, admin_token)
    listing_id, match_id = world["listing"]["id"], world["match_id"]
    provider_org = world["listing"]["org_id"]
    portal: Portal = portal_factory()
    await _signed_in_provider(api, admin_token, portal, provider_org)

    # 我的资源 and the listing's own page link to its matched demands
    assert f'href="/me/listings/{listing_id}/demands"' in await portal.page("/me/listings")
    assert f'href="/me/listings/{listing_id}/demands"' in await portal.page(
        f"/listings/achievement/{listing_id}"
    )

    # when the provider opens the page
    page = await portal.page(f"/me/listings/{listing_id}/demands")

    # then the challenge is there with its reasons and award, without the hidden enterprise's name
    assert f'data-match-id="{match_id}" data-demand-id="{world["demand"]["id"]}"' in page
    assert CHALLENGE["title"] in page
    assert "榜单奖励 200.00 万元" in page
    found = await api.json("GET", f"/api/v1/listings/{listing_id}/demands", token=world["provider"])
    mine = next(m for m in found["items"] if m["match_id"] == match_id)
    for reason in mine["reasons"]:
        assert reason["detail"] in page
    assert world["buyer_org"]["name"] not in page
    assert "表达合作意向</button>" in page
    assert "暂无反馈" in page

    # when it expresses interest with the form
    done = await portal.post(
        f"/me/listings/{listing_id}/matches/{match_id}/interest",
        {},
        token=await portal.token(f"/me/listings/{listing_id}/demands"),
    )

    # then the match is marked, the page says so, and it is in broker A's queue with a notification
    assert done.headers["location"] == f"/me/listings/{listing_id}/demands?notice=interest_sent"
    assert await db.fetchval("SELECT interest_at IS NOT NULL FROM demand_match WHERE id = $1", match_id)
    after = await portal.page(done.headers["location"])
    assert "已表达合作意向，负责该需求的技术经纪人会与您联系。" in after
    assert "已表达合作意向</span>" in after
    queue = await api.json("GET", "/api/v1/broker/queue?sort=interest&size=100", token=world["broker_a"])
    assert match_id in [m["match_id"] for m in queue["items"]]
    told = await api.json("GET", "/api/v1/notifications", token=world["broker_a"])
    assert any(n["kind"] == "interest" for n in told["items"])

    # when broker A dismisses the match for price with an internal note
    await api.json(
        "POST",
        f"/api/v1/matches/{match_id}/status",
        token=world["broker_a"],
        json={"status": "dismissed", "reason": "price", "note": "买方认为价格过高"},
    )

    # then the demand leaves the page and its reason shows, counted, without the note or the demand
    closed = await portal.page(f"/me/listings/{listing_id}/demands")
    assert f'data-match-id="{match_id}"' not in closed
    assert f'data-demand-id="{world["demand"]["id"]}"' not in closed
    assert "价格：1 次" in closed
    assert "共 1 次" in closed
    for secret in ("买方认为价格过高", world["buyer_org"]["name"]):
        assert secret not in closed


async def test_another_organisation_and_a_self_registered_account_get_nothing(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    world = await _world(api, admin_token)
    listing_id, match_id = world["listing"]["id"], world["match_id"]
    path = f"/me/listings/{listing_id}/demands"

    # given a provider of another university, signed in
    rival: Portal = portal_factory()
    rival_org = await create_org(api, admin_token, kind="university", region="500106")
    await _signed_in_provider(api, admin_token, rival, rival_org["id"])
    # and a visitor who registered themselves (and their own organisation) as a provider
    signup: Portal = portal_factory()
    form = {
        "org_name": "重庆自注册成果转化有限公司",
        "uscc": valid_uscc(),
        "kind": "enterprise",
        "region": "500107",
        "role": "provider",
        "name": "自注册用户",
        "email": f"self{listing_id}x{match_id}@register.example.cn",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    await signup.post("/register", form, token=await signup.token("/register"))

    for visitor in (rival, signup):
        # when they open the listing's page of demands or post interest in its match
        refused = await visitor.client.get(path)
        token = await visitor.token("/me/listings")
        posted = await visitor.client.post(
            f"/me/listings/{listing_id}/matches/{match_id}/interest", data={"csrf_token": token}
        )
        # then both are refused and nothing of the demand shows
        assert refused.status_code == 403
        assert CHALLENGE["title"] not in refused.text
        assert posted.status_code == 403
        # and their own 我的资源 has no link to it
        assert f'href="{path}"' not in await visitor.page("/me/listings")
    assert await db.fetchval("SELECT interest_at FROM demand_match WHERE id = $1", match_id) is None

    # an unknown listing is refused the same way (no telling which ids exist)
    unknown = await rival.client.get("/me/listings/999999999/demands")
    assert unknown.status_code == 403
    # a form posted without the CSRF token changes nothing, even by the owner
    owner: Portal = portal_factory()
    await _signed_in_provider(api, admin_token, owner, world["listing"]["org_id"])
    forged = await owner.client.post(f"/me/listings/{listing_id}/matches/{match_id}/interest", data={})
    assert forged.status_code == 403
    assert await db.fetchval("SELECT interest_at FROM demand_match WHERE id = $1", match_id) is None
    # and the owner cannot express interest in a match of another listing through its own
    other = await owner.client.post(
        f"/me/listings/{listing_id}/matches/999999999/interest",
        data={"csrf_token": await owner.token(path)},
    )
    assert other.status_code == 404
