"""Service orders: request → quote → order → delivery → acceptance or dispute → payment → 技术服务 contract."""

import asyncio
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import create_listing, create_org, create_user, publish_listing
from tests.integration.conftest import Api
from tests.integration.invariants import assert_problem, nothing_saved, stripe_signature

pytestmark = pytest.mark.integration

BASE = "/api/v1/service-orders"
QUOTE = {
    "lines": [{"name": "工艺诊断", "amount_fen": 600_000}, {"name": "改进方案报告", "amount_fen": 400_000}],
    "milestones": [{"name": "预付款", "amount_fen": 300_000}, {"name": "验收款", "amount_fen": 700_000}],
    "note": "两周内完成",
}


@dataclass
class Parties:
    api: Api
    admin: str
    provider: str  # the agency's member
    buyer: str  # the enterprise's member
    stranger: str  # a member of another verified enterprise
    provider_org: int
    buyer_org: int
    listing_id: int

    async def order(self) -> dict[str, Any]:
        body = {"listing_id": self.listing_id, "title": "热处理工艺优化咨询", "description": "降低零件变形"}
        return dict(await self.api.json("POST", BASE, token=self.buyer, json=body, expect=201))

    async def ordered(self) -> dict[str, Any]:
        """An order whose quote the buyer accepted (price frozen)."""
        made = await self.order()
        quoted = await self.api.json("POST", f"{BASE}/{made['id']}/quote", token=self.provider, json=QUOTE)
        return dict(
            await self.api.json(
                "POST",
                f"{BASE}/{made['id']}/accept",
                token=self.buyer,
                json={"quote_version": quoted["quote_version"]},
            )
        )

    async def delivered(self) -> dict[str, Any]:
        order = await self.ordered()
        return dict(
            await self.api.json(
                "POST", f"{BASE}/{order['id']}/deliver", token=self.provider, data={"note": "方案已提交"}
            )
        )


@pytest.fixture
async def parties(api: Api, admin_token: str) -> Parties:
    agency_org = await create_org(api, admin_token, kind="agency")
    ent = await create_org(api, admin_token, kind="enterprise")
    other = await create_org(api, admin_token, kind="enterprise")
    _, provider = await create_user(api, admin_token, org_id=agency_org["id"], role="provider")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    _, stranger = await create_user(api, admin_token, org_id=other["id"], role="enterprise")
    agency = await create_listing(api, provider, "agency", agency_types=["consulting"], qualifications=[])
    await publish_listing(api, provider, admin_token, "agency", agency["id"])
    return Parties(api, admin_token, provider, buyer, stranger, agency_org["id"], ent["id"], agency["id"])


async def _outbox(db: Any, order_id: int) -> list[str]:
    rows = await db.fetch(
        "SELECT payload->>'action' AS action FROM core_outbox WHERE topic = 'service_order.changed' "
        "AND aggregate_id = $1 ORDER BY id",
        order_id,
    )
    return [r["action"] for r in rows]


async def test_a_service_order_runs_from_request_to_accepted_delivery(parties: Parties, db: Any) -> None:
    api, p = parties.api, parties
    made = await p.order()
    oid = made["id"]
    assert (made["status"], made["provider_org_id"], made["buyer_org_id"]) == (
        "requested",
        p.provider_org,
        p.buyer_org,
    )
    # another organisation neither sees nor quotes it; the buyer cannot quote its own request
    await api.call("GET", f"{BASE}/{oid}", token=p.stranger, expect=404)
    await api.call("POST", f"{BASE}/{oid}/quote", token=p.stranger, json=QUOTE, expect=404)
    await api.call("POST", f"{BASE}/{oid}/quote", token=p.buyer, json=QUOTE, expect=403)
    listed = await api.json("GET", BASE, token=p.stranger)
    assert oid not in [o["id"] for o in listed["items"]]

    # negative or zero lines, and milestones that do not add up, are refused naming the field; nothing saved
    bad_quotes = [
        ({**QUOTE, "lines": [{"name": "折扣", "amount_fen": -10_000}]}, ("body", "lines", 0, "amount_fen")),
        (
            {**QUOTE, "lines": [*QUOTE["lines"], {"name": "赠送", "amount_fen": 0}]},
            ("body", "lines", 2, "amount_fen"),
        ),
        (
            {**QUOTE, "milestones": [{"name": "预付款", "amount_fen": 0}, *QUOTE["milestones"]]},
            ("body", "milestones", 0, "amount_fen"),
        ),
        ({**QUOTE, "milestones": [{"name": "全款", "amount_fen": 999_999}]}, ("body", "milestones")),
    ]
    for body, loc in bad_quotes:
        async with nothing_saved(db):
            response = await api.call("POST", f"{BASE}/{oid}/quote", token=p.provider, json=body)
            assert_problem(response, 422, loc)
    assert await db.fetchval("SELECT status FROM orders_service_order WHERE id = $1", oid) == "requested"

    first = await api.json("POST", f"{BASE}/{oid}/quote", token=p.provider, json=QUOTE)
    assert (first["status"], first["quote_total_fen"], first["quote_version"]) == ("quoted", 1_000_000, 1)
    revised = {**QUOTE, "lines": [{"name": "工艺诊断", "amount_fen": 1_000_000}]}
    second = await api.json("POST", f"{BASE}/{oid}/quote", token=p.provider, json=revised)
    assert second["quote_version"] == 2
    # accepting the version the buyer saw before the revision is refused; the provider cannot accept
    stale = await api.call("POST", f"{BASE}/{oid}/accept", token=p.buyer, json={"quote_version": 1})
    assert assert_problem(stale, 409)["code"] == "quote_changed"
    await api.call("POST", f"{BASE}/{oid}/accept", token=p.provider, json={"quote_version": 2}, expect=403)
    await api.call("POST", f"{BASE}/{oid}/accept", token=p.stranger, json={"quote_version": 2}, expect=404)
    ordered = await api.json("POST", f"{BASE}/{oid}/accept", token=p.buyer, json={"quote_version": 2})
    assert (ordered["status"], ordered["price_fen"]) == ("ordered", 1_000_000)
    # the price is frozen: no more quotes, and a replayed acceptance is a conflict that changes nothing
    await api.call("POST", f"{BASE}/{oid}/quote", token=p.provider, json=QUOTE, expect=409)
    await api.call("POST", f"{BASE}/{oid}/accept", token=p.buyer, json={"quote_version": 2}, expect=409)
    assert await db.fetchval("SELECT price_fen FROM orders_service_order WHERE id = $1", oid) == 1_000_000

    # only the provider delivers, with a file and notes; nothing empty
    deliverable = "优化方案：回火温度 560℃".encode()
    files = {"file": ("方案.txt", deliverable, "text/plain")}
    await api.call(
        "POST", f"{BASE}/{oid}/deliver", token=p.buyer, data={"note": "x"}, files=files, expect=403
    )
    await api.call(
        "POST", f"{BASE}/{oid}/deliver", token=p.stranger, data={"note": "x"}, files=files, expect=404
    )
    assert_problem(
        await api.call("POST", f"{BASE}/{oid}/deliver", token=p.provider, data={"note": " "}), 422, ("note",)
    )
    delivered = await api.json(
        "POST", f"{BASE}/{oid}/deliver", token=p.provider, data={"note": "方案已提交"}, files=files
    )
    assert delivered["status"] == "delivered"
    assert delivered["deliverable_sha256"] == hashlib.sha256(deliverable).hexdigest()
    assert delivered["delivery_note"] == "方案已提交"
    got = await api.call("GET", f"{BASE}/{oid}/deliverable", token=p.buyer, expect=200)
    assert got.content == deliverable
    await api.call("GET", f"{BASE}/{oid}/deliverable", token=p.stranger, expect=404)

    await api.call("POST", f"{BASE}/{oid}/accept-delivery", token=p.provider, expect=403)
    done = await api.json("POST", f"{BASE}/{oid}/accept-delivery", token=p.buyer)
    assert done["status"] == "completed"
    await api.call("POST", f"{BASE}/{oid}/accept-delivery", token=p.buyer, expect=409)
    assert await _outbox(db, oid) == [
        "request",
        "quote",
        "quote",
        "accept_quote",
        "deliver",
        "accept_delivery",
    ]
    # each side is told about the other side's steps
    kinds = await db.fetch(
        "SELECT n.title FROM notifications_notification n JOIN orders_service_order o ON o.requester_id = n.user_id "
        "WHERE o.id = $1 AND n.kind = 'service_order' ORDER BY n.id",
        oid,
    )
    assert [k["title"].split("：")[0] for k in kinds] == [
        "服务方已报价",
        "服务方已报价",
        "服务方已提交交付成果",
    ]


async def test_one_step_makes_one_service_contract_for_registration(parties: Parties, db: Any) -> None:
    api, p = parties.api, parties
    order = await p.ordered()
    oid = order["id"]
    # strangers cannot make it; a request without an accepted quote cannot become a contract
    await api.call("POST", f"{BASE}/{oid}/contract", token=p.stranger, expect=404)
    unquoted = await p.order()
    async with nothing_saved(db):
        await api.call("POST", f"{BASE}/{unquoted['id']}/contract", token=p.buyer, expect=409)

    # ten simultaneous clicks (either party) make exactly one contract
    responses = await asyncio.gather(
        *(
            api.call("POST", f"{BASE}/{oid}/contract", token=p.buyer if i % 2 else p.provider)
            for i in range(10)
        )
    )
    assert {r.status_code for r in responses} == {201}
    contract_ids = {r.json()["id"] for r in responses}
    assert len(contract_ids) == 1
    contract = responses[0].json()
    assert (contract["contract_type"], contract["total_fen"], contract["status"]) == (
        "service",
        1_000_000,
        "signed",
    )
    assert (contract["buyer_org_id"], contract["seller_org_id"]) == (p.buyer_org, p.provider_org)
    assert [(m["seq"], m["amount_fen"]) for m in contract["milestones"]] == [(1, 300_000), (2, 700_000)]
    assert (
        await db.fetchval("SELECT contract_id FROM orders_service_order WHERE id = $1", oid) == contract["id"]
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM deals_contract WHERE buyer_org_id = $1 AND seller_org_id = $2",
            p.buyer_org,
            p.provider_org,
        )
        == 1
    )
    # the contract is an ordinary contract: the parties see it and can take it to 认定登记
    seen = await api.json("GET", f"/api/v1/contracts/{contract['id']}", token=p.provider)
    assert seen["title"] == "热处理工艺优化咨询"


async def _webhook(api: Api, payment: dict[str, Any], event_id: str) -> dict[str, Any]:
    raw = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": payment["provider_ref"],
                    "object": "payment_intent",
                    "amount": payment["amount_fen"],
                    "currency": payment["currency"],
                    "metadata": {"payment_id": str(payment["payment_id"])},
                }
            },
        }
    ).encode()
    return dict(
        await api.json(
            "POST",
            "/api/v1/payments/stripe/webhook",
            content=raw,
            headers={"Stripe-Signature": stripe_signature(raw), "Content-Type": "application/json"},
        )
    )


async def test_milestones_are_paid_through_the_payment_port_and_credited_once(
    parties: Parties, db: Any
) -> None:
    api, p = parties.api, parties
    order = await p.delivered()
    oid = order["id"]
    pay = {"methods": ["card"]}
    # only the buyer pays; another organisation does not even see the order
    await api.call("POST", f"{BASE}/{oid}/milestones/1/pay", token=p.stranger, json=pay, expect=404)
    await api.call("POST", f"{BASE}/{oid}/milestones/1/pay", token=p.provider, json=pay, expect=403)
    await api.call("POST", f"{BASE}/{oid}/milestones/3/pay", token=p.buyer, json=pay, expect=404)
    assert await db.fetchval("SELECT contract_id FROM orders_service_order WHERE id = $1", oid) is None

    payment = await api.json("POST", f"{BASE}/{oid}/milestones/1/pay", token=p.buyer, json=pay)
    assert (payment["amount_fen"], payment["currency"], payment["provider"]) == (300_000, "cny", "stripe")
    assert payment["provider_ref"].startswith("pi_")
    # paying made the order's contract; a second click returns the same open attempt
    contract_id = await db.fetchval("SELECT contract_id FROM orders_service_order WHERE id = $1", oid)
    assert contract_id is not None
    again = await api.json("POST", f"{BASE}/{oid}/milestones/1/pay", token=p.buyer, json=pay)
    assert again["payment_id"] == payment["payment_id"]

    event_id = f"evt_{os.urandom(8).hex()}"
    assert (await _webhook(api, payment, event_id))["outcome"] == "succeeded"
    # the same event delivered again is recognised and credits nothing more
    assert (await _webhook(api, payment, event_id))["duplicate"] is True
    milestones = await db.fetch(
        "SELECT seq, status FROM deals_milestone WHERE contract_id = $1 ORDER BY seq", contract_id
    )
    assert [(m["seq"], m["status"]) for m in milestones] == [(1, "paid"), (2, "unpaid")]
    received = await db.fetchval(
        "SELECT sum(amount_fen) FROM deals_ledger_entry WHERE payment_id = $1 AND account = 'provider_clearing'",
        payment["payment_id"],
    )
    assert received == 300_000
    # a paid milestone is not paid twice
    paid_twice = await api.call("POST", f"{BASE}/{oid}/milestones/1/pay", token=p.buyer, json=pay)
    assert assert_problem(paid_twice, 409)["code"] == "milestone_paid"


async def test_a_dispute_is_resolved_by_an_admin_only(parties: Parties, db: Any) -> None:
    api, p = parties.api, parties
    order = await p.delivered()
    oid = order["id"]
    # a dispute needs a reason, and only the buyer raises it
    assert_problem(
        await api.call("POST", f"{BASE}/{oid}/dispute", token=p.buyer, json={}), 422, ("body", "reason")
    )
    await api.call("POST", f"{BASE}/{oid}/dispute", token=p.provider, json={"reason": "x"}, expect=403)
    disputed = await api.json(
        "POST", f"{BASE}/{oid}/dispute", token=p.buyer, json={"reason": "方案未覆盖淬火工序"}
    )
    assert (disputed["status"], disputed["dispute_reason"]) == ("disputed", "方案未覆盖淬火工序")
    # nothing is paid while a dispute is open
    blocked = await api.call(
        "POST", f"{BASE}/{oid}/milestones/1/pay", token=p.buyer, json={"methods": ["card"]}
    )
    assert assert_problem(blocked, 409)["code"] == "order_not_payable"

    ruling = {"outcome": "redeliver", "note": "补充淬火工序"}
    for token in (p.buyer, p.provider):
        await api.call("POST", f"{BASE}/{oid}/resolve", token=token, json=ruling, expect=403)
    assert_problem(
        await api.call(
            "POST", f"{BASE}/{oid}/resolve", token=p.admin, json={"outcome": "refund", "note": "x"}
        ),
        422,
        ("body", "outcome"),
    )
    again = await api.json("POST", f"{BASE}/{oid}/resolve", token=p.admin, json=ruling)
    assert (again["status"], again["resolution"]) == ("ordered", "redeliver")
    await api.json("POST", f"{BASE}/{oid}/deliver", token=p.provider, data={"note": "已补充"})
    await api.json("POST", f"{BASE}/{oid}/dispute", token=p.buyer, json={"reason": "仍不满意"})
    ended = await api.json(
        "POST", f"{BASE}/{oid}/resolve", token=p.admin, json={"outcome": "cancel", "note": "双方协商解除"}
    )
    assert ended["status"] == "cancelled"
    # a resolved dispute is not resolved again, and a cancelled order takes no payment
    await api.call("POST", f"{BASE}/{oid}/resolve", token=p.admin, json=ruling, expect=409)
    await api.call(
        "POST", f"{BASE}/{oid}/milestones/1/pay", token=p.buyer, json={"methods": ["card"]}, expect=409
    )
    audits = await db.fetchval(
        "SELECT count(*) FROM core_audit_log WHERE action = 'service_order.resolve' AND object_id = $1",
        str(oid),
    )
    assert audits == 2


async def test_bad_service_orders_are_refused_and_nothing_is_saved(
    parties: Parties, api: Api, db: Any
) -> None:
    p = parties
    instrument = await create_listing(api, p.provider, "instrument")
    await publish_listing(api, p.provider, p.admin, "instrument", instrument["id"])
    draft = await create_listing(api, p.provider, "agency")
    unverified = await create_org(api, p.admin, kind="enterprise", verified=False)
    _, newcomer = await create_user(api, p.admin, org_id=unverified["id"], role="enterprise")
    body = {"listing_id": p.listing_id, "title": "工艺咨询"}
    cases = [
        (
            p.buyer,
            {**body, "listing_id": instrument["id"]},
            422,
            ("body", "listing_id"),
        ),  # not an agency/expert
        (p.buyer, {**body, "listing_id": draft["id"]}, 422, ("body", "listing_id")),  # not published
        (p.provider, body, 422, ("body", "listing_id")),  # ordering from oneself
        (p.buyer, {**body, "title": ""}, 422, ("body", "title")),
        (p.buyer, {**body, "listing_id": "1"}, 422, ("body", "listing_id")),
        (newcomer, body, 403, None),  # a self-registered, unverified organisation
    ]
    for token, payload, status, loc in cases:
        async with nothing_saved(db):
            assert_problem(await api.call("POST", BASE, token=token, json=payload), status, loc)
    # the buyer may withdraw a request, after which nothing moves it
    made = await p.order()
    await api.call("POST", f"{BASE}/{made['id']}/withdraw", token=p.provider, expect=403)
    assert (await api.json("POST", f"{BASE}/{made['id']}/withdraw", token=p.buyer))["status"] == "withdrawn"
    await api.call("POST", f"{BASE}/{made['id']}/quote", token=p.provider, json=QUOTE, expect=409)


async def test_experts_take_service_orders_too(parties: Parties, api: Api) -> None:
    p = parties
    expert = await create_listing(api, p.provider, "expert")
    await publish_listing(api, p.provider, p.admin, "expert", expert["id"])
    made = await api.json(
        "POST", BASE, token=p.buyer, json={"listing_id": expert["id"], "title": "失效分析咨询"}, expect=201
    )
    assert (made["listing_type"], made["provider_org_id"], made["field"]) == (
        "expert",
        p.provider_org,
        "materials",
    )
    # the expert's personal contact never appears in the order
    assert "13800000000" not in json.dumps(made)
    assert "expert@contact" not in json.dumps(made)


async def test_another_organisation_moves_no_step_of_an_order(parties: Parties, db: Any) -> None:
    api, p = parties.api, parties
    order = await p.delivered()
    oid = order["id"]
    steps = [
        ("quote", {"json": QUOTE}),
        ("accept", {"json": {"quote_version": 1}}),
        ("decline", {}),
        ("withdraw", {}),
        ("deliver", {"data": {"note": "伪造交付"}}),
        ("accept-delivery", {}),
        ("dispute", {"json": {"reason": "x"}}),
        ("contract", {}),
        ("milestones/1/pay", {"json": {"methods": ["card"]}}),
    ]
    for step, request in steps:
        async with nothing_saved(db):
            response = await api.call("POST", f"{BASE}/{oid}/{step}", token=p.stranger, **request)
            assert_problem(response, 404)
    async with nothing_saved(db):
        response = await api.call(
            "POST", f"{BASE}/{oid}/resolve", token=p.stranger, json={"outcome": "cancel", "note": "x"}
        )
        assert_problem(response, 403)
    assert (await api.json("GET", f"{BASE}/{oid}", token=p.buyer))["status"] == "delivered"
