"""Queries of contracts, payments, ledger and Stripe events."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.functions import Sum

from services.deals.models import Contract, LedgerEntry, Milestone, NonTechnicalItem, Payment, StripeEvent


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


async def mark_event_processed(event_id: str, at: datetime, connection: BaseDBAsyncClient) -> None:
    await StripeEvent.filter(id=event_id).using_db(connection).update(processed_at=at)


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
