"""The parties' contract pages over real HTTP: confirm, submit 认定登记, pay a milestone, and see the true status."""

import pytest

from tests.factories import create_contract, create_org
from tests.integration.test_portal import PASSWORD, Portal, make_user, portal_factory  # noqa: F401

pytestmark = pytest.mark.integration


async def test_parties_confirm_register_and_pay_through_their_pages(api, admin_token, db, portal_factory):  # noqa: F811
    # given a verified university (seller) and enterprise (buyer), each with a member, and a signed contract
    seller_org = await create_org(api, admin_token, kind="university", region="500106")
    buyer_org = await create_org(api, admin_token, kind="enterprise", region="500107")
    other_org = await create_org(api, admin_token, kind="enterprise", region="500108")
    for org in (seller_org, buyer_org):
        await api.json("POST", f"/api/v1/orgs/{org['id']}/verify", token=admin_token)
    seller_email = await make_user(
        api, admin_token, org_id=seller_org["id"], role="provider", name="成果转化办周老师"
    )
    buyer_email = await make_user(
        api, admin_token, org_id=buyer_org["id"], role="enterprise", name="采购部陈经理"
    )
    other_email = await make_user(
        api, admin_token, org_id=other_org["id"], role="enterprise", name="旁观企业"
    )
    contract = await create_contract(
        api,
        await api.token(seller_email, PASSWORD),
        buyer_org_id=buyer_org["id"],
        seller_org_id=seller_org["id"],
    )
    cid = contract["id"]
    seller, buyer, other = portal_factory(), portal_factory(), portal_factory()
    await seller.login(seller_email)
    await buyer.login(buyer_email)
    await other.login(other_email)

    # then both parties find it under 我的合同, and another organisation cannot open it
    for party in (seller, buyer):
        listing = await party.page("/me/contracts")
        assert f'href="/contracts/{cid}"' in listing
        assert "已签订" in listing
    assert f'href="/contracts/{cid}"' not in await other.page("/me/contracts")
    assert (await other.client.get(f"/contracts/{cid}")).status_code in (403, 404)
    outsider = await other.client.post(f"/contracts/{cid}/confirm", data={"csrf_token": await other.token()})
    assert outsider.status_code in (403, 404)
    assert await db.fetchval("SELECT buyer_confirmed_at FROM deals_contract WHERE id = $1", cid) is None

    # when the seller tries to submit 认定登记 before the buyer confirmed, then the page says why, nothing moves
    page = await seller.page(f"/contracts/{cid}")
    assert f'action="/contracts/{cid}/registration"' not in page
    refused = await seller.post(f"/contracts/{cid}/registration", {}, expect=409)
    assert "买卖双方确认合同后才能提交认定登记" in refused.text
    assert await db.fetchval("SELECT status FROM deals_contract WHERE id = $1", cid) == "signed"

    # when both confirm and the seller submits, then it is pending registration, and never shown as 已登记
    await buyer.post(f"/contracts/{cid}/confirm", {})
    await seller.post(f"/contracts/{cid}/confirm", {})
    done = await seller.post(f"/contracts/{cid}/registration", {})
    assert done.headers["location"] == f"/contracts/{cid}?notice=registration_submitted"
    pending = await buyer.page(f"/contracts/{cid}")
    assert 'data-status="registration_pending"' in pending
    assert "待认定登记" in pending
    assert "已登记" not in pending.replace("尚未登记", "")
    assert "登记号" not in pending

    # when the seller tries to pay, then it is refused; when the buyer pays the first milestone, it is processing
    milestone = contract["milestones"][0]["id"]
    await seller.post(f"/contracts/{cid}/milestones/{milestone}/pay", {}, expect=403)
    paid = await buyer.post(f"/contracts/{cid}/milestones/{milestone}/pay", {})
    assert paid.headers["location"] == f"/contracts/{cid}?notice=payment_started"
    assert await db.fetchval("SELECT status FROM deals_milestone WHERE id = $1", milestone) == "processing"
    assert "支付处理中" in await buyer.page(f"/contracts/{cid}")

    # when the admin registers it, then both parties see 已登记 with the registry number
    await api.json(
        "POST",
        f"/api/v1/contracts/{cid}/registration/approve",
        token=admin_token,
        json={"registration_no": "20265001079999"},
    )
    registered = await seller.page(f"/contracts/{cid}")
    assert 'data-status="registered"' in registered
    assert "20265001079999" in registered
