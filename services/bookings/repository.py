"""Queries of bookings, closures and training records."""

from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from services.bookings.models import Booking, Closure, Training
from services.bookings.schemas import BookingStatus


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


def _holding(now: datetime) -> Q:
    """Bookings that hold their slot: approved or running, or pending and still inside the response window."""
    return Q(status__in=[BookingStatus.APPROVED.value, BookingStatus.IN_PROGRESS.value]) | Q(
        Q(status=BookingStatus.PENDING.value), Q(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    )


async def taken_intervals(
    instrument_id: int, start: datetime, end: datetime, now: datetime
) -> list[tuple[datetime, datetime, str]]:
    """Start, end and status of the bookings holding time in [start, end) — nothing about who booked."""
    rows = (
        await Booking.filter(instrument_id=instrument_id, starts_at__lt=end, ends_at__gt=start)
        .filter(_holding(now))
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "status")
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def expire_overdue(now: datetime, instrument_id: int | None = None, connection: Any = None) -> int:
    """Pending requests whose response window has passed lapse (and so free their slots)."""
    query = Booking.filter(status=BookingStatus.PENDING.value, expires_at__lte=now)
    if instrument_id is not None:
        query = query.filter(instrument_id=instrument_id)
    if connection is not None:
        query = query.using_db(connection)
    return int(await query.update(status=BookingStatus.EXPIRED.value))


async def count_no_shows(user_id: int, since: datetime) -> int:
    return await Booking.filter(
        user_id=user_id, status=BookingStatus.NO_SHOW.value, starts_at__gte=since
    ).count()


async def closures_between(instrument_id: int, start: datetime, end: datetime) -> list[Closure]:
    return (
        await Closure.filter(instrument_id=instrument_id, starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at")
        .all()
    )


async def insert_closure(**values: Any) -> Closure:
    return await Closure.create(**values)


async def get_closure(instrument_id: int, closure_id: int) -> Closure | None:
    return await Closure.get_or_none(id=closure_id, instrument_id=instrument_id)


async def delete_closure(closure_id: int) -> None:
    await Closure.filter(id=closure_id).delete()


async def upcoming_closures(instrument_id: int, since: datetime) -> list[Closure]:
    return (
        await Closure.filter(instrument_id=instrument_id, ends_at__gt=since).order_by("starts_at").limit(500)
    )


async def has_valid_training(instrument_id: int, user_id: int, at: datetime) -> bool:
    return await Training.filter(
        instrument_id=instrument_id, user_id=user_id, revoked_at__isnull=True, expires_at__gt=at
    ).exists()


async def insert_training(**values: Any) -> Training:
    return await Training.create(**values)


async def trainings_of_instrument(instrument_id: int) -> list[Training]:
    return await Training.filter(instrument_id=instrument_id).order_by("-id").limit(500)


async def get_training(instrument_id: int, training_id: int) -> Training | None:
    return await Training.get_or_none(id=training_id, instrument_id=instrument_id)


async def save_training(training: Training) -> None:
    await training.save()
