"""The money ledger: admins see all of it, an organisation its own statement; reconcile checks it against the provider."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from services.accounts import service as accounts_service
from services.accounts.policies import Actor, require_admin, require_member
from services.core.audit import record_audit
from services.core.bodies import parse_body
from services.core.db import Connection, transaction
from services.deals import repository
from services.deals.payments.port import (
    PaymentProvider,
    ProviderPayment,
    ProviderRefund,
    TerminalPaymentError,
    TransientPaymentError,
)
from services.deals.schemas import PayoutAccountSet

_T = TypeVar("_T")
# Reads of the provider in flight at once (Stripe's rate limit is 100/s in live mode).
PROVIDER_READS = 8

# Event outcomes that moved money (payments/service.py): what the provider told us happened.
RECEIVED = ("succeeded", "succeeded_duplicate")
REFUNDED = ("refunded", "partially_refunded")


async def list_ledger(*, actor: Actor, page: int, size: int) -> dict[str, Any]:
    """Every ledger row with the balance of each account (admins)."""
    require_admin(actor)
    total, rows = await repository.page_ledger(org_id=None, offset=(page - 1) * size, limit=size)
    balances = await repository.account_balances(None)
    return {"total": total, "page": page, "size": size, "items": rows, "balances": balances}


async def org_statement(*, actor: Actor, org_id: int, page: int, size: int) -> dict[str, Any]:
    """An organisation's own statement: its side of the ledger rows of the contracts it sold or bought."""
    require_member(actor, org_id)
    total, rows = await repository.page_ledger(org_id=org_id, offset=(page - 1) * size, limit=size)
    balances = await repository.account_balances(org_id)
    return {"org_id": org_id, "total": total, "page": page, "size": size, "items": rows, "balances": balances}


def fee_receivable(org_id: int) -> str:
    """The account of what an organisation owes for cancellation fees."""
    return f"fee_receivable:org-{org_id}"


def fee_payable(org_id: int) -> str:
    """The account of the cancellation fees an organisation (an instrument's owner) is owed."""
    return f"seller_payable:org-{org_id}"


async def record_cancellation_fee(
    *,
    booking_id: int,
    booker_org_id: int,
    owner_org_id: int,
    fee_fen: int,
    currency: str,
    connection: Connection,
) -> None:
    """A booking cancelled after the owner's cut-off: the booker owes the owner the fee (one balanced group,
    shown on both statements); written in the cancellation's own transaction."""
    common = {"currency": currency, "entry_group": f"booking-fee-{booking_id}"}
    await repository.add_ledger(
        [
            {
                **common,
                "account": fee_receivable(booker_org_id),
                "amount_fen": fee_fen,
                "memo": f"cancellation fee of booking {booking_id}, owed by the booker",
            },
            {
                **common,
                "account": fee_payable(owner_org_id),
                "amount_fen": -fee_fen,
                "memo": f"cancellation fee of booking {booking_id}, owed to the owner",
            },
        ],
        connection,
    )


async def record_fee_paid_by_voucher(
    *,
    booking_id: int,
    booker_org_id: int,
    programme_id: int,
    amount_fen: int,
    currency: str,
    connection: Connection,
) -> None:
    """The provider redeemed the voucher part kept for a cancellation fee: the programme owes it, not the booker."""
    common = {"currency": currency, "entry_group": f"booking-fee-voucher-{booking_id}"}
    await repository.add_ledger(
        [
            {
                **common,
                "account": fee_receivable(booker_org_id),
                "amount_fen": -amount_fen,
                "memo": f"cancellation fee of booking {booking_id}, paid by 创新券",
            },
            {
                **common,
                "account": f"voucher_receivable:programme-{programme_id}",
                "amount_fen": amount_fen,
                "memo": f"cancellation fee of booking {booking_id}, owed by the programme",
            },
        ],
        connection,
    )


def _intent_of(payload: dict[str, Any]) -> str | None:
    obj = payload.get("data", {}).get("object", {})
    intent = obj.get("payment_intent") if obj.get("object") == "charge" else obj.get("id")
    return intent if isinstance(intent, str) else None


@dataclass(frozen=True, slots=True)
class PaymentBooks:
    """What the ledger says one payment moved through the provider account, by kind of entry group."""

    payment_id: int
    intent_id: str
    amount_fen: int
    currency: str
    received_fen: int
    refunded_fen: int
    paid_out_fen: int
    reversed_fen: int
    cash_fen: int


def compare_with_provider(books: PaymentBooks, provider: ProviderPayment) -> list[dict[str, Any]]:
    """Differences between the ledger's record of one payment and the provider's (pure)."""
    where = {"payment_id": books.payment_id, "provider_ref": books.intent_id}
    if provider.intent_id != books.intent_id:
        return [{"kind": "provider_identity_mismatch", **where, "provider_id": provider.intent_id}]
    if not provider.authoritative:
        return []
    net_out = (
        provider.transferred_fen
        - provider.transfer_reversed_fen
        - (provider.application_fee_fen - provider.application_fee_refunded_fen)
    )
    pairs = {
        "amount": (provider.amount_fen, books.amount_fen),
        "currency": (provider.currency.lower(), books.currency),
        "received": (provider.received_fen, books.received_fen),
        "refunded": (provider.refunded_fen, books.refunded_fen),
        "paid_out": (net_out, books.paid_out_fen - books.reversed_fen),
        "cash": (provider.received_fen - provider.refunded_fen - net_out, books.cash_fen),
    }
    return [
        {"kind": f"provider_{name}_mismatch", **where, "provider": theirs, "ledger": ours}
        for name, (theirs, ours) in pairs.items()
        if theirs != ours
    ]


def compare_refund(requested: dict[str, Any], provider: ProviderRefund) -> list[dict[str, Any]]:
    """Differences between a refund this system asked for and what the provider holds under its id (pure)."""
    where = {"refund_id": requested["id"], "provider_ref": requested["provider_ref"]}
    if provider.refund_id != requested["provider_ref"]:
        return [{"kind": "provider_identity_mismatch", **where, "provider_id": provider.refund_id}]
    if not provider.authoritative:
        return []
    pairs = {
        "amount": (provider.amount_fen, requested["amount_fen"]),
        "currency": (provider.currency.lower(), requested["payment__currency"]),
        "intent": (provider.intent_id, requested["payment__provider_ref"]),
    }
    differences = [
        {"kind": f"refund_{name}_mismatch", **where, "provider": theirs, "ledger": ours}
        for name, (theirs, ours) in pairs.items()
        if theirs != ours
    ]
    if provider.status in ("failed", "canceled"):
        differences.append({"kind": "refund_not_made", **where, "provider_status": provider.status})
    return differences


def compare_with_events(
    books: PaymentBooks, *, received: int, refunded: int, paid_out: int
) -> list[dict[str, Any]]:
    """Differences between the ledger and the provider's signed events about one payment (pure); `paid_out` is what
    the charge sent to the seller's account as this system asked (amount less the application fee)."""
    pairs = {
        "received": (received, books.received_fen),
        "refunded": (refunded, books.refunded_fen),
        "paid_out": (paid_out if received else 0, books.paid_out_fen),
    }
    differences = [
        {
            "kind": f"event_{name}_mismatch",
            "payment_id": books.payment_id,
            "provider_ref": books.intent_id,
            "provider_fen": theirs,
            "ledger_fen": ours,
        }
        for name, (theirs, ours) in pairs.items()
        if theirs != ours
    ]
    expected = books.received_fen - books.refunded_fen - books.paid_out_fen + books.reversed_fen
    if books.cash_fen != expected:
        # A row outside the payment's known entry groups moved the provider account.
        differences.append(
            {
                "kind": "cash_mismatch",
                "payment_id": books.payment_id,
                "provider_ref": books.intent_id,
                "provider_fen": expected,
                "ledger_fen": books.cash_fen,
            }
        )
    return differences


async def _read_back(
    work: Callable[[], Awaitable[_T]], limit: asyncio.Semaphore
) -> _T | TransientPaymentError | TerminalPaymentError:
    async with limit:
        try:
            return await work()
        except (TransientPaymentError, TerminalPaymentError) as exc:
            return exc


async def reconcile(*, provider: PaymentProvider) -> dict[str, Any]:
    """Compare the ledger with the provider: every payment and refund read back by the id this system created,
    and the signed events it sent; every difference is listed (none when they agree)."""
    differences: list[dict[str, Any]] = [
        {"kind": "unbalanced_group", **group} for group in await repository.unbalanced_groups()
    ]
    received: dict[str, int] = {}
    refunded: dict[str, int] = {}
    for event in await repository.accepted_events((*RECEIVED, *REFUNDED)):
        intent = _intent_of(event["payload"])
        if intent is None:
            continue
        obj = event["payload"]["data"]["object"]
        if event["outcome"] in RECEIVED:
            received[intent] = int(obj["amount"])
        else:
            refunded[intent] = max(refunded.get(intent, 0), int(obj["amount_refunded"]))
    ledger = await repository.payment_books()
    payments = await repository.payments_with_intents()
    refunds = await repository.refunds_with_refs()
    limit = asyncio.Semaphore(PROVIDER_READS)
    payment_answers = await asyncio.gather(
        *(
            _read_back(partial(provider.retrieve_payment, intent_id=p["provider_ref"]), limit)
            for p in payments
        )
    )
    refund_answers = await asyncio.gather(
        *(_read_back(partial(provider.retrieve_refund, refund_id=r["provider_ref"]), limit) for r in refunds)
    )
    authoritative = 0
    for payment, answer in zip(payments, payment_answers, strict=True):
        book = ledger.get(payment["id"], {})
        books = PaymentBooks(
            payment_id=payment["id"],
            intent_id=payment["provider_ref"],
            amount_fen=payment["amount_fen"],
            currency=payment["currency"],
            received_fen=book.get("payment", 0),
            refunded_fen=-book.get("refund", 0),
            paid_out_fen=-book.get("payout", 0),
            reversed_fen=book.get("reversal", 0),
            cash_fen=sum(book.values()),
        )
        intent = payment["provider_ref"]
        paid_out = payment["amount_fen"] - (payment["application_fee_fen"] or 0)
        differences += compare_with_events(
            books,
            received=received.get(intent, 0),
            refunded=refunded.get(intent, 0),
            paid_out=paid_out if payment["payout_destination"] else 0,
        )
        if isinstance(answer, Exception):
            differences.append({"kind": "provider_unreadable", "provider_ref": intent, "error": str(answer)})
            continue
        authoritative += answer.authoritative
        differences += compare_with_provider(books, answer)
    for requested, refund_answer in zip(refunds, refund_answers, strict=True):
        if isinstance(refund_answer, Exception):
            differences.append(
                {
                    "kind": "provider_unreadable",
                    "provider_ref": requested["provider_ref"],
                    "error": str(refund_answer),
                }
            )
            continue
        authoritative += refund_answer.authoritative
        differences += compare_refund(requested, refund_answer)
    read = len(payments) + len(refunds)
    return {
        "differences": differences,
        "payments": len(payments),
        "refunds": len(refunds),
        "provider_records": authoritative,
        "provider_fixtures": read - authoritative,
    }


async def set_payout_account(*, actor: Actor, org_id: int, body: Any) -> dict[str, Any]:
    """An admin records the organisation's connected account that receives its sales (audited)."""
    require_admin(actor)
    data = parse_body(PayoutAccountSet, body)
    await accounts_service.get_org(org_id=org_id)
    async with transaction() as conn:
        await repository.set_payout_account(org_id, data.account_ref, actor.user_id, conn)
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="org.payout_account",
            object_type="organisation",
            object_id=org_id,
            detail={"account_ref": data.account_ref},
        )
    return {"org_id": org_id, "provider": "stripe", "account_ref": data.account_ref}
