"""Royalties (提成): the licensee files sales per period, and the royalty is paid through the milestone path."""

import json
import os
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from tests.factories import contract_body, create_org, create_user
from tests.integration import test_payments
from tests.integration.invariants import assert_problem, stripe_signature
from tests.integration.test_payments import Deal

pytestmark = pytest.mark.integration

# The payment tests' buyer (licensee) and seller (licensor), set up once for this module.
deal = test_payments.deal

TERM = {"rate_bp": 500, "period": "quarter", "minimum_fen": 50_000}


async def _royalty_contract(deal: Deal) -> dict[str, Any]:
    contract = await deal.contract(signed_at="2025-06-01", royalty=TERM)
    assert contract["royalty"] == TERM
    return contract


def _path(contract: dict[str, Any]) -> str:
    return f"/api/v1/contracts/{contract['id']}/royalty-statements"


async def _file(deal: Deal, contract: dict[str, Any], token: str, **body: Any) -> Any:
    statement = {"period_start": "2025-07-01", "period_end": "2025-09-30", "sales_fen": 1_234_570, **body}
    return await deal.api.call("POST", _path(contract), token=token, json=statement)


async def test_a_royalty_is_filed_read_and_paid_once_through_a_replayed_webhook(deal, db):
    # given a licence with 5% royalties per quarter (minimum 500元) and the licensee's Q3 2025 sales
    contract = await _royalty_contract(deal)
    filed = await _file(deal, contract, deal.buyer)
    assert filed.status_code == 201, filed.text
    statement = filed.json()

    # then the due amount is 5% of the sales rounded half up in fen, in the contract's currency
    expected = int((Decimal(1_234_570) * 500 / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert statement["due_fen"] == expected == 61_729
    assert statement["currency"] == contract["currency"]
    # and the licensor and an admin read it
    for token in (deal.seller, deal.admin):
        listed = await deal.api.json("GET", _path(contract), token=token)
        assert [s["id"] for s in listed] == [statement["id"]]

    # when the licensee pays it through the milestone payment path
    paid = await deal.api.json(
        "POST", f"{_path(contract)}/{statement['id']}/pay", token=deal.buyer, json={"methods": ["card"]}
    )
    assert paid["amount_fen"] == expected
    raw = json.dumps(
        {
            "id": f"evt_{os.urandom(8).hex()}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": paid["provider_ref"],
                    "object": "payment_intent",
                    "amount": paid["amount_fen"],
                    "currency": paid["currency"],
                }
            },
        }
    ).encode()
    outcomes = []
    for _ in range(3):  # the same signed event delivered three times
        hook = await deal.api.json(
            "POST",
            "/api/v1/payments/stripe/webhook",
            content=raw,
            headers={"Stripe-Signature": stripe_signature(raw), "Content-Type": "application/json"},
        )
        outcomes.append(hook.get("outcome"))
    # and once more with a fresh event id
    again = await deal.deliver("payment_intent.succeeded", paid)

    # then the statement's milestone is paid and the ledger received the money exactly once, balanced
    assert outcomes == ["succeeded", None, None]
    assert again["outcome"] == "already_succeeded"
    got = await deal.api.json("GET", f"/api/v1/contracts/{contract['id']}", token=deal.buyer)
    royalty_milestone = next(m for m in got["milestones"] if m["id"] == statement["milestone_id"])
    assert royalty_milestone["status"] == "paid"
    assert royalty_milestone["amount_fen"] == expected
    rows = await db.fetch(
        "SELECT account, amount_fen FROM deals_ledger_entry WHERE payment_id = $1", paid["payment_id"]
    )
    received = [r["amount_fen"] for r in rows if r["account"] == "provider_clearing" and r["amount_fen"] > 0]
    assert received == [expected]
    assert sum(r["amount_fen"] for r in rows) == 0


async def test_a_second_statement_for_the_same_period_is_a_409_and_the_minimum_applies(deal, db):
    contract = await _royalty_contract(deal)
    first = await _file(deal, contract, deal.buyer, sales_fen=10_000)
    assert first.status_code == 201, first.text
    assert first.json()["due_fen"] == TERM["minimum_fen"]  # 5% of 100元 is below the 500元 minimum

    second = await _file(deal, contract, deal.buyer, sales_fen=99_999_999)

    assert assert_problem(second, 409)["code"] == "royalty_period_filed"
    count = await db.fetchval(
        "SELECT count(*) FROM deals_royalty_statement WHERE contract_id = $1", contract["id"]
    )
    assert count == 1


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"sales_fen": -1}, "sales_fen"),
        ({"sales_fen": "很多"}, "sales_fen"),
        ({"period_start": "2025-07-02"}, "period_start"),
        ({"period_end": "2025-12-31"}, "period_end"),
        ({"period_start": "2025-01-01", "period_end": "2025-03-31"}, "period_end"),  # before signing
        ({"period_start": "2099-01-01", "period_end": "2099-03-31"}, "period_end"),  # not over yet
    ],
)
async def test_bad_statements_are_a_422_naming_the_field_and_save_nothing(deal, db, body, loc):
    contract = await _royalty_contract(deal)

    response = await _file(deal, contract, deal.buyer, **body)

    assert_problem(response, 422, ("body", loc))
    count = await db.fetchval(
        "SELECT count(*) FROM deals_royalty_statement WHERE contract_id = $1", contract["id"]
    )
    milestones = await db.fetchval(
        "SELECT count(*) FROM deals_milestone WHERE contract_id = $1", contract["id"]
    )
    assert (count, milestones) == (0, 2)


async def test_only_the_licensee_files_and_only_the_parties_and_admins_read(deal, db):
    contract = await _royalty_contract(deal)
    outsider_org = await create_org(deal.api, deal.admin, kind="enterprise", region="500108")
    _, outsider = await create_user(deal.api, deal.admin, org_id=outsider_org["id"], role="enterprise")

    # the licensor and an admin may not file for the licensee; another organisation does not see the contract
    assert assert_problem(await _file(deal, contract, deal.seller), 403)["code"] == "licensee_only"
    assert assert_problem(await _file(deal, contract, deal.admin), 403)["code"] == "licensee_only"
    assert_problem(await _file(deal, contract, outsider), 404)
    assert_problem(await deal.api.call("GET", _path(contract), token=outsider), 404)
    assert_problem(await deal.api.call("GET", _path(contract)), 401)
    count = await db.fetchval(
        "SELECT count(*) FROM deals_royalty_statement WHERE contract_id = $1", contract["id"]
    )
    assert count == 0

    # and another organisation cannot pay (or see) a filed statement
    statement = (await _file(deal, contract, deal.buyer)).json()
    pay = await deal.api.call(
        "POST", f"{_path(contract)}/{statement['id']}/pay", token=outsider, json={"methods": ["card"]}
    )
    assert_problem(pay, 404)
    # nor does the licensor pay its own royalty
    by_licensor = await deal.api.call(
        "POST", f"{_path(contract)}/{statement['id']}/pay", token=deal.seller, json={"methods": ["card"]}
    )
    assert assert_problem(by_licensor, 403)["code"] == "buyer_only"
    assert await db.fetchval("SELECT count(*) FROM deals_payment WHERE contract_id = $1", contract["id"]) == 0


async def test_royalties_need_a_term_on_a_licence_or_transfer(deal):
    plain = await deal.contract(signed_at="2025-06-01")
    assert plain["royalty"] is None
    assert assert_problem(await _file(deal, plain, deal.buyer), 409)["code"] == "no_royalty_term"

    consulting = await deal.api.call(
        "POST",
        "/api/v1/contracts",
        token=deal.seller,
        json={**_contract_body(deal), "contract_type": "consulting", "royalty": TERM},
    )
    assert_problem(consulting, 422, ("body", "royalty"))
    bad_rate = await deal.api.call(
        "POST",
        "/api/v1/contracts",
        token=deal.seller,
        json={**_contract_body(deal), "royalty": {**TERM, "rate_bp": 0}},
    )
    assert_problem(bad_rate, 422, ("body", "royalty", "rate_bp"))


def _contract_body(deal: Deal) -> dict[str, Any]:
    return contract_body(buyer_org_id=deal.buyer_org, seller_org_id=deal.seller_org, signed_at="2025-06-01")
