"""创新券 in the portal: the admin opens a programme (bad figures refused beside their fields, nothing saved), an
enterprise applies from 创新券 (once), the admin approves on 创新券管理, and the enterprise uses the voucher on its
service order's page, where the milestone it pays in full needs no payment. A member cannot open programmes or
decide applications, and another organisation cannot use a voucher on someone else's order."""

from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from services.core import clock
from services.core.clock import CHINA_TZ
from tests.factories import create_org, unique
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
)
from tests.integration.test_vouchers import _consultancy, _order, _order_programme, _programme, _voucher

pytestmark = pytest.mark.integration


async def test_a_programme_is_opened_applied_for_approved_and_used_on_a_service_order(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given the admin signed in on 创新券管理, and an enterprise member signed in
    admin = portal_factory()
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    buyer_email = await make_user(api, admin_token, org_id=ent["id"], role="enterprise", name="企业财务")
    buyer = portal_factory()
    await buyer.login(buyer_email)
    today = clock.now().astimezone(CHINA_TZ).date()
    name = unique("科学城科技创新券（服务类）")
    programme = {
        "name": name,
        "budget": "100000",
        "face_value": "3000",
        "eligible_org_kinds": "enterprise",
        "service_categories": "service_order",
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=90)).isoformat(),
    }

    # when the admin's face value exceeds the budget, or no service is ticked, then it is refused, nothing saved
    over = await admin.post(
        "/admin/vouchers/programmes",
        {**programme, "face_value": "200000"},
        token=await admin.token("/admin/vouchers"),
        expect=422,
    )
    assert "面值不能超过预算" in over.text
    no_service = {k: v for k, v in programme.items() if k != "service_categories"}
    unticked = await admin.post(
        "/admin/vouchers/programmes", no_service, token=await admin.token("/admin/vouchers"), expect=422
    )
    assert 'id="err-service_categories"' in unticked.text
    assert await db.fetchval("SELECT count(*) FROM vouchers_programme WHERE name = $1", name) == 0
    # and a member cannot open one
    await buyer.post(
        "/admin/vouchers/programmes", programme, token=await buyer.token("/me/vouchers"), expect=403
    )
    assert await db.fetchval("SELECT count(*) FROM vouchers_programme WHERE name = $1", name) == 0

    # when the admin opens it, then the enterprise applies once from 创新券
    await admin.post("/admin/vouchers/programmes", programme, token=await admin.token("/admin/vouchers"))
    programme_id = await db.fetchval("SELECT id FROM vouchers_programme WHERE name = $1", name)
    assert name in await buyer.page("/me/vouchers")
    await buyer.post(
        f"/me/vouchers/programmes/{programme_id}/apply", {}, token=await buyer.token("/me/vouchers")
    )
    voucher = await db.fetchrow(
        "SELECT id, status FROM vouchers_voucher WHERE programme_id = $1 AND org_id = $2",
        programme_id,
        ent["id"],
    )
    assert voucher["status"] == "pending"
    again = await buyer.post(
        f"/me/vouchers/programmes/{programme_id}/apply",
        {},
        token=await buyer.token("/me/vouchers"),
        expect=409,
    )
    assert "本机构已申请过该项目的创新券" in again.text

    # when the member posts the approval itself, then 403 and it stays pending
    await buyer.post(
        f"/admin/vouchers/{voucher['id']}/approve", {}, token=await buyer.token("/me/vouchers"), expect=403
    )
    assert await db.fetchval("SELECT status FROM vouchers_voucher WHERE id = $1", voucher["id"]) == "pending"

    # (the review list is the admin's alone, through the API too)
    await api.call("GET", "/api/v1/admin/vouchers", token=await api.token(buyer_email, PASSWORD), expect=403)
    listed = await api.json("GET", "/api/v1/admin/vouchers?status=pending", token=admin_token)
    assert voucher["id"] in [v["id"] for v in listed["items"]]
    await api.call("GET", "/api/v1/admin/vouchers?status=spent", token=admin_token, expect=422)

    # when the admin approves it on 创新券管理, then it holds its face value
    assert f'data-voucher-id="{voucher["id"]}"' in await admin.page("/admin/vouchers")
    await admin.post(
        f"/admin/vouchers/{voucher['id']}/approve", {}, token=await admin.token("/admin/vouchers")
    )
    row = await db.fetchrow("SELECT status, balance_fen FROM vouchers_voucher WHERE id = $1", voucher["id"])
    assert (row["status"], row["balance_fen"]) == ("active", 300_000)

    # given an accepted 10,000 元 order of the enterprise (milestones 3,000 and 7,000 元)
    provider, listing_id = await _consultancy(api, admin_token)
    buyer_token = await api.token(buyer_email, PASSWORD)
    order_id = await _order(api, provider, buyer_token, listing_id)
    detail = f"/me/service-orders/{order_id}"
    assert "使用创新券" in await buyer.page(detail)

    # when another organisation posts the voucher to this order, then it does not exist for them
    other = await create_org(api, admin_token, kind="enterprise")
    stranger = portal_factory()
    await stranger.login(
        await make_user(api, admin_token, org_id=other["id"], role="enterprise", name="他企")
    )
    await stranger.post(
        f"{detail}/voucher",
        {"voucher_id": str(voucher["id"])},
        token=await stranger.token("/me/vouchers"),
        expect=404,
    )

    # when the enterprise uses it on the first milestone, then that milestone needs no payment
    await buyer.post(
        f"{detail}/voucher",
        {"voucher_id": str(voucher["id"]), "milestone_seq": "1"},
        token=await buyer.token(detail),
    )
    assert await db.fetchval("SELECT voucher_cover FROM orders_service_order WHERE id = $1", order_id) == (
        '{"1": 300000}'
    )
    page = await buyer.page(detail)
    assert "创新券全额支付" in page
    assert f'action="{detail}/milestones/1/pay"' not in page
    assert f'action="{detail}/milestones/2/pay"' in page


async def test_a_service_order_offers_only_vouchers_whose_programme_covers_service_orders(
    api: Any,
    admin_token: str,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given an enterprise holding an active instrument-booking voucher and an active service-order voucher
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    buyer_email = await make_user(api, admin_token, org_id=ent["id"], role="enterprise", name="企业采购")
    buyer_token = await api.token(buyer_email, PASSWORD)
    booking_programme = await api.json(
        "POST", "/api/v1/voucher-programmes", token=admin_token, json=_programme(), expect=201
    )
    order_programme = await api.json(
        "POST", "/api/v1/voucher-programmes", token=admin_token, json=_order_programme(), expect=201
    )
    for_bookings = await _voucher(api, admin_token, buyer_token, booking_programme["id"])
    for_orders = await _voucher(api, admin_token, buyer_token, order_programme["id"])

    # when the enterprise opens its accepted service order
    provider, listing_id = await _consultancy(api, admin_token)
    order_id = await _order(api, provider, buyer_token, listing_id)
    buyer = portal_factory()
    await buyer.login(buyer_email)
    page = await buyer.page(f"/me/service-orders/{order_id}")

    # then only the service-order voucher is offered
    assert f'value="{for_orders["id"]}"' in page
    assert f'value="{for_bookings["id"]}"' not in page
