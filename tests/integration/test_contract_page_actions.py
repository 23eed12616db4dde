"""A contract's page beyond confirming and paying: a party withdraws a contract never registered (撤销合同), an admin
records the registry's cancel registration of a registered one (登记注销, with a reason), and the parties read where
the contract came from and its payments (合同溯源). Another organisation can do none of it."""

import os
from typing import Any

import asyncpg
import pytest

from tests.factories import create_contract, create_org
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
)
from tests.integration.test_service_orders import _webhook as webhook

pytestmark = pytest.mark.integration


async def _status(db: asyncpg.Connection, contract_id: int) -> str:
    return str(await db.fetchval("SELECT status FROM deals_contract WHERE id = $1", contract_id))


async def test_a_party_withdraws_an_admin_deregisters_and_the_parties_trace_a_contract(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given two verified organisations with a member each, two signed contracts between them, and a stranger
    seller_org = await create_org(api, admin_token, kind="university", region="500106")
    buyer_org = await create_org(api, admin_token, kind="enterprise", region="500107")
    other_org = await create_org(api, admin_token, kind="enterprise")
    seller_email = await make_user(api, admin_token, org_id=seller_org["id"], role="provider", name="转化办")
    buyer_email = await make_user(api, admin_token, org_id=buyer_org["id"], role="enterprise", name="采购部")
    seller_token = await api.token(seller_email, PASSWORD)
    parties = {"buyer_org_id": buyer_org["id"], "seller_org_id": seller_org["id"]}
    withdrawn = (await create_contract(api, seller_token, **parties))["id"]
    registered = (await create_contract(api, seller_token, **parties))["id"]
    seller, buyer, stranger, admin = portal_factory(), portal_factory(), portal_factory(), portal_factory()
    await seller.login(seller_email)
    await buyer.login(buyer_email)
    await stranger.login(
        await make_user(api, admin_token, org_id=other_org["id"], role="enterprise", name="旁观")
    )
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)

    # then the parties read its origin (recorded directly) and that nothing was paid yet
    page = await buyer.page(f"/contracts/{withdrawn}")
    assert "合同溯源" in page
    assert "直接登记" in page
    assert "尚无付款记录" in page
    assert f'action="/contracts/{withdrawn}/cancel"' in page

    # when another organisation posts the withdrawal, then it is refused and the contract stands
    refused = await stranger.client.post(
        f"/contracts/{withdrawn}/cancel", data={"csrf_token": await stranger.token("/me/contracts")}
    )
    assert refused.status_code in (403, 404)
    assert await _status(db, withdrawn) == "signed"

    # when the buyer withdraws it, then it is cancelled and offers no further step
    await buyer.post(f"/contracts/{withdrawn}/cancel", {}, token=await buyer.token(f"/contracts/{withdrawn}"))
    assert await _status(db, withdrawn) == "cancelled"
    assert f'action="/contracts/{withdrawn}/cancel"' not in await seller.page(f"/contracts/{withdrawn}")

    # given the other contract registered by the registry
    for party in (buyer, seller):
        await party.post(
            f"/contracts/{registered}/confirm", {}, token=await party.token(f"/contracts/{registered}")
        )
    await seller.post(
        f"/contracts/{registered}/registration", {}, token=await seller.token(f"/contracts/{registered}")
    )
    await api.json(
        "POST",
        f"/api/v1/contracts/{registered}/registration/approve",
        token=admin_token,
        json={"registration_no": "50010620260001"},
    )
    assert await _status(db, registered) == "registered"
    # a registered contract cannot be withdrawn by a party, and only an admin deregisters it
    assert f'action="/contracts/{registered}/cancel"' not in await buyer.page(f"/contracts/{registered}")
    assert f'action="/contracts/{registered}/terminate"' not in await seller.page(f"/contracts/{registered}")
    await seller.post(
        f"/contracts/{registered}/terminate",
        {"reason": "自行注销"},
        token=await seller.token(f"/contracts/{registered}"),
        expect=403,
    )
    assert await _status(db, registered) == "registered"

    # when the admin deregisters without a reason, then it is refused; with the registry's reason, it leaves
    # the indicator (terminated) and the act is audited
    await admin.post(
        f"/contracts/{registered}/terminate",
        {"reason": ""},
        token=await admin.token(f"/contracts/{registered}"),
        expect=422,
    )
    assert await _status(db, registered) == "registered"
    await admin.post(
        f"/contracts/{registered}/terminate",
        {"reason": "登记机构撤销登记：合同主体信息有误"},
        token=await admin.token(f"/contracts/{registered}"),
    )
    assert await _status(db, registered) == "terminated"
    audited = await db.fetchval(
        "SELECT count(*) FROM core_audit_log WHERE action = 'contract.terminate' AND object_id = $1",
        str(registered),
    )
    assert audited == 1


async def test_each_party_reads_its_own_side_of_a_paid_contract_on_its_statement(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a contract whose first milestone the buyer paid (the provider's webhook confirmed it)
    seller_org = await create_org(api, admin_token, kind="university", region="500106")
    buyer_org = await create_org(api, admin_token, kind="enterprise", region="500107")
    other_org = await create_org(api, admin_token, kind="enterprise")
    seller_email = await make_user(api, admin_token, org_id=seller_org["id"], role="provider", name="转化办")
    buyer_email = await make_user(api, admin_token, org_id=buyer_org["id"], role="enterprise", name="采购部")
    contract = await create_contract(
        api,
        await api.token(seller_email, PASSWORD),
        buyer_org_id=buyer_org["id"],
        seller_org_id=seller_org["id"],
    )
    milestone = contract["milestones"][0]
    payment = await api.json(
        "POST",
        f"/api/v1/contracts/{contract['id']}/milestones/{milestone['id']}/pay",
        token=await api.token(buyer_email, PASSWORD),
        json={"methods": ["card"]},
    )
    assert (await webhook(api, payment, f"evt_{os.urandom(8).hex()}"))["outcome"] == "succeeded"
    seller, buyer, stranger = portal_factory(), portal_factory(), portal_factory()
    await seller.login(seller_email)
    await buyer.login(buyer_email)
    await stranger.login(
        await make_user(api, admin_token, org_id=other_org["id"], role="enterprise", name="旁观")
    )
    link = f'href="/contracts/{contract["id"]}"'

    # then the seller's statement shows the sale: what it is owed, and the platform fee taken from it
    sold = await seller.page("/me/statement")
    assert link in sold
    assert "应付卖方（货款）" in sold
    assert "合同款到账" in sold
    # the buyer's shows what it paid, never the seller's share
    bought = await buyer.page("/me/statement")
    assert link in bought
    assert "支付通道收付" in bought
    assert "应付卖方（货款）" not in bought
    # and another organisation's statement holds nothing of it
    assert link not in await stranger.page("/me/statement")


async def test_the_licensee_files_royalty_sales_on_the_contract_page_and_the_licensor_cannot(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a licence contract with a 5% quarterly royalty (at least 500 元 a quarter), signed mid-2025
    seller_org = await create_org(api, admin_token, kind="university", region="500106")
    buyer_org = await create_org(api, admin_token, kind="enterprise", region="500107")
    seller_email = await make_user(api, admin_token, org_id=seller_org["id"], role="provider", name="许可方")
    buyer_email = await make_user(
        api, admin_token, org_id=buyer_org["id"], role="enterprise", name="被许可方"
    )
    term = {"rate_bp": 500, "period": "quarter", "minimum_fen": 50_000}
    contract = await create_contract(
        api,
        await api.token(seller_email, PASSWORD),
        buyer_org_id=buyer_org["id"],
        seller_org_id=seller_org["id"],
        signed_at="2025-06-01",
        royalty=term,
    )
    url = f"/contracts/{contract['id']}"
    seller, buyer = portal_factory(), portal_factory()
    await seller.login(seller_email)
    await buyer.login(buyer_email)
    assert "5.00%" in await buyer.page(url)
    assert f'action="{url}/royalty-statements"' not in await seller.page(url)

    # when the licensor posts a statement itself, then it is refused and none exists
    period = {"period_start": "2025-07-01", "period_end": "2025-09-30", "sales": "123,457.00"}
    await seller.post(f"{url}/royalty-statements", period, token=await seller.token(url), expect=403)
    # and a period that is not a whole quarter is refused beside the form
    await buyer.post(
        f"{url}/royalty-statements",
        {**period, "period_end": "2025-09-15"},
        token=await buyer.token(url),
        expect=422,
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM deals_royalty_statement WHERE contract_id = $1", contract["id"]
        )
        == 0
    )

    # when the licensee files the quarter's sales of 123,457 元, then 6,172.85 元 is due as a new milestone
    await buyer.post(f"{url}/royalty-statements", period, token=await buyer.token(url))
    row = await db.fetchrow(
        "SELECT sales_fen, due_fen, milestone_id FROM deals_royalty_statement WHERE contract_id = $1",
        contract["id"],
    )
    assert (row["sales_fen"], row["due_fen"]) == (12_345_700, 617_285)
    page = await seller.page(url)
    assert "6,172.85" in page
    assert f'data-milestone-id="{row["milestone_id"]}"' in page
