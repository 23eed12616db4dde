"""Queries of contracts, payments, ledger and Stripe events."""

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.functions import Sum

from services.deals.models import (
    Contract,
    LedgerEntry,
    Milestone,
    NonTechnicalItem,
    Payment,
    PayoutAccount,
    Refund,
    RoyaltyStatement,
    StripeEvent,
)


async def get_contract(contract_id: int) -> Contract | None:
    return await Contract.get_or_none(id=contract_id).prefetch_related("milestones", "non_technical_items")


async def insert_contract(
    columns: dict[str, Any],
    milestones: list[dict[str, Any]],
    non_technical_items: list[dict[str, Any]],
    connection: BaseDBAsyncClient,
) -> Contract:
    """A contract with its milestones (numbered from 1) and deductions, in the caller's transaction."""
    contract = await Contract.create(**columns, using_db=connection)
    await Milestone.bulk_create(
        [Milestone(contract_id=contract.id, seq=i, **m) for i, m in enumerate(milestones, start=1)],
        using_db=connection,
    )
    if non_technical_items:
        await NonTechnicalItem.bulk_create(
            [NonTechnicalItem(contract_id=contract.id, **item) for item in non_technical_items],
            using_db=connection,
        )
    return contract


async def update_contract(contract_id: int, connection: BaseDBAsyncClient, **changes: Any) -> None:
    await Contract.filter(id=contract_id).using_db(connection).update(**changes)


async def registration_no_known(registration_no: str) -> bool:
    return await Contract.exists(registration_no=registration_no)


async def lock_contract(contract_id: int, connection: BaseDBAsyncClient) -> Contract | None:
    return await Contract.filter(id=contract_id).using_db(connection).select_for_update().first()


async def set_milestone_voucher_parts(
    contract_id: int, parts: dict[int, int], connection: BaseDBAsyncClient
) -> None:
    """Each milestone's 创新券 part by seq; milestones not named pay none."""
    for milestone in await Milestone.filter(contract_id=contract_id).using_db(connection).select_for_update():
        part = parts.get(milestone.seq, 0)
        if milestone.voucher_fen != part:
            await Milestone.filter(id=milestone.id).using_db(connection).update(voucher_fen=part)


async def lock_milestone(
    contract_id: int, milestone_id: int, connection: BaseDBAsyncClient
) -> Milestone | None:
    return (
        await Milestone.filter(id=milestone_id, contract_id=contract_id)
        .using_db(connection)
        .select_for_update()
        .first()
    )


async def paid_total(contract_id: int) -> int:
    row = (
        await Milestone.filter(contract_id=contract_id, status="paid")
        .annotate(total=Sum("amount_fen"))
        .first()
        .values("total")
    )
    return int((row or {}).get("total") or 0)


async def open_payment(milestone_id: int, connection: BaseDBAsyncClient) -> Payment | None:
    return (
        await Payment.filter(
            milestone_id=milestone_id, status__in=["created", "requires_payment_method", "processing"]
        )
        .using_db(connection)
        .order_by("-id")
        .first()
    )


async def insert_payment(columns: dict[str, Any], connection: BaseDBAsyncClient) -> Payment:
    return await Payment.create(**columns, using_db=connection)


async def update_payment(
    payment_id: int, connection: BaseDBAsyncClient | None = None, **changes: Any
) -> None:
    query = Payment.filter(id=payment_id)
    await (query.using_db(connection) if connection is not None else query).update(**changes)


async def move_milestone(
    milestone_id: int, from_statuses: Sequence[str], connection: BaseDBAsyncClient, **changes: Any
) -> int:
    """Update a milestone only while it is in one of `from_statuses`; the number of rows changed."""
    return int(
        await Milestone.filter(id=milestone_id, status__in=list(from_statuses))
        .using_db(connection)
        .update(**changes)
    )


async def payment_by_ref(provider_ref: str, connection: BaseDBAsyncClient) -> Payment | None:
    return await Payment.filter(provider_ref=provider_ref).using_db(connection).select_for_update().first()


async def payment_by_id(payment_id: int, connection: BaseDBAsyncClient) -> Payment | None:
    return await Payment.filter(id=payment_id).using_db(connection).select_for_update().first()


async def store_event_once(
    event_id: str, event_type: str, payload: dict[str, Any], connection: BaseDBAsyncClient
) -> bool:
    """Insert the event unless its id is known; True when it is new."""
    rows = await connection.execute_query_dict(
        "INSERT INTO deals_stripe_event (id, type, payload, received_at) VALUES ($1, $2, $3::jsonb, now()) "
        "ON CONFLICT (id) DO NOTHING RETURNING id",
        [event_id, event_type, json.dumps(payload)],
    )
    return bool(rows)


async def mark_event_processed(
    event_id: str, at: datetime, outcome: str, rejected_reason: str | None, connection: BaseDBAsyncClient
) -> None:
    await (
        StripeEvent.filter(id=event_id)
        .using_db(connection)
        .update(processed_at=at, outcome=outcome[:64], rejected_reason=rejected_reason)
    )


async def store_rejected_event(event_id: str, payload: dict[str, Any], reason: str) -> None:
    """Keep a malformed event as evidence (once per id)."""
    await StripeEvent.get_or_create(
        id=event_id[:255],
        defaults={"type": "malformed", "payload": payload, "outcome": "rejected", "rejected_reason": reason},
    )


async def get_payment(payment_id: int) -> Payment | None:
    return await Payment.get_or_none(id=payment_id)


async def add_ledger(rows: list[dict[str, Any]], connection: BaseDBAsyncClient) -> None:
    await LedgerEntry.bulk_create([LedgerEntry(**row) for row in rows], using_db=connection)


async def page_contracts(
    *, org_id: int | None, broker_id: int | None, status: str | None, offset: int, limit: int
) -> tuple[int, list[Contract]]:
    query = Contract.all()
    if org_id is not None:
        involved = Q(buyer_org_id=org_id) | Q(seller_org_id=org_id)
        query = query.filter(involved | Q(broker_id=broker_id) if broker_id is not None else involved)
    if status:
        query = query.filter(status=status)
    total = await query.count()
    rows = (
        await query.order_by("-id")
        .offset(offset)
        .limit(limit)
        .prefetch_related("milestones", "non_technical_items")
    )
    return total, rows


async def contracts_for_matches(match_ids: list[int]) -> dict[int, int]:
    """The live (not cancelled) contract of each match that has one."""
    rows = (
        await Contract.filter(match_id__in=match_ids)
        .exclude(status__in=["cancelled", "terminated"])
        .values_list("match_id", "id")
    )
    return {int(match_id): int(contract_id) for match_id, contract_id in rows}


def _org_rows(org_id: int) -> Q:
    """The ledger rows an organisation's statement shows: everything of the contracts it sold (its share, and
    the fee and commission taken from it); of those it bought, only its own money — what it paid, what was
    refunded to it and what is owed back to it — never the seller's share or the broker's commission."""
    sold = Q(contract_id__in=Subquery(Contract.filter(seller_org_id=org_id).values("id")))
    bought = Q(contract_id__in=Subquery(Contract.filter(buyer_org_id=org_id).values("id")))
    own_money = Q(account__startswith="buyer_refund_due:") | (
        Q(account="provider_clearing")
        & (Q(entry_group__startswith="payment-") | Q(entry_group__startswith="refund-"))
    )
    # Cancellation fees of bookings (no contract): the booker's debt and the owner's claim name the organisation.
    fees = Q(account__in=[f"fee_receivable:org-{org_id}", f"seller_payable:org-{org_id}"])
    return sold | (bought & own_money) | fees


async def page_ledger(*, org_id: int | None, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """Ledger rows, newest first (an organisation's statement when given)."""
    query = LedgerEntry.all() if org_id is None else LedgerEntry.filter(_org_rows(org_id))
    total = await query.count()
    rows = (
        await query.order_by("-id")
        .offset(offset)
        .limit(limit)
        .values(
            "id",
            "entry_group",
            "account",
            "amount_fen",
            "currency",
            "contract_id",
            "payment_id",
            "memo",
            "created_at",
        )
    )
    return total, list(rows)


async def account_balances(org_id: int | None) -> list[dict[str, Any]]:
    """Balance per account and currency (of an organisation's statement when given)."""
    query = LedgerEntry.all() if org_id is None else LedgerEntry.filter(_org_rows(org_id))
    rows = (
        await query.annotate(balance=Sum("amount_fen"))
        .group_by("account", "currency")
        .values("account", "currency", "balance")
    )
    return [{**r, "balance": int(r["balance"] or 0)} for r in rows]


async def unbalanced_groups() -> list[dict[str, Any]]:
    """Entry groups whose rows do not sum to zero in their currency."""
    rows = (
        await LedgerEntry.all()
        .annotate(total=Sum("amount_fen"))
        .group_by("entry_group", "currency")
        .values("entry_group", "currency", "total")
    )
    return [dict(r) for r in rows if int(r["total"] or 0) != 0]


async def payments_with_intents() -> list[dict[str, Any]]:
    return list(
        await Payment.filter(provider_ref__isnull=False).values(
            "id", "provider_ref", "amount_fen", "currency", "payout_destination", "application_fee_fen"
        )
    )


async def accepted_events(outcomes: Sequence[str]) -> list[dict[str, Any]]:
    """Stored provider events that were applied with one of these outcomes."""
    return list(
        await StripeEvent.filter(outcome__in=list(outcomes)).values("id", "type", "payload", "outcome")
    )


async def milestones_of(contract_id: int, connection: BaseDBAsyncClient) -> list[int]:
    rows: list[Any] = list(
        await Milestone.filter(contract_id=contract_id)
        .using_db(connection)
        .order_by("seq")
        .values_list("id", flat=True)
    )
    return [int(r) for r in rows]


async def payments_of_contract(contract_id: int) -> list[dict[str, Any]]:
    return list(
        await Payment.filter(contract_id=contract_id)
        .order_by("id")
        .values(
            "id",
            "milestone_id",
            "status",
            "amount_fen",
            "currency",
            "refunded_fen",
            "provider",
            "created_at",
            "succeeded_at",
        )
    )


async def payout_account(org_id: int) -> str | None:
    found = await PayoutAccount.get_or_none(org_id=org_id)
    return found.account_ref if found else None


async def set_payout_account(
    org_id: int, account_ref: str, set_by_id: int, connection: BaseDBAsyncClient
) -> None:
    await PayoutAccount.filter(org_id=org_id).using_db(connection).delete()
    await PayoutAccount.create(
        org_id=org_id, account_ref=account_ref, set_by_id=set_by_id, using_db=connection
    )


async def royalty_period_taken(
    contract_id: int, start: date, end: date, connection: BaseDBAsyncClient
) -> bool:
    """Whether a statement of the contract covers any day of [start, end]."""
    return (
        await RoyaltyStatement.filter(contract_id=contract_id, period_start__lte=end, period_end__gte=start)
        .using_db(connection)
        .exists()
    )


async def insert_royalty_statement(
    columns: dict[str, Any], milestone_name: str, connection: BaseDBAsyncClient
) -> RoyaltyStatement:
    """A statement and, when something is due, the next milestone of its contract that pays it."""
    milestone_id = None
    if columns["due_fen"] > 0:
        last = (
            await Milestone.filter(contract_id=columns["contract_id"])
            .using_db(connection)
            .order_by("-seq")
            .first()
        )
        milestone = await Milestone.create(
            contract_id=columns["contract_id"],
            seq=(last.seq if last else 0) + 1,
            name=milestone_name,
            amount_fen=columns["due_fen"],
            using_db=connection,
        )
        milestone_id = milestone.id
    return await RoyaltyStatement.create(**columns, milestone_id=milestone_id, using_db=connection)


async def royalty_statements(contract_id: int) -> list[RoyaltyStatement]:
    return await RoyaltyStatement.filter(contract_id=contract_id).order_by("period_start")


async def royalty_statement(contract_id: int, statement_id: int) -> RoyaltyStatement | None:
    return await RoyaltyStatement.get_or_none(id=statement_id, contract_id=contract_id)


async def ledger_group(entry_group: str, connection: BaseDBAsyncClient) -> dict[str, int]:
    """The accounts of one entry group with their amounts, in the order they were booked."""
    rows = (
        await LedgerEntry.filter(entry_group=entry_group)
        .using_db(connection)
        .order_by("id")
        .values_list("account", "amount_fen")
    )
    booked: dict[str, int] = {}
    for account, amount in rows:
        booked[str(account)] = booked.get(str(account), 0) + int(amount)
    return booked


async def refund_requested_total(payment_id: int, connection: BaseDBAsyncClient) -> int:
    """What has been asked of the provider for this payment and not refused."""
    rows = (
        await Refund.filter(payment_id=payment_id)
        .exclude(status="failed")
        .using_db(connection)
        .annotate(total=Sum("amount_fen"))
        .group_by("payment_id")
        .values("total")
    )
    return int(rows[0]["total"] or 0) if rows else 0


async def insert_refund(columns: dict[str, Any], connection: BaseDBAsyncClient) -> Refund:
    return await Refund.create(**columns, using_db=connection)


async def update_refund(refund_id: int, **changes: Any) -> None:
    await Refund.filter(id=refund_id).update(**changes)


async def refunds_with_refs() -> list[dict[str, Any]]:
    """Refunds the provider accepted, with the PaymentIntent of their payment."""
    return list(
        await Refund.filter(provider_ref__isnull=False).values(
            "id", "provider_ref", "amount_fen", "payment_id", "payment__provider_ref", "payment__currency"
        )
    )


async def payment_books() -> dict[int, dict[str, int]]:
    """Per payment, what the ledger says moved through the provider account, by kind of entry group."""
    rows = await LedgerEntry.filter(account="provider_clearing", payment_id__isnull=False).values_list(
        "payment_id", "entry_group", "amount_fen"
    )
    books: dict[int, dict[str, int]] = {}
    for payment_id, group, amount in rows:
        kind = str(group).split("-", 1)[0]
        book = books.setdefault(int(payment_id), {})
        book[kind] = book.get(kind, 0) + int(amount)
    return books


async def refunds_of_contract(contract_id: int) -> list[dict[str, Any]]:
    return list(
        await Refund.filter(payment__contract_id=contract_id)
        .order_by("id")
        .values("id", "payment_id", "amount_fen", "reverse_payout", "status", "provider_ref", "created_at")
    )
