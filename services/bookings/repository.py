"""Queries of bookings."""

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.bookings.models import Booking


async def get_booking(booking_id: int) -> Booking | None:
    return await Booking.get_or_none(id=booking_id)


async def lock_booking(booking_id: int, connection: BaseDBAsyncClient) -> Booking | None:
    return await Booking.filter(id=booking_id).using_db(connection).select_for_update().first()


async def page_bookings(
    *, org_id: int | None, owner_org_id: int | None, offset: int, limit: int
) -> tuple[int, list[Booking]]:
    query = Booking.all()
    if org_id is not None:
        query = query.filter(org_id=org_id)
    if owner_org_id is not None:
        query = query.filter(instrument__org_id=owner_org_id)
    total = await query.count()
    return total, await query.order_by("-starts_at").offset(offset).limit(limit)


async def insert_booking(connection: BaseDBAsyncClient, **values: Any) -> Booking:
    return await Booking.create(using_db=connection, **values)


async def save_booking(booking: Booking, connection: BaseDBAsyncClient) -> None:
    await booking.save(using_db=connection)
