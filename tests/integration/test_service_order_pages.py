"""服务订单 in the portal: an enterprise asks an agency for a service from its page, the agency quotes lines and
milestones (milestones that do not add up are refused), the enterprise accepts the version it saw, pays the first
milestone, the agency delivers a file, the enterprise disputes, the admin rules, and the order becomes a contract
in one step. Each side's steps are its own; a third organisation sees nothing."""

from typing import Any

import asyncpg
import pytest

from tests.factories import create_listing, create_org, publish_listing, unique
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
)

pytestmark = pytest.mark.integration


async def _status(db: asyncpg.Connection, order_id: int) -> str:
    return str(await db.fetchval("SELECT status FROM orders_service_order WHERE id = $1", order_id))


async def test_a_service_order_runs_from_the_agency_page_to_a_ruled_dispute_and_a_contract(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a published consultancy, its provider signed in, and an enterprise member signed in
    agency_org = await create_org(api, admin_token, kind="agency")
    provider_email = await make_user(
        api, admin_token, org_id=agency_org["id"], role="provider", name="咨询顾问"
    )
    provider_token = await api.token(provider_email, PASSWORD)
    agency = await create_listing(
        api,
        provider_token,
        "agency",
        name=unique("热处理工艺咨询中心"),
        agency_types=["consulting"],
        qualifications=[],
    )
    await publish_listing(api, provider_token, admin_token, "agency", agency["id"])
    provider = portal_factory()
    await provider.login(provider_email)
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    buyer = portal_factory()
    await buyer.login(
        await make_user(api, admin_token, org_id=ent["id"], role="enterprise", name="企业工艺部")
    )

    # when the enterprise asks from the agency's page, then the order waits for a quote
    form_url = f"/service-orders/new?listing_id={agency['id']}"
    assert f'href="{form_url}"' in await buyer.page(f"/listings/agency/{agency['id']}")
    refused = await buyer.post(form_url, {"title": ""}, token=await buyer.token(form_url), expect=422)
    assert 'id="err-title"' in refused.text
    made = await buyer.post(
        form_url,
        {"title": "齿轮热处理变形控制咨询", "description": "渗碳淬火后变形超差"},
        token=await buyer.token(form_url),
    )
    detail = made.headers["location"].split("?")[0]
    order_id = int(detail.rsplit("/", 1)[1])
    assert await _status(db, order_id) == "requested"

    # when a third organisation opens it or acts on it, then it does not exist for them
    stranger = portal_factory()
    other = await create_org(api, admin_token, kind="enterprise")
    await stranger.login(
        await make_user(api, admin_token, org_id=other["id"], role="enterprise", name="他企")
    )
    await stranger.page(detail, expect=404)
    await stranger.post(
        f"{detail}/withdraw", {}, token=await stranger.token("/me/service-orders"), expect=404
    )
    # and the buyer cannot quote its own order
    await buyer.post(
        f"{detail}/quote",
        {"line_name_0": "自报", "line_amount_0": "1", "milestone_name_0": "全款", "milestone_amount_0": "1"},
        token=await buyer.token(detail),
        expect=403,
    )

    # when the agency quotes milestones that do not add up to the lines, then it is refused and nothing changes
    lines = {
        "line_name_0": "现场诊断",
        "line_amount_0": "6,000",
        "line_name_1": "工艺方案",
        "line_amount_1": "4000",
    }
    uneven = await provider.post(
        f"{detail}/quote",
        {**lines, "milestone_name_0": "预付款", "milestone_amount_0": "3000"},
        token=await provider.token(detail),
        expect=422,
    )
    assert "里程碑金额之和须等于报价合计" in uneven.text
    assert await _status(db, order_id) == "requested"

    # when it quotes 10,000 元 in two milestones, then the buyer accepts that version and the price is frozen
    await provider.post(
        f"{detail}/quote",
        {
            **lines,
            "milestone_name_0": "预付款",
            "milestone_amount_0": "3000",
            "milestone_name_1": "验收款",
            "milestone_amount_1": "7000",
            "milestone_due_1": "2027-03-31",
        },
        token=await provider.token(detail),
    )
    page = await buyer.page(detail)
    assert "10,000.00" in page
    await buyer.post(f"{detail}/accept", {"quote_version": "1"}, token=await buyer.token(detail))
    row = await db.fetchrow("SELECT status, price_fen FROM orders_service_order WHERE id = $1", order_id)
    assert (row["status"], row["price_fen"]) == ("ordered", 1_000_000)

    # when the buyer pays the first milestone, then 3,000 元 is charged through the payment port
    await buyer.post(f"{detail}/milestones/1/pay", {}, token=await buyer.token(detail))
    charged = await db.fetchval(
        "SELECT p.amount_fen FROM deals_payment p JOIN orders_service_order o ON o.contract_id = p.contract_id "
        "WHERE o.id = $1",
        order_id,
    )
    assert charged == 300_000

    # when the agency delivers a file, then the buyer can download it; the stranger cannot
    delivered = await provider.client.post(
        f"{detail}/deliver",
        data={"csrf_token": await provider.token(detail), "note": "工艺方案见附件"},
        files={"file": ("工艺方案.txt", "渗碳层深度 0.8–1.0 mm".encode(), "text/plain")},
    )
    assert delivered.status_code == 303
    assert await _status(db, order_id) == "delivered"
    download = await buyer.client.get(f"/api/v1/service-orders/{order_id}/deliverable")
    assert download.content == "渗碳层深度 0.8–1.0 mm".encode()
    assert (await stranger.client.get(f"/api/v1/service-orders/{order_id}/deliverable")).status_code == 404

    # when the buyer disputes without a reason, then it is refused; with one, the order waits for the admin
    await buyer.post(f"{detail}/dispute", {"reason": " "}, token=await buyer.token(detail), expect=422)
    await buyer.post(f"{detail}/dispute", {"reason": "方案未覆盖淬火工序"}, token=await buyer.token(detail))
    assert await _status(db, order_id) == "disputed"
    # and neither party can rule on its own dispute
    ruling = {"outcome": "complete", "note": "自行裁决"}
    await buyer.post(f"{detail}/resolve", ruling, token=await buyer.token(detail), expect=403)
    await provider.post(f"{detail}/resolve", ruling, token=await provider.token(detail), expect=403)
    assert await _status(db, order_id) == "disputed"

    # when the admin asks for a new delivery, then the order is back with the agency
    admin = portal_factory()
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert f'action="{detail}/resolve"' in await admin.page(detail)
    await admin.post(
        f"{detail}/resolve",
        {"outcome": "redeliver", "note": "请补充淬火工序"},
        token=await admin.token(detail),
    )
    assert await _status(db, order_id) == "ordered"

    # and either party turns the order into a 技术服务 contract in one step (the one made for the payment)
    made_contract = await provider.post(f"{detail}/contract", {}, token=await provider.token(detail))
    contract_id = await db.fetchval("SELECT contract_id FROM orders_service_order WHERE id = $1", order_id)
    assert made_contract.headers["location"].startswith(f"/contracts/{contract_id}")
    assert await db.fetchval("SELECT total_fen FROM deals_contract WHERE id = $1", contract_id) == 1_000_000
