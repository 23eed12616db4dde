"""Queries of contracts, payments, ledger and Stripe events."""

import json
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Sum

from services.deals.models import Contract, LedgerEntry, Milestone, Payment, StripeEvent


async def get_contract(contract_id: int) -> Contract | None:
    return await Contract.get_or_none(id=contract_id).prefetch_related("milestones")


async def lock_contract(contract_id: int, connection: BaseDBAsyncClient) -> Contract | None:
    return await Contract.filter(id=contract_id).using_db(connection).select_for_update().first()


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


async def mark_event_processed(event_id: str, at: datetime, connection: BaseDBAsyncClient) -> None:
    await StripeEvent.filter(id=event_id).using_db(connection).update(processed_at=at)


async def add_ledger(rows: list[LedgerEntry], connection: BaseDBAsyncClient) -> None:
    await LedgerEntry.bulk_create(rows, using_db=connection)


async def page_contracts(
    *, org_id: int | None, status: str | None, offset: int, limit: int
) -> tuple[int, list[Contract]]:
    from tortoise.expressions import Q

    query = Contract.all()
    if org_id is not None:
        query = query.filter(Q(buyer_org_id=org_id) | Q(seller_org_id=org_id))
    if status:
        query = query.filter(status=status)
    total = await query.count()
    return total, await query.order_by("-id").offset(offset).limit(limit).prefetch_related("milestones")


async def contracts_for_matches(match_ids: list[int]) -> dict[int, int]:
    """The live (not cancelled) contract of each match that has one."""
    rows = (
        await Contract.filter(match_id__in=match_ids)
        .exclude(status="cancelled")
        .values_list("match_id", "id")
    )
    return {int(match_id): int(contract_id) for match_id, contract_id in rows}
