"""A milestone is credited at most once whatever the order of provider events: a property test over random
event sequences, run through the payments service against the real database."""

import os
import random
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from tortoise.transactions import in_transaction

from services.core.db import close_database, open_database
from services.deals import repository
from services.deals.ledger import reconcile
from services.deals.payments.port import ProviderEvent
from services.deals.payments.service import apply_event
from services.deals.payments.stripe_gateway import gateway_from_settings
from tests.factories import create_org
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Processes

pytestmark = pytest.mark.integration

SEQUENCES = int(os.environ.get("TM_EVENT_SEQUENCES", "1000"))
AMOUNT = 30_000_000
KINDS = (
    "succeeded",
    "succeeded",
    "failed",
    "canceled",
    "processing",
    "wrong_amount",
    "wrong_currency",
    "unknown_intent",
    "refund_partial",
    "refund_full",
    "replay",
)


@pytest.fixture(scope="module")
async def parties(stack: Processes) -> AsyncIterator[tuple[int, int]]:
    async with httpx.AsyncClient(base_url=stack.base, timeout=60) as client:
        api = Api(client)
        admin = await api.token(ADMIN_EMAIL, ADMIN_PASSWORD)
        seller = await create_org(api, admin, kind="university", region="500106")
        buyer = await create_org(api, admin, kind="enterprise", region="500107")
    await open_database()
    yield seller["id"], buyer["id"]
    await close_database()


FEE = AMOUNT // 100  # platform_fee_bp 100
COMMISSION = 7_777_777  # odd, so pro-rata refunds round


async def _milestone_with_two_attempts(
    run: str, seller: int, buyer: int, *, destination: bool
) -> tuple[int, int, list[int]]:
    """A brokered contract whose only milestone has two payment attempts (two PaymentIntents), both open;
    with `destination`, both are Connect destination charges to the seller's account."""
    async with in_transaction() as conn:
        contract = await repository.insert_contract(
            {
                "contract_type": "service",
                "legacy_type": "service",
                "rule_set": "2026",
                "title": f"属性测试合同 {run}",
                "buyer_org_id": buyer,
                "seller_org_id": seller,
                "field": "ai",
                "total_fen": AMOUNT,
                "tech_fen": AMOUNT,
                "signed_at": date(2026, 11, 1),
                "seller_region": "500106",
                "buyer_region": "500107",
                "platform_fee_bp": 100,
                "broker_id": 424242,
                "broker_commission_fen": COMMISSION,
            },
            [{"name": "全款", "due": None, "amount_fen": AMOUNT}],
            [],
            conn,
        )
        milestone = (await repository.milestones_of(contract.id, conn))[0]
        payments = [
            await repository.insert_payment(
                {
                    "contract_id": contract.id,
                    "milestone_id": milestone,
                    "provider": "stripe",
                    "provider_ref": f"pi_prop_{run}_{k}",
                    "idempotency_key": f"tm-prop-{run}-{k}",
                    "amount_fen": AMOUNT,
                    "currency": "cny",
                    "status": "requires_payment_method",
                    "payout_destination": f"acct_prop_{run}" if destination else None,
                    "application_fee_fen": FEE + COMMISSION if destination else None,
                },
                conn,
            )
            for k in (1, 2)
        ]
        await repository.move_milestone(milestone, ["unpaid"], conn, status="processing")
    return contract.id, milestone, [p.id for p in payments]


def _event(rng: random.Random, run: str, step: int, history: list[ProviderEvent]) -> ProviderEvent:
    kind = rng.choice(KINDS)
    if kind == "replay" and history:
        old = rng.choice(history)
        # An attacker (or a retry) re-sends a known id, possibly with a different body: applied at most once.
        return ProviderEvent(**{**_fields(old), "type": rng.choice(["payment_intent.succeeded", old.type])})
    intent = f"pi_prop_{run}_{rng.choice((1, 2))}"
    amount, currency, refunded, event_type = AMOUNT, "cny", None, "payment_intent.succeeded"
    match kind:
        case "failed":
            event_type = "payment_intent.payment_failed"
        case "canceled":
            event_type = "payment_intent.canceled"
        case "processing":
            event_type = "payment_intent.processing"
        case "wrong_amount":
            amount = rng.choice((1, AMOUNT - 1, AMOUNT + 1, 0))
        case "wrong_currency":
            currency = rng.choice(("usd", "eur"))
        case "unknown_intent":
            intent = f"pi_prop_{run}_unknown"
        case "refund_partial" | "refund_full":
            event_type = "charge.refunded"
            refunded = AMOUNT if kind == "refund_full" else rng.choice((AMOUNT // 3, AMOUNT // 2))
    obj = {"id": intent, "object": "payment_intent", "amount": amount, "currency": currency}
    if event_type == "charge.refunded":
        obj = {
            "id": f"ch_{run}",
            "object": "charge",
            "payment_intent": intent,
            "amount": amount,
            "currency": currency,
            "amount_refunded": refunded,
        }
    return ProviderEvent(
        id=f"evt_prop_{run}_{step}",
        type=event_type,
        intent_id=intent,
        object_status=None,
        amount=amount,
        currency=currency,
        amount_refunded=refunded,
        payload={"id": f"evt_prop_{run}_{step}", "type": event_type, "data": {"object": obj}},
    )


def _expected_accounts(*, received: bool, credited: bool, refunded: int, destination: bool) -> dict[str, int]:
    """The reference model of one attempt's balances (non-zero only): each share is what is left of it after
    the cumulative refund, taken in proportion (the seller's share, or a duplicate's debt, takes the rounding);
    on a destination charge the seller's account got its share at once and gives back its part of refunds."""
    if not received:
        return {}
    left = AMOUNT - refunded
    if credited:
        fee, commission = FEE - FEE * refunded // AMOUNT, COMMISSION - COMMISSION * refunded // AMOUNT
        seller = left - fee - commission
        accounts = {"platform_fee": -fee, "broker_payable": -commission}
        if destination:
            accounts["provider_clearing"] = fee + commission
        else:
            accounts |= {"provider_clearing": left, "seller_payable": -seller}
    else:
        accounts = {"buyer_refund_due": -left, "provider_clearing": left}
        if destination:
            # the seller's account holds the duplicate's share until the refund reverses it
            out = AMOUNT - FEE - COMMISSION
            held = out - out * refunded // AMOUNT
            accounts |= {"seller_payable": held, "provider_clearing": left - held}
    return {k: v for k, v in accounts.items() if v}


def _fields(event: ProviderEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in ProviderEvent.__slots__}


def _expected_credit(applied: list[ProviderEvent], run: str) -> str | None:
    """The reference model: which attempt credits the milestone (the first valid success of an intent
    that was not canceled before it), or None."""
    canceled: set[str] = set()
    for event in applied:
        valid = (
            event.amount == AMOUNT
            and event.currency == "cny"
            and event.intent_id in (f"pi_prop_{run}_1", f"pi_prop_{run}_2")
        )
        if not valid:
            continue
        if event.type == "payment_intent.canceled":
            canceled.add(event.intent_id or "")
        if event.type == "payment_intent.succeeded" and event.intent_id not in canceled:
            return event.intent_id
    return None


async def test_a_milestone_is_credited_at_most_once_whatever_the_order_of_events(parties, db):
    seller, buyer = parties
    rng = random.Random(int(os.environ.get("TM_EVENT_SEED", "20261204")))
    for sequence in range(SEQUENCES):
        run = f"{rng.getrandbits(40):x}{sequence}"
        destination = sequence % 2 == 1
        contract_id, milestone_id, payment_ids = await _milestone_with_two_attempts(
            run, seller, buyer, destination=destination
        )
        history: list[ProviderEvent] = []
        applied: list[ProviderEvent] = []
        for step in range(rng.randint(1, 8)):
            event = _event(rng, run, step, history)
            result = await apply_event(event=event)
            history.append(event)
            if not result["duplicate"]:
                applied.append(event)

        credited_by = _expected_credit(applied, run)
        where = f"sequence {sequence}: {[(e.id[-2:], e.type, e.intent_id[-1:] if e.intent_id else '', e.amount, e.currency) for e in applied]}"
        status = await db.fetchval("SELECT status FROM deals_milestone WHERE id = $1", milestone_id)
        credits = await db.fetch(
            "SELECT payment_id, amount_fen FROM deals_ledger_entry WHERE contract_id = $1 AND entry_group LIKE 'payment-%' "
            "AND account LIKE 'seller_payable:%'",
            contract_id,
        )
        # then the milestone is credited exactly when the model says, and at most once
        assert len(credits) == (1 if credited_by else 0), where
        assert (status in ("paid", "refunded")) == (credited_by is not None), where
        if credited_by:
            credited_ref = await db.fetchval(
                "SELECT provider_ref FROM deals_payment WHERE id = $1", credits[0]["payment_id"]
            )
            assert credited_ref == credited_by, where
            assert credits[0]["amount_fen"] == -(AMOUNT - FEE - COMMISSION), where
        # and the ledger balances, and each attempt's accounts hold what the model says after its refunds
        unbalanced = await db.fetchval(
            "SELECT count(*) FROM (SELECT entry_group FROM deals_ledger_entry WHERE contract_id = $1 "
            "GROUP BY entry_group HAVING sum(amount_fen) <> 0) g",
            contract_id,
        )
        assert unbalanced == 0, where
        for payment_id in payment_ids:
            row = await db.fetchrow(
                "SELECT status, refunded_fen, provider_ref FROM deals_payment WHERE id = $1", payment_id
            )
            booked = {
                r["account"].split(":")[0]: r["total"]
                for r in await db.fetch(
                    "SELECT account, sum(amount_fen)::bigint AS total FROM deals_ledger_entry "
                    "WHERE payment_id = $1 GROUP BY account",
                    payment_id,
                )
            }
            expected = _expected_accounts(
                received=row["status"] == "succeeded",
                credited=row["provider_ref"] == credited_by,
                refunded=row["refunded_fen"],
                destination=destination,
            )
            assert {k: v for k, v in booked.items() if v} == expected, f"{where} payment {payment_id}"
        if credited_by:
            credited_refunded = await db.fetchval(
                "SELECT refunded_fen FROM deals_payment WHERE provider_ref = $1", credited_by
            )
            assert status == ("refunded" if credited_refunded == AMOUNT else "paid"), where

    # and the whole ledger reconciles with what the provider reported
    assert (await reconcile(provider=gateway_from_settings()))["differences"] == []
    rejected = await db.fetchval(
        "SELECT count(*) FROM deals_stripe_event WHERE id LIKE 'evt_prop_%' AND outcome = 'rejected'"
    )
    assert rejected > 0
