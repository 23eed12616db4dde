"""Queries of service orders."""

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from services.orders.models import ServiceOrder


async def insert_order(values: dict[str, Any], connection: BaseDBAsyncClient) -> ServiceOrder:
    return await ServiceOrder.create(**values, using_db=connection)


async def get_order(order_id: int) -> ServiceOrder | None:
    return await ServiceOrder.get_or_none(id=order_id)


async def lock_order(order_id: int, connection: BaseDBAsyncClient) -> ServiceOrder | None:
    return await ServiceOrder.filter(id=order_id).using_db(connection).select_for_update().first()


async def save_order(order: ServiceOrder, connection: BaseDBAsyncClient) -> None:
    await order.save(using_db=connection)


async def page_orders(
    *, org_id: int | None, status: str | None, offset: int, limit: int
) -> tuple[int, list[ServiceOrder]]:
    query = ServiceOrder.all()
    if org_id is not None:
        query = query.filter(Q(provider_org_id=org_id) | Q(buyer_org_id=org_id))
    if status is not None:
        query = query.filter(status=status)
    total = await query.count()
    rows = await query.order_by("-id").offset(offset).limit(limit)
    return total, list(rows)
