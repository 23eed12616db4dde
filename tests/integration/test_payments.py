"""Milestone payments: provider events move a milestone and the ledger exactly as Stripe intends."""

import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.factories import create_contract, create_org, create_user
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Processes
from tests.integration.invariants import stripe_signature

pytestmark = pytest.mark.integration


@dataclass
class Deal:
    api: Api
    admin: str
    seller: str
    buyer: str
    seller_org: int
    buyer_org: int

    async def contract(self, **overrides: Any) -> dict[str, Any]:
        return await create_contract(
            self.api, self.seller, buyer_org_id=self.buyer_org, seller_org_id=self.seller_org, **overrides
        )

    async def pay(self, contract: dict[str, Any], seq: int = 0) -> dict[str, Any]:
        milestone = contract["milestones"][seq]
        return dict(
            await self.api.json(
                "POST",
                f"/api/v1/contracts/{contract['id']}/milestones/{milestone['id']}/pay",
                token=self.buyer,
                json={"methods": ["card"]},
            )
        )

    async def milestones(self, contract: dict[str, Any]) -> list[str]:
        got = await self.api.json("GET", f"/api/v1/contracts/{contract['id']}", token=self.buyer)
        return [m["status"] for m in got["milestones"]]

    async def deliver(self, event_type: str, payment: dict[str, Any], **object_fields: Any) -> dict[str, Any]:
        """Deliver a correctly signed event about the payment's PaymentIntent, with a fresh event id."""
        obj = {
            "id": payment["provider_ref"],
            "object": "payment_intent",
            "amount": payment["amount_fen"],
            "currency": payment["currency"],
            "metadata": {"payment_id": str(payment["payment_id"])},
            **object_fields,
        }
        raw = json.dumps(
            {
                "id": f"evt_{os.urandom(8).hex()}",
                "object": "event",
                "type": event_type,
                "data": {"object": obj},
            }
        ).encode()
        return dict(
            await self.api.json(
                "POST",
                "/api/v1/payments/stripe/webhook",
                content=raw,
                headers={"Stripe-Signature": stripe_signature(raw), "Content-Type": "application/json"},
            )
        )


@pytest.fixture(scope="module")
async def deal(stack: Processes) -> AsyncIterator[Deal]:
    async with httpx.AsyncClient(base_url=stack.base, timeout=120) as client:
        api = Api(client)
        admin = await api.token(ADMIN_EMAIL, ADMIN_PASSWORD)
        uni = await create_org(api, admin, kind="university", region="500106")
        ent = await create_org(api, admin, kind="enterprise", region="500107")
        _, seller = await create_user(api, admin, org_id=uni["id"], role="provider")
        _, buyer = await create_user(api, admin, org_id=ent["id"], role="enterprise")
        yield Deal(api, admin, seller, buyer, uni["id"], ent["id"])


async def _ledger(db: Any, payment_id: int) -> list[int]:
    rows = await db.fetch("SELECT amount_fen FROM deals_ledger_entry WHERE payment_id = $1", payment_id)
    return sorted(r["amount_fen"] for r in rows)


async def test_a_failed_payment_puts_the_milestone_back_to_unpaid(deal, db):
    # given a milestone whose payment is under way
    contract = await deal.contract()
    payment = await deal.pay(contract)
    assert await deal.milestones(contract) == ["processing", "unpaid"]

    # when Stripe reports the payment failed
    hook = await deal.deliver("payment_intent.payment_failed", payment)

    # then the milestone can be paid again and no money was booked
    assert hook["outcome"] == "failed"
    assert await deal.milestones(contract) == ["unpaid", "unpaid"]
    assert await _ledger(db, payment["payment_id"]) == []
    assert (
        await db.fetchval("SELECT status FROM deals_payment WHERE id = $1", payment["payment_id"]) == "failed"
    )


async def test_a_late_failure_with_a_fresh_event_id_never_undoes_a_success(deal, db):
    # given a milestone paid through a verified success event
    contract = await deal.contract()
    payment = await deal.pay(contract)
    assert (await deal.deliver("payment_intent.succeeded", payment))["outcome"] == "succeeded"

    # when a failure for the same PaymentIntent arrives later, as a different event (not a retry)
    late = await deal.deliver("payment_intent.payment_failed", payment)
    canceled = await deal.deliver("payment_intent.canceled", payment)

    # then both are recorded but change nothing: the milestone stays paid and the money is booked once
    assert late["duplicate"] is False
    assert late["outcome"] == "ignored_after_success"
    assert canceled["outcome"] == "ignored_after_success"
    assert await deal.milestones(contract) == ["paid", "unpaid"]
    assert await _ledger(db, payment["payment_id"]) == [-30_000_000, 30_000_000]
    assert (
        await db.fetchval("SELECT status FROM deals_payment WHERE id = $1", payment["payment_id"])
        == "succeeded"
    )
