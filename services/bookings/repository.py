"""Queries of bookings, closures and training records."""

from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.bookings.models import Booking, Closure, Training
from services.bookings.schemas import BookingStatus


async def get_booking(booking_id: int) -> Booking | None:
    return await Booking.get_or_none(id=booking_id)


async def bookings_by_id(booking_ids: list[int]) -> list[Booking]:
    return await Booking.filter(id__in=booking_ids) if booking_ids else []


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


_TAKEN_OF_SQL = (
    "SELECT instrument_id, starts_at, ends_at FROM deals_booking WHERE instrument_id = ANY($1::bigint[]) "
    "AND starts_at < $3 AND ends_at > $2 AND (status IN ('approved', 'in_progress') OR (status = 'pending' "
    "AND (expires_at IS NULL OR expires_at > $4)))"
)


async def blocked_intervals_of(
    instrument_ids: list[int], start: datetime, end: datetime, now: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Time held by live bookings or closures in [start, end), per instrument (two queries for all of them)."""
    connection = Booking._meta.db
    _, taken = await connection.execute_query(_TAKEN_OF_SQL, [instrument_ids, start, end, now])
    _, closed = await connection.execute_query(
        "SELECT instrument_id, starts_at, ends_at FROM bookings_closure WHERE instrument_id = ANY($1::bigint[]) "
        "AND starts_at < $3 AND ends_at > $2",
        [instrument_ids, start, end],
    )
    blocked: dict[int, list[tuple[datetime, datetime]]] = {}
    for row in [*taken, *closed]:
        blocked.setdefault(int(row[0]), []).append((row[1], row[2]))
    return blocked


async def completed_counts(instrument_ids: list[int]) -> dict[int, int]:
    """Completed bookings per instrument (its record of service)."""
    _, rows = await Booking._meta.db.execute_query(
        "SELECT instrument_id, count(*) FROM deals_booking WHERE status = 'completed' "
        "AND instrument_id = ANY($1::bigint[]) GROUP BY instrument_id",
        [instrument_ids],
    )
    return {int(row[0]): int(row[1]) for row in rows}


# The availability read in one round trip: the instrument's status and opening hours, its closures and the
# live bookings of the window, each as arrays the driver decodes in C. It reads the instrument listing's
# status and opening hours directly: under load each extra round trip cost as much as the whole interval
# query (tests/bench/bench_availability.py); the catalog still owns every write of them. (Subtracting the
# intervals in SQL with multiranges was tried: range_agg over a busy quarter made it slower, not faster.)
_AVAILABILITY_SQL = (
    "SELECT l.status, l.attributes->'booking'->'opening_hours', c.starts, c.ends, c.kinds, "
    "t.starts, t.ends, t.statuses FROM catalog_listing l "
    "CROSS JOIN LATERAL (SELECT array_agg(starts_at ORDER BY starts_at) AS starts, "
    "array_agg(ends_at ORDER BY starts_at) AS ends, array_agg(kind ORDER BY starts_at) AS kinds "
    "FROM bookings_closure WHERE instrument_id = l.id AND starts_at < $3 AND ends_at > $2) c "
    "CROSS JOIN LATERAL (SELECT array_agg(starts_at ORDER BY starts_at) AS starts, "
    "array_agg(ends_at ORDER BY starts_at) AS ends, array_agg(status ORDER BY starts_at) AS statuses "
    "FROM deals_booking WHERE instrument_id = l.id AND starts_at < $3 AND ends_at > $2 "
    "AND (status IN ('approved', 'in_progress') OR (status = 'pending' AND (expires_at IS NULL OR expires_at > $4)))) t "
    "WHERE l.id = $1 AND l.type = 'instrument'"
)
Marked = list[tuple[datetime, datetime, str]]


async def availability_facts(
    instrument_id: int, start: datetime, end: datetime, now: datetime
) -> tuple[str, Any, Marked, Marked] | None:
    """Status, opening hours (JSON), closures and taken intervals of an instrument's window; None if no such one."""
    _, rows = await Booking._meta.db.execute_query(_AVAILABILITY_SQL, [instrument_id, start, end, now])
    if not rows:
        return None
    status, hours, c_starts, c_ends, c_kinds, t_starts, t_ends, t_statuses = rows[0]
    closures = list(zip(c_starts or [], c_ends or [], c_kinds or [], strict=True))
    taken = list(zip(t_starts or [], t_ends or [], t_statuses or [], strict=True))
    return status, hours, closures, taken


async def expire_overdue(
    now: datetime,
    *,
    sources: list[str],
    target: str,
    connection: BaseDBAsyncClient,
    instrument_id: int | None = None,
    limit: int,
) -> list[Booking]:
    """Requests in one of `sources` whose response window has passed move to `target` (so free their slots);
    rows another transaction holds are left for the next sweep. The moved bookings are returned."""
    query = Booking.filter(status__in=sources, expires_at__lte=now)
    if instrument_id is not None:
        query = query.filter(instrument_id=instrument_id)
    due = await query.using_db(connection).select_for_update(skip_locked=True).order_by("id").limit(limit)
    for booking in due:
        booking.status = target
        booking.updated_at = now
    if due:
        await Booking.bulk_update(due, fields=["status", "updated_at"], using_db=connection)
    return list(due)


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


# Per instrument over a period: booked hours clipped to the period; effective, external and income figures
# for the bookings that start in it (so no booking counts in two periods).
_SHARING_SQL = """
WITH owner(instrument_id, owner_org_id) AS (SELECT * FROM unnest($3::bigint[], $4::bigint[]))
SELECT b.instrument_id,
       coalesce(sum(extract(epoch FROM least(b.ends_at, $2) - greatest(b.starts_at, $1)) / 3600)
                FILTER (WHERE b.status IN ('approved', 'in_progress', 'completed', 'no_show')), 0) AS booked_hours,
       coalesce(sum(b.effective_hours) FILTER (WHERE b.status = 'completed' AND b.starts_at >= $1), 0)
           AS effective_hours,
       coalesce(sum(b.effective_hours) FILTER (WHERE b.status = 'completed' AND b.starts_at >= $1
                                               AND b.org_id <> o.owner_org_id), 0) AS external_hours,
       count(DISTINCT b.user_id) FILTER (WHERE b.status = 'completed' AND b.starts_at >= $1
                                         AND b.org_id <> o.owner_org_id) AS external_users,
       coalesce(sum(b.price_fen) FILTER (WHERE b.status = 'completed' AND b.starts_at >= $1), 0)
       + coalesce(sum(b.cancel_fee_fen) FILTER (WHERE b.status = 'cancelled' AND b.starts_at >= $1), 0)
           AS income_fen,
       count(*) FILTER (WHERE b.status = 'completed' AND b.starts_at >= $1) AS completed
FROM deals_booking b JOIN owner o ON o.instrument_id = b.instrument_id
WHERE b.starts_at < $2 AND b.ends_at > $1
GROUP BY b.instrument_id
"""

_EXTERNAL_USERS_SQL = """
WITH owner(instrument_id, owner_org_id) AS (SELECT * FROM unnest($3::bigint[], $4::bigint[]))
SELECT o.owner_org_id, count(DISTINCT b.user_id) AS external_users
FROM deals_booking b JOIN owner o ON o.instrument_id = b.instrument_id
WHERE b.status = 'completed' AND b.starts_at >= $1 AND b.starts_at < $2 AND b.org_id <> o.owner_org_id
GROUP BY o.owner_org_id
"""


async def sharing_figures(
    start: datetime, end: datetime, owners: dict[int, int]
) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """Per-instrument use figures, and distinct external users per owning organisation."""
    if not owners:
        return [], {}
    connection = Booking._meta.db
    args = [start, end, list(owners), list(owners.values())]
    rows = await connection.execute_query_dict(_SHARING_SQL, args)
    users = await connection.execute_query_dict(_EXTERNAL_USERS_SQL, args)
    return rows, {int(r["owner_org_id"]): int(r["external_users"]) for r in users}


async def closures_of(instrument_ids: list[int], start: datetime, end: datetime) -> list[Closure]:
    return await Closure.filter(instrument_id__in=instrument_ids, starts_at__lt=end, ends_at__gt=start).all()
