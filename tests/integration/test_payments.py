"""Milestone payments: provider events move a milestone and the ledger exactly as Stripe intends."""

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import create_contract, create_org, create_user
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Processes
from tests.integration.invariants import assert_problem, nothing_saved, stripe_signature

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
    assert await _ledger(db, payment["payment_id"]) == [-29_700_000, -300_000, 30_000_000]
    assert (
        await db.fetchval("SELECT status FROM deals_payment WHERE id = $1", payment["payment_id"])
        == "succeeded"
    )


def _signed(raw: bytes) -> dict[str, str]:
    return {"Stripe-Signature": stripe_signature(raw), "Content-Type": "application/json"}


async def test_an_event_with_the_wrong_amount_or_currency_credits_nothing(deal, db):
    # given a 30万元 milestone under payment
    contract = await deal.contract()
    payment = await deal.pay(contract)

    # when signed success events arrive for its PaymentIntent with 1 fen, or in dollars
    for fields in ({"amount": 1}, {"currency": "usd"}, {"amount": 1, "currency": "usd"}):
        hook = await deal.deliver("payment_intent.succeeded", payment, **fields)
        assert hook["outcome"] == "rejected"

    # then the milestone is not paid, no money is booked, and the events are kept as rejected
    assert await deal.milestones(contract) == ["processing", "unpaid"]
    assert await _ledger(db, payment["payment_id"]) == []
    rejected = await db.fetchval(
        "SELECT count(*) FROM deals_stripe_event WHERE outcome = 'rejected' AND payload->'data'->'object'->>'id' = $1",
        payment["provider_ref"],
    )
    assert rejected == 3


async def test_an_unknown_payment_intent_is_not_trusted_through_its_metadata(deal, db):
    contract = await deal.contract()
    payment = await deal.pay(contract)
    forged = {**payment, "provider_ref": "pi_forged_by_attacker"}
    hook = await deal.deliver("payment_intent.succeeded", forged)
    assert hook["outcome"] == "rejected"
    assert await deal.milestones(contract) == ["processing", "unpaid"]
    assert (
        await db.fetchval("SELECT count(*) FROM deals_ledger_entry WHERE contract_id = $1", contract["id"])
        == 0
    )


async def test_a_late_success_of_an_abandoned_attempt_never_credits_the_milestone_twice(deal, db):
    # given a first attempt that failed and a second attempt that succeeded
    contract = await deal.contract()
    first = await deal.pay(contract)
    await deal.deliver("payment_intent.payment_failed", first)
    second = await deal.pay(contract)
    assert second["provider_ref"] != first["provider_ref"]
    assert (await deal.deliver("payment_intent.succeeded", second))["outcome"] == "succeeded"

    # when the first attempt succeeds after all (the buyer retried it)
    late = await deal.deliver("payment_intent.succeeded", first)

    # then the milestone was credited once; the second sum is booked as owed back to the buyer
    assert late["outcome"] == "succeeded_duplicate"
    assert await deal.milestones(contract) == ["paid", "unpaid"]
    rows = await db.fetch(
        "SELECT account, amount_fen FROM deals_ledger_entry WHERE contract_id = $1 AND account LIKE 'seller_payable:%'",
        contract["id"],
    )
    assert len(rows) == 1
    owed = await db.fetchval(
        "SELECT sum(amount_fen) FROM deals_ledger_entry WHERE account = $1",
        f"buyer_refund_due:contract-{contract['id']}",
    )
    assert owed == -30_000_000


async def test_a_payment_splits_into_seller_share_platform_fee_and_broker_commission(deal, db):
    # given a contract with a broker's commission of 8,000.00 元 on a 80万元 total (1% platform fee)
    broker_id, _ = await create_user(deal.api, deal.admin, org_id=deal.seller_org, role="broker")
    contract = await deal.contract(broker_id=broker_id, broker_commission_fen=800_000)
    payment = await deal.pay(contract)

    # when the 30万元 first milestone is paid
    await deal.deliver("payment_intent.succeeded", payment)

    # then the ledger books the cash once and splits it, and the group balances
    rows = await db.fetch(
        "SELECT account, amount_fen FROM deals_ledger_entry WHERE payment_id = $1 ORDER BY id",
        payment["payment_id"],
    )
    assert {r["account"]: r["amount_fen"] for r in rows} == {
        "provider_clearing": 30_000_000,
        f"seller_payable:contract-{contract['id']}": -(30_000_000 - 300_000 - 300_000),
        "platform_fee": -300_000,
        f"broker_payable:user-{broker_id}": -300_000,
    }


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("non-object data", b'{"id": "evt_mal_1", "type": "payment_intent.succeeded", "data": "x"}'),
        (
            "string metadata",
            b'{"id": "evt_mal_2", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1", "metadata": "1"}}}',
        ),
        ("top-level array", b'[{"id": "evt_mal_3", "type": "payment_intent.succeeded"}]'),
        ("non-JSON body", b"payment_intent.succeeded pi_1"),
        (
            "string amount",
            b'{"id": "evt_mal_5", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1", "amount": "30000000"}}}',
        ),
        ("numeric id", b'{"id": 17, "type": "payment_intent.succeeded", "data": {"object": {}}}'),
    ],
)
async def test_a_malformed_signed_event_is_a_400_and_kept_as_rejected(deal, db, name, raw):
    # when a correctly signed but malformed event arrives
    before = await db.fetchval("SELECT count(*) FROM deals_stripe_event WHERE outcome = 'rejected'")
    ledger_before = await db.fetchval("SELECT count(*) FROM deals_ledger_entry")
    response = await deal.api.call(
        "POST", "/api/v1/payments/stripe/webhook", content=raw, headers=_signed(raw)
    )

    # then it is refused with 400 (never a 500), stored as rejected, and nothing else moves
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "malformed_event"
    assert (
        await db.fetchval("SELECT count(*) FROM deals_stripe_event WHERE outcome = 'rejected'") == before + 1
    )
    assert await db.fetchval("SELECT count(*) FROM deals_ledger_entry") == ledger_before


async def _balances(db: Any, payment_id: int) -> dict[str, int]:
    rows = await db.fetch(
        "SELECT account, sum(amount_fen)::bigint AS total FROM deals_ledger_entry WHERE payment_id = $1 "
        "GROUP BY account",
        payment_id,
    )
    return {r["account"]: r["total"] for r in rows}


def _charge(payment: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "charge",
        "id": f"ch_{payment['payment_id']}",
        "payment_intent": payment["provider_ref"],
    }


async def test_refunds_book_only_what_is_new_and_take_every_share_back_in_proportion(deal, db):
    # given a paid 30万元 milestone of a brokered contract: 1% platform fee, 8,000.00 元 commission on 80万元
    broker_id, _ = await create_user(deal.api, deal.admin, org_id=deal.seller_org, role="broker")
    contract = await deal.contract(broker_id=broker_id, broker_commission_fen=800_000)
    payment = await deal.pay(contract)
    await deal.deliver("payment_intent.succeeded", payment)
    seller, broker = f"seller_payable:contract-{contract['id']}", f"broker_payable:user-{broker_id}"

    # when the seller refunds 10万元 through the provider (stripe-mock) and Stripe reports it, twice
    await deal.api.json(
        "POST",
        f"/api/v1/payments/{payment['payment_id']}/refund",
        token=deal.seller,
        json={"amount_fen": 10_000_000},
    )
    partial = await deal.deliver("charge.refunded", payment, **_charge(payment), amount_refunded=10_000_000)
    replay = await deal.deliver("charge.refunded", payment, **_charge(payment), amount_refunded=10_000_000)

    # then 10万元 left the provider account once, a third of the fee and of the commission came back with the
    # seller's third, and the milestone stays paid
    assert (partial["outcome"], replay["outcome"]) == ("partially_refunded", "already_refunded")
    assert await _balances(db, payment["payment_id"]) == {
        "provider_clearing": 20_000_000,
        seller: -(29_400_000 - 9_800_000),
        "platform_fee": -200_000,
        broker: -200_000,
    }
    assert await deal.milestones(contract) == ["paid", "unpaid"]
    refund = await db.fetchrow(
        "SELECT provider_ref, amount_fen, reverse_payout, status FROM deals_refund WHERE payment_id = $1",
        payment["payment_id"],
    )
    assert refund["provider_ref"].startswith("re_")
    assert (refund["amount_fen"], refund["reverse_payout"], refund["status"]) == (
        10_000_000,
        False,
        "submitted",
    )

    # when the rest is refunded, then every share is back to zero and the milestone can be paid again
    full = await deal.deliver("charge.refunded", payment, **_charge(payment), amount_refunded=30_000_000)
    assert full["outcome"] == "refunded"
    assert set((await _balances(db, payment["payment_id"])).values()) == {0}
    assert await deal.milestones(contract) == ["refunded", "unpaid"]
    trace = await deal.api.json("GET", f"/api/v1/contracts/{contract['id']}/trace", token=deal.buyer)
    assert [(p["id"], p["refunded_fen"]) for p in trace["payments"]] == [(payment["payment_id"], 30_000_000)]
    assert [(r["payment_id"], r["amount_fen"]) for r in trace["refunds"]] == [
        (payment["payment_id"], 10_000_000)
    ]
    assert trace["broker_id"] == broker_id
    unbalanced = await db.fetchval(
        "SELECT count(*) FROM (SELECT entry_group FROM deals_ledger_entry WHERE payment_id = $1 "
        "GROUP BY entry_group HAVING sum(amount_fen) <> 0) g",
        payment["payment_id"],
    )
    assert unbalanced == 0


async def test_a_refund_is_refused_to_the_buyer_and_beyond_what_is_left(deal, db):
    contract = await deal.contract()
    payment = await deal.pay(contract)
    await deal.deliver("payment_intent.succeeded", payment)
    url = f"/api/v1/payments/{payment['payment_id']}/refund"
    async with nothing_saved(db):
        refused = await deal.api.call("POST", url, token=deal.buyer, json={"amount_fen": 1})
    assert_problem(refused, 403)
    # two requests before the provider reports either: the second would exceed the payment
    await deal.api.json("POST", url, token=deal.seller, json={"amount_fen": 20_000_000})
    async with nothing_saved(db):
        too_much = await deal.api.call("POST", url, token=deal.seller, json={"amount_fen": 10_000_001})
    assert_problem(too_much, 422, ("body", "amount_fen"))
    assert (
        await db.fetchval("SELECT count(*) FROM deals_refund WHERE payment_id = $1", payment["payment_id"])
        == 1
    )


async def test_a_refunded_duplicate_payment_is_owed_to_the_buyer_and_never_taken_from_the_seller(deal, db):
    # given a milestone credited by a second attempt, and the first attempt succeeding late (a duplicate)
    contract = await deal.contract()
    first = await deal.pay(contract)
    await deal.deliver("payment_intent.payment_failed", first)
    second = await deal.pay(contract)
    await deal.deliver("payment_intent.succeeded", second)
    assert (await deal.deliver("payment_intent.succeeded", first))["outcome"] == "succeeded_duplicate"
    seller = f"seller_payable:contract-{contract['id']}"
    owed_before = await db.fetchval(
        "SELECT sum(amount_fen) FROM deals_ledger_entry WHERE account = $1", seller
    )

    # when the duplicate is refunded, in part and then in full
    url = f"/api/v1/payments/{first['payment_id']}/refund"
    await deal.api.json("POST", url, token=deal.seller, json={"amount_fen": 30_000_000})
    await deal.deliver("charge.refunded", first, **_charge(first), amount_refunded=12_345_678)
    assert await _balances(db, first["payment_id"]) == {
        "provider_clearing": 30_000_000 - 12_345_678,
        f"buyer_refund_due:contract-{contract['id']}": -(30_000_000 - 12_345_678),
    }
    full = await deal.deliver("charge.refunded", first, **_charge(first), amount_refunded=30_000_000)

    # then the buyer's claim is settled, the seller is owed what it was owed, and the milestone stays paid
    assert full["outcome"] == "refunded"
    assert set((await _balances(db, first["payment_id"])).values()) == {0}
    assert await db.fetchval("SELECT sum(amount_fen) FROM deals_ledger_entry WHERE account = $1", seller) == (
        owed_before
    )
    assert await deal.milestones(contract) == ["paid", "unpaid"]


async def test_the_ledger_is_for_admins_and_each_organisation_sees_its_own_statement(deal):
    broker_id, _ = await create_user(deal.api, deal.admin, org_id=deal.seller_org, role="broker")
    contract = await deal.contract(broker_id=broker_id, broker_commission_fen=800_000)
    payment = await deal.pay(contract)
    await deal.deliver("payment_intent.succeeded", payment)
    everything = await deal.api.json("GET", "/api/v1/ledger", token=deal.admin)
    assert everything["total"] >= 2
    assert sum(b["balance"] for b in everything["balances"] if b["currency"] == "cny") == 0
    refused = await deal.api.call("GET", "/api/v1/ledger", token=deal.seller)
    assert refused.status_code == 403

    # the seller sees its share and what was taken from it
    statement = await deal.api.json(
        "GET", f"/api/v1/orgs/{deal.seller_org}/statement", token=deal.seller, params={"size": 100}
    )
    assert {row["contract_id"] for row in statement["items"]} <= set(await _contract_ids(deal, deal.seller))
    mine = {
        row["account"]: row["amount_fen"]
        for row in statement["items"]
        if row["payment_id"] == payment["payment_id"]
    }
    assert mine == {
        "provider_clearing": 30_000_000,
        f"seller_payable:contract-{contract['id']}": -29_400_000,
        "platform_fee": -300_000,
        f"broker_payable:user-{broker_id}": -300_000,
    }
    other = await deal.api.call("GET", f"/api/v1/orgs/{deal.seller_org}/statement", token=deal.buyer)
    assert other.status_code == 403

    # the buyer sees what it paid, never the seller's share or the broker's commission
    bought = await deal.api.json(
        "GET", f"/api/v1/orgs/{deal.buyer_org}/statement", token=deal.buyer, params={"size": 100}
    )
    paid = [
        (row["account"], row["amount_fen"])
        for row in bought["items"]
        if row["payment_id"] == payment["payment_id"]
    ]
    assert paid == [("provider_clearing", 30_000_000)]
    accounts = {row["account"].split(":")[0] for row in bought["items"]} | {
        b["account"].split(":")[0] for b in bought["balances"]
    }
    assert accounts <= {"provider_clearing", "buyer_refund_due"}


async def _contract_ids(deal: Deal, token: str) -> list[int]:
    listed = await deal.api.json("GET", "/api/v1/contracts", token=token, params={"size": 100})
    return [c["id"] for c in listed["items"]]


async def test_reconcile_passes_on_the_suites_payments_and_fails_on_a_tampered_ledger_row(deal, db):
    # given the payments made so far (and one more)
    contract = await deal.contract()
    payment = await deal.pay(contract)
    await deal.deliver("payment_intent.succeeded", payment)

    # then the ledger agrees with the provider
    clean = _run_cli("reconcile")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "reconcile: 0 difference(s)" in clean.stdout
    # every PaymentIntent and refund this system created was read back from the provider by its id
    intents = await db.fetchval("SELECT count(*) FROM deals_payment WHERE provider_ref IS NOT NULL")
    refunds = await db.fetchval("SELECT count(*) FROM deals_refund WHERE provider_ref IS NOT NULL")
    assert f"provider: {intents} payment(s) and {refunds} refund(s) read back by id" in clean.stdout

    # when one ledger row is tampered with, then reconcile names it and exits non-zero
    row_id = await db.fetchval(
        "SELECT id FROM deals_ledger_entry WHERE payment_id = $1 AND account = 'provider_clearing'",
        payment["payment_id"],
    )
    await db.execute("UPDATE deals_ledger_entry SET amount_fen = amount_fen + 100 WHERE id = $1", row_id)
    try:
        tampered = _run_cli("reconcile")
        assert tampered.returncode == 1
        assert f"payment-{payment['payment_id']}" in tampered.stdout
        assert "event_received_mismatch" in tampered.stdout
    finally:
        await db.execute("UPDATE deals_ledger_entry SET amount_fen = amount_fen - 100 WHERE id = $1", row_id)


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "techmarket"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ.copy(),
    )


async def test_a_seller_with_a_payout_account_is_paid_by_a_destination_charge(deal, db):
    # given a seller organisation whose connected account an admin recorded (audited)
    seller_org = await create_org(deal.api, deal.admin, kind="institute", region="500106")
    _, seller = await create_user(deal.api, deal.admin, org_id=seller_org["id"], role="provider")
    await deal.api.json(
        "POST",
        f"/api/v1/orgs/{seller_org['id']}/payout-account",
        token=deal.admin,
        json={"account_ref": "acct_1SellerTest01"},
    )
    refused = await deal.api.call(
        "POST",
        f"/api/v1/orgs/{seller_org['id']}/payout-account",
        token=seller,
        json={"account_ref": "acct_1Mine0000"},
    )
    assert refused.status_code == 403
    contract = await create_contract(
        deal.api, seller, buyer_org_id=deal.buyer_org, seller_org_id=seller_org["id"]
    )
    payment = await deal.pay(contract)

    # when the milestone is paid (a destination charge on stripe-mock) and Stripe confirms it
    row = await db.fetchrow(
        "SELECT payout_destination, application_fee_fen FROM deals_payment WHERE id = $1",
        payment["payment_id"],
    )
    assert (row["payout_destination"], row["application_fee_fen"]) == ("acct_1SellerTest01", 300_000)
    await deal.deliver("payment_intent.succeeded", payment)

    # then the seller's share left the platform's balance at once; only the platform fee stays
    cash = await db.fetchval(
        "SELECT sum(amount_fen) FROM deals_ledger_entry WHERE payment_id = $1 AND account = 'provider_clearing'",
        payment["payment_id"],
    )
    owed = await db.fetchval(
        "SELECT sum(amount_fen) FROM deals_ledger_entry WHERE account = $1",
        f"seller_payable:contract-{contract['id']}",
    )
    assert (cash, owed) == (300_000, 0)
    audit = await db.fetchval(
        "SELECT count(*) FROM core_audit_log WHERE action = 'org.payout_account' AND object_id = $1",
        str(seller_org["id"]),
    )
    assert audit == 1

    # when the seller refunds 10万元 of it: the provider is asked to reverse the transfer and the fee with it
    await deal.api.json(
        "POST",
        f"/api/v1/payments/{payment['payment_id']}/refund",
        token=seller,
        json={"amount_fen": 10_000_000},
    )
    refund = await db.fetchrow(
        "SELECT provider_ref, reverse_payout FROM deals_refund WHERE payment_id = $1", payment["payment_id"]
    )
    assert refund["reverse_payout"] is True
    assert refund["provider_ref"].startswith("re_")
    await deal.deliver("charge.refunded", payment, **_charge(payment), amount_refunded=10_000_000)

    # then a third of the seller's share came back from its account and a third of the fee left the platform's
    seller_account = f"seller_payable:contract-{contract['id']}"
    assert await _balances(db, payment["payment_id"]) == {
        "provider_clearing": 200_000,
        seller_account: 0,
        "platform_fee": -200_000,
    }
    reversed_fen = await db.fetchval(
        "SELECT sum(amount_fen) FROM deals_ledger_entry WHERE payment_id = $1 AND entry_group LIKE 'reversal-%' "
        "AND account = 'provider_clearing'",
        payment["payment_id"],
    )
    assert reversed_fen == 9_900_000
