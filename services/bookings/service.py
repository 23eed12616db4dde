"""Bookings: request a slot of an instrument, the owner decides and records use, the booker may cancel."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.bookings import calendar, policies, repository
from services.bookings.lifecycle import SUBJECT, TRANSITIONS, BookingAction
from services.bookings.models import Booking, Closure, Training
from services.bookings.pricing import cancellation_fee, price_booking, price_group
from services.bookings.schemas import (
    BookingCreate,
    BookingFinish,
    BookingRead,
    BookingStatus,
    ClosureCreate,
    ClosureKind,
    ClosureRead,
    TrainingGrant,
    TrainingRead,
)
from services.catalog import service as catalog_service
from services.core import clock
from services.core.bodies import parse_body
from services.core.db import Connection, Deadlock, UniqueViolation, transaction
from services.core.errors import Conflict, Invalid, NotFound
from services.core.outbox import record_event
from services.core.transitions import run_transition
from services.deals import ledger
from services.notifications import service as notifications
from services.notifications.schemas import NotificationKind

BOOKING_HORIZON = timedelta(days=365)
AVAILABILITY_SPAN = timedelta(days=92)
NO_SHOW_WINDOW = timedelta(days=90)
TRAINING_HORIZON = timedelta(days=5 * 366)
INSERT_ATTEMPTS = 3
# The owner may record the start this long before the slot begins (setting up, an early arrival), not earlier.
START_LEAD = timedelta(hours=1)
# Lapsed requests expired per worker sweep (the rest follow in the next one).
EXPIRY_BATCH = 500
BOOKING_TOPIC = "booking.changed"
_NOTICES = {
    BookingAction.APPROVE: "已通过",
    BookingAction.REJECT: "已被拒绝",
    BookingAction.EXPIRE: "因仪器方未在期限内答复已过期，时段已释放",
    BookingAction.CANCEL: "已取消",
    BookingAction.START: "已开始使用",
    BookingAction.FINISH: "已完成",
    BookingAction.MARK_NO_SHOW: "已被标记为未到场",
}
_M = TypeVar("_M", bound=BaseModel)


def _booking_read(b: Booking) -> BookingRead:
    return BookingRead(
        id=b.id,
        instrument_id=b.instrument_id,
        org_id=b.org_id,
        user_id=b.user_id,
        start=b.starts_at,
        end=b.ends_at,
        mode=b.mode,
        status=b.status,
        price_fen=b.price_fen,
        currency=b.currency,
        note=b.note,
        reject_reason=b.reject_reason,
        created_at=b.created_at,
        price_group=b.price_group,
        expires_at=b.expires_at,
        cancelled_at=b.cancelled_at,
        cancel_fee_fen=b.cancel_fee_fen,
        started_at=b.started_at,
        finished_at=b.finished_at,
        effective_hours=float(b.effective_hours) if b.effective_hours is not None else None,
    )


def _not_found(booking_id: int) -> NotFound:
    return NotFound("booking_not_found", f"预约 {booking_id} 不存在", "booking not found")


def _check_time(rules: dict[str, Any], start: datetime, end: datetime, now: datetime) -> Decimal:
    """The booking's hours, or a 422 naming the field that breaks the instrument's calendar rules."""
    if start < now:
        raise Invalid.field(
            ["body", "start"], "不能预约过去的时间", "start is in the past", code="in_the_past"
        )
    for name, moment in (("start", start), ("end", end)):
        if moment > now + BOOKING_HORIZON:
            raise Invalid.field(
                ["body", name], "最多可预约一年以内的时段", "more than one year ahead", code="too_far_ahead"
            )
    hours = Decimal((end - start).total_seconds()) / Decimal(3600)
    if hours > Decimal(rules.get("max_hours", 8)):
        raise Invalid.field(
            ["body", "end"], f"单次预约最长 {rules.get('max_hours')} 小时", "booking too long"
        )
    if start < now + timedelta(hours=int(rules.get("min_notice_hours", 0))):
        raise Invalid.field(
            ["body", "start"], f"需提前至少 {rules.get('min_notice_hours')} 小时预约", "too short notice"
        )
    outside = calendar.outside_field(
        rules.get("opening_hours"), start, end, long_runs=bool(rules.get("long_runs"))
    )
    if outside is not None:
        raise Invalid.field(
            ["body", outside], "不在仪器开放时间内", "outside the opening hours", code="outside_opening_hours"
        )
    return hours


async def create_booking(*, actor: Actor, body: Any) -> BookingRead:
    """Book an instrument slot at the booker's frozen price; overlaps are refused by the database itself."""
    data = parse_body(BookingCreate, body)
    instrument = await catalog_service.instrument_for_booking(instrument_id=data.instrument_id)
    org_id = policies.require_organisation(actor)
    org = await accounts_service.get_org(org_id=org_id)
    policies.require_verified_org(org.verified)
    if instrument.get("status") != "published" or instrument.get("availability") != "available":
        raise Conflict("instrument_unavailable", "该仪器当前不可预约", "instrument not available")
    if data.mode.value not in (instrument.get("service_modes") or []):
        raise Invalid.field(["body", "mode"], "该仪器不提供此服务方式", "mode not offered")
    rules = instrument.get("booking") or {}
    now = clock.now()
    start, end = data.start.astimezone(UTC), data.end.astimezone(UTC)
    hours = _check_time(rules, start, end, now)
    if await repository.closures_between(instrument["id"], start, end):
        raise Invalid.field(
            ["body", "start"],
            "该时段仪器停用（维护或节假日）",
            "the instrument is closed then",
            code="closed",
        )
    policies.require_training(
        needs_training=bool(rules.get("needs_training")),
        mode=data.mode.value,
        trained=await repository.has_valid_training(instrument["id"], actor.user_id, start),
    )
    policies.require_not_suspended(
        mode=data.mode.value,
        no_shows=await repository.count_no_shows(actor.user_id, now - NO_SHOW_WINDOW),
        limit=int(rules.get("no_show_limit", 3)),
    )
    group = price_group(booker_org_id=org_id, booker_kind=org.kind, owner_org_id=instrument["org_id"])
    price = price_booking(instrument.get("fees") or [], hours, data.samples, data.mode.value, group)
    values = {
        "instrument_id": instrument["id"],
        "org_id": org_id,
        "user_id": actor.user_id,
        "starts_at": start,
        "ends_at": end,
        "mode": data.mode.value,
        "status": BookingStatus.PENDING.value,
        "price_fen": price,
        "price_group": group,
        "expires_at": min(now + timedelta(hours=int(rules.get("response_hours", 48))), start),
        "note": data.note,
    }
    for attempt in range(INSERT_ATTEMPTS):
        try:
            return _booking_read(await _insert_booking(now, values))
        except Deadlock:
            # Two overlapping requests at the same moment waited for each other's row; once retried, this one
            # meets the committed booking as an ordinary overlap (or wins, if the other was rolled back).
            if attempt == INSERT_ATTEMPTS - 1:
                raise
        except UniqueViolation as exc:
            if "deals_booking_no_overlap" in str(exc):
                raise Conflict("slot_taken", "该时段已被预约", "the slot overlaps another booking") from exc
            raise
    raise AssertionError("unreachable")  # the loop returns or raises


async def _insert_booking(now: datetime, values: dict[str, Any]) -> Booking:
    async with transaction() as conn:
        # A lapsed request must not hold the slot even if the worker has not swept it yet.
        await _expire_overdue(now, conn, instrument_id=int(values["instrument_id"]))
        return await repository.insert_booking(conn, **values)


async def _announce(
    booking: Booking, action: BookingAction, conn: Connection, skip_user_id: int | None = None
) -> None:
    """Tell the booker what happened, and record the change in the outbox (a voucher part is settled from it)."""
    await notifications.notify(
        connection=conn,
        user_ids=[booking.user_id],
        kind=NotificationKind.BOOKING_DECIDED,
        title=f"您的仪器预约 #{booking.id} {_NOTICES[action]}",
        link="/me/bookings",
        skip_user_id=skip_user_id,
    )
    await record_event(
        connection=conn,
        topic=BOOKING_TOPIC,
        aggregate_type="booking",
        aggregate_id=booking.id,
        payload={"status": booking.status, "action": action.value, "cancel_fee_fen": booking.cancel_fee_fen},
    )


async def _transition(
    *,
    actor: Actor,
    booking_id: int,
    action: BookingAction,
    by_owner: bool = True,
    change: Callable[[Booking, dict[str, Any]], None] | None = None,
) -> BookingRead:
    """Authorise, lock, move the booking along the transition table and apply the action's side fields."""
    booking = await repository.get_booking(booking_id)
    if booking is None:
        raise _not_found(booking_id)
    instrument = await catalog_service.instrument_for_booking(instrument_id=booking.instrument_id)
    if by_owner:
        policies.require_instrument_owner(actor, instrument.get("org_id"))
    else:
        policies.require_booking_visible(actor, booking_id, booking.org_id, instrument.get("org_id"))
        policies.require_booker(actor, booking.org_id)
    rules = instrument.get("booking") or {}

    async def after(booking: Booking, conn: Connection) -> None:
        await _announce(booking, action, conn, skip_user_id=actor.user_id)
        if action is BookingAction.CANCEL and booking.cancel_fee_fen > 0:
            # The fee is charged, not only stored: a receivable of the booker in the ledger, in this transaction.
            await ledger.record_cancellation_fee(
                booking_id=booking.id,
                booker_org_id=booking.org_id,
                owner_org_id=int(instrument["org_id"]),
                fee_fen=booking.cancel_fee_fen,
                currency=booking.currency,
                connection=conn,
            )

    locked = await run_transition(
        table=TRANSITIONS,
        subject=SUBJECT,
        action=action,
        lock=lambda conn: repository.lock_booking(booking_id, conn),
        not_found=lambda: _not_found(booking_id),
        change=None if change is None else lambda booking: change(booking, rules),
        save=repository.save_booking,
        after=after,
    )
    return _booking_read(locked)


def _decided(actor: Actor, reason: str | None) -> Callable[[Booking, dict[str, Any]], None]:
    def change(booking: Booking, _rules: dict[str, Any]) -> None:
        if (
            booking.status == BookingStatus.PENDING
            and booking.expires_at
            and booking.expires_at <= clock.now()
        ):
            raise Conflict("booking_expired", "该预约已超过审批期限", "the request lapsed unanswered")
        booking.decided_by_id = actor.user_id
        booking.decided_at = clock.now()
        booking.reject_reason = reason

    return change


async def approve_booking(*, actor: Actor, booking_id: int) -> BookingRead:
    """The instrument's owner approves a pending booking inside the response window."""
    return await _transition(
        actor=actor, booking_id=booking_id, action=BookingAction.APPROVE, change=_decided(actor, None)
    )


async def reject_booking(*, actor: Actor, booking_id: int, reason: str | None) -> BookingRead:
    """The instrument's owner rejects a pending booking, with an optional reason."""
    return await _transition(
        actor=actor, booking_id=booking_id, action=BookingAction.REJECT, change=_decided(actor, reason)
    )


async def cancel_booking(*, actor: Actor, booking_id: int) -> BookingRead:
    """The booker cancels: free until the owner's cut-off before the start, then the owner's fee."""

    def change(booking: Booking, rules: dict[str, Any]) -> None:
        now = clock.now()
        if booking.status == BookingStatus.APPROVED:
            booking.cancel_fee_fen = cancellation_fee(
                price_fen=booking.price_fen,
                notice=booking.starts_at - now,
                free_hours=int(rules.get("cancel_free_hours", 24)),
                fee_percent=int(rules.get("cancel_fee_percent", 50)),
            )
        booking.cancelled_at = now

    return await _transition(
        actor=actor, booking_id=booking_id, action=BookingAction.CANCEL, by_owner=False, change=change
    )


async def start_booking(*, actor: Actor, booking_id: int) -> BookingRead:
    """The owner records that the booked use has begun."""

    def change(booking: Booking, _rules: dict[str, Any]) -> None:
        now = clock.now()
        if now < booking.starts_at - START_LEAD:
            raise Conflict(
                "too_early_to_start",
                "最早可在预约时段开始前 1 小时记录开始使用",
                "the start is recorded from one hour before the slot",
            )
        booking.started_at = now

    return await _transition(actor=actor, booking_id=booking_id, action=BookingAction.START, change=change)


async def finish_booking(*, actor: Actor, booking_id: int, body: Any) -> BookingRead:
    """The owner records the end of use and its effective hours (有效机时)."""
    data = parse_body(BookingFinish, body)

    def change(booking: Booking, _rules: dict[str, Any]) -> None:
        booked = Decimal((booking.ends_at - booking.starts_at).total_seconds()) / Decimal(3600)
        if data.effective_hours > booked:
            raise Invalid.field(
                ["body", "effective_hours"],
                f"有效机时不能超过预约时长 {booked:.2f} 小时",
                "exceeds the booked hours",
            )
        booking.finished_at = clock.now()
        booking.effective_hours = data.effective_hours

    return await _transition(actor=actor, booking_id=booking_id, action=BookingAction.FINISH, change=change)


async def mark_no_show(*, actor: Actor, booking_id: int) -> BookingRead:
    """The owner marks an approved booking whose user never came (only once its slot has begun)."""

    def change(booking: Booking, _rules: dict[str, Any]) -> None:
        if clock.now() < booking.starts_at:
            raise Conflict("slot_not_started", "预约时段尚未开始", "the slot has not started yet")

    return await _transition(
        actor=actor, booking_id=booking_id, action=BookingAction.MARK_NO_SHOW, change=change
    )


_EXPIRE_FROM = sorted(state for (state, action) in TRANSITIONS if action == BookingAction.EXPIRE)
(_EXPIRED,) = {TRANSITIONS[(state, BookingAction.EXPIRE)] for state in _EXPIRE_FROM}


async def _expire_overdue(
    now: datetime, conn: Connection, *, instrument_id: int | None = None, limit: int = EXPIRY_BATCH
) -> int:
    """The `expire` action of the transition table, applied in bulk: requests in a state the table lets expire,
    past their response window, lapse; each booker is notified and each change is in the outbox."""
    expired = await repository.expire_overdue(
        now,
        sources=_EXPIRE_FROM,
        target=_EXPIRED.value,
        connection=conn,
        instrument_id=instrument_id,
        limit=limit,
    )
    for booking in expired:
        await _announce(booking, BookingAction.EXPIRE, conn)
    return len(expired)


async def expire_overdue_bookings() -> int:
    """Lapse the pending requests the owner left unanswered past their response window (worker sweep)."""
    async with transaction() as conn:
        return await _expire_overdue(clock.now(), conn)


async def get_booking(*, actor: Actor, booking_id: int) -> BookingRead:
    """One booking (the booking organisation, the instrument's owner, admins)."""
    booking = await repository.get_booking(booking_id)
    if booking is None:
        raise _not_found(booking_id)
    owner = await catalog_service.owner_org_of(booking.instrument_id)
    policies.require_booking_visible(actor, booking_id, booking.org_id, owner)
    return _booking_read(booking)


async def list_bookings(*, actor: Actor, role: str, page: int, size: int) -> dict[str, Any]:
    """Bookings the caller's organisation made (`mine`) or received for its instruments (`owner`)."""
    org_id = policies.require_organisation(actor)
    total, rows = await repository.page_bookings(
        org_id=org_id if role == "mine" else None,
        owner_org_id=org_id if role == "owner" else None,
        offset=(page - 1) * size,
        limit=size,
    )
    return {"total": total, "page": page, "size": size, "items": [_booking_read(b) for b in rows]}


# --- the instrument's calendar ------------------------------------------------------------------------


async def _published_instrument(instrument_id: int) -> dict[str, Any]:
    instrument = await catalog_service.instrument_for_booking(instrument_id=instrument_id)
    if instrument.get("status") != "published":
        raise NotFound("instrument_not_found", f"仪器 {instrument_id} 不存在", "instrument not found")
    return instrument


def _check_window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    for name, moment in (("from", start), ("to", end)):
        if moment.tzinfo is None:
            raise Invalid.field(["query", name], "时间需带时区，如 +08:00", "a time zone offset is required")
    if end <= start:
        raise Invalid.field(["query", "to"], "to 必须晚于 from", "to must be after from")
    if end - start > AVAILABILITY_SPAN:
        raise Invalid.field(["query", "to"], "查询区间最长 92 天", "at most 92 days per query")
    return start.astimezone(UTC), end.astimezone(UTC)


async def get_availability(*, instrument_id: int, start: datetime, end: datetime) -> dict[str, Any]:
    """Open, free and taken intervals of a published instrument; taken ones carry no booker's identity."""
    start, end = _check_window(start, end)
    facts = await repository.availability_facts(instrument_id, start, end, clock.now())
    if facts is None or facts[0] != "published":
        raise NotFound("instrument_not_found", f"仪器 {instrument_id} 不存在", "instrument not found")
    _, hours, closures, taken = facts
    periods = orjson.loads(hours) if isinstance(hours, str | bytes) else hours
    opened = calendar.subtract(
        calendar.opening_intervals(periods, start, end), [(s, e) for s, e, _ in closures]
    )
    free = calendar.subtract(opened, [(s, e) for s, e, _ in taken])
    # Plain data, typed by AvailabilityRead in the API: a busy quarter has thousands of intervals, and a
    # model per interval (or validating them again) cost several times the query (bench_availability.py).
    return {
        "instrument_id": instrument_id,
        "from": start,
        "to": end,
        "open": [{"start": s, "end": e} for s, e in opened],
        "free": [{"start": s, "end": e} for s, e in free],
        "taken": [{"start": s, "end": e, "status": status} for s, e, status in taken],
        "closures": [{"start": s, "end": e, "kind": kind} for s, e, kind in closures],
    }


async def free_hours(*, instrument_ids: list[int], until: datetime) -> dict[int, float]:
    """Hours each published instrument is open and not booked between now and `until` (at most 92 days ahead),
    from the same calendar as its availability page; instruments that are not published are left out."""
    now = clock.now()
    end = min(until, now + AVAILABILITY_SPAN)
    if not instrument_ids or end <= now:
        return {}
    rules, blocked = await asyncio.gather(
        catalog_service.booking_rules(instrument_ids=instrument_ids),
        repository.blocked_intervals_of(instrument_ids, now, end, now),
    )
    hours: dict[int, float] = {}
    for instrument_id, rule in rules.items():
        opened = calendar.opening_intervals(rule.get("opening_hours"), now, end)
        free = calendar.subtract(opened, blocked.get(instrument_id, []))
        hours[instrument_id] = round(sum((e - s).total_seconds() for s, e in free) / 3600, 1)
    return hours


async def completed_bookings(*, instrument_ids: list[int]) -> dict[int, int]:
    """Completed bookings per instrument, for the matcher's provider record."""
    return await repository.completed_counts(instrument_ids) if instrument_ids else {}


def _closure_read(closure: Closure) -> ClosureRead:
    return ClosureRead(
        id=closure.id,
        instrument_id=closure.instrument_id,
        start=closure.starts_at,
        end=closure.ends_at,
        kind=ClosureKind(closure.kind),
        note=closure.note,
    )


async def add_closure(*, actor: Actor, instrument_id: int, body: Any) -> ClosureRead:
    """The owner closes the instrument for a dated interval (holiday, maintenance window)."""
    data = parse_body(ClosureCreate, body)
    instrument = await catalog_service.instrument_for_booking(instrument_id=instrument_id)
    policies.require_instrument_owner(actor, instrument.get("org_id"))
    closure = await repository.insert_closure(
        instrument_id=instrument_id,
        starts_at=data.start.astimezone(UTC),
        ends_at=data.end.astimezone(UTC),
        kind=data.kind.value,
        note=data.note,
        created_by_id=actor.user_id,
    )
    return _closure_read(closure)


async def list_closures(*, instrument_id: int) -> list[ClosureRead]:
    """Current and future closures of a published instrument (public, like its opening hours)."""
    await _published_instrument(instrument_id)
    return [_closure_read(c) for c in await repository.upcoming_closures(instrument_id, clock.now())]


async def remove_closure(*, actor: Actor, instrument_id: int, closure_id: int) -> None:
    """The owner removes a closure."""
    instrument = await catalog_service.instrument_for_booking(instrument_id=instrument_id)
    policies.require_instrument_owner(actor, instrument.get("org_id"))
    if await repository.get_closure(instrument_id, closure_id) is None:
        raise NotFound("closure_not_found", f"停用时段 {closure_id} 不存在", "closure not found")
    await repository.delete_closure(closure_id)


# --- training records -----------------------------------------------------------------------------------


def _training_read(training: Training) -> TrainingRead:
    now = clock.now()
    return TrainingRead(
        id=training.id,
        instrument_id=training.instrument_id,
        user_id=training.user_id,
        granted_by_id=training.granted_by_id,
        granted_at=training.created_at,
        expires_at=training.expires_at,
        revoked_at=training.revoked_at,
        valid=training.revoked_at is None and training.expires_at > now,
    )


async def grant_training(*, actor: Actor, instrument_id: int, body: Any) -> TrainingRead:
    """The instrument's owner records that a user is trained on it, until a given expiry."""
    data = parse_body(TrainingGrant, body)
    instrument = await catalog_service.instrument_for_booking(instrument_id=instrument_id)
    policies.require_instrument_owner(actor, instrument.get("org_id"))
    now = clock.now()
    if not now < data.expires_at <= now + TRAINING_HORIZON:
        raise Invalid.field(
            ["body", "expires_at"], "有效期须在未来五年之内", "must lie within the next five years"
        )
    try:
        training = await repository.insert_training(
            instrument_id=instrument_id,
            user_id=data.user_id,
            granted_by_id=actor.user_id,
            expires_at=data.expires_at.astimezone(UTC),
        )
    except UniqueViolation as exc:
        raise Invalid.field(["body", "user_id"], "用户不存在", "no such user") from exc
    return _training_read(training)


async def list_trainings(*, actor: Actor, instrument_id: int) -> list[TrainingRead]:
    """Training records of an instrument (its owner and admins)."""
    instrument = await catalog_service.instrument_for_booking(instrument_id=instrument_id)
    policies.require_instrument_owner(actor, instrument.get("org_id"))
    return [_training_read(t) for t in await repository.trainings_of_instrument(instrument_id)]


async def revoke_training(*, actor: Actor, instrument_id: int, training_id: int) -> TrainingRead:
    """The owner withdraws a training record before it expires."""
    instrument = await catalog_service.instrument_for_booking(instrument_id=instrument_id)
    policies.require_instrument_owner(actor, instrument.get("org_id"))
    training = await repository.get_training(instrument_id, training_id)
    if training is None:
        raise NotFound("training_not_found", f"培训记录 {training_id} 不存在", "training record not found")
    if training.revoked_at is None:
        training.revoked_at = clock.now()
        await repository.save_training(training)
    return _training_read(training)


async def booking_for_billing(*, booking_id: int) -> dict[str, Any]:
    """What a payer (a voucher) needs to know about a booking: parties, price, status, the instrument's category."""
    booking = await repository.get_booking(booking_id)
    if booking is None:
        raise _not_found(booking_id)
    instrument = await catalog_service.instrument_for_booking(instrument_id=booking.instrument_id)
    return _billing(booking, instrument)


async def bookings_for_billing(*, booking_ids: list[int]) -> dict[int, dict[str, Any]]:
    """booking_for_billing of several bookings, by id, in two queries (a list page's voucher choices)."""
    bookings = await repository.bookings_by_id(sorted(set(booking_ids)))
    instruments = await catalog_service.instruments_for_booking(
        instrument_ids=[b.instrument_id for b in bookings]
    )
    return {b.id: _billing(b, instruments.get(b.instrument_id, {})) for b in bookings}


def _billing(booking: Booking, instrument: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": booking.id,
        "org_id": booking.org_id,
        "owner_org_id": instrument.get("org_id"),
        "instrument_category": str(instrument.get("category") or ""),
        "price_fen": booking.price_fen,
        "currency": booking.currency,
        "cancel_fee_fen": booking.cancel_fee_fen,
        "status": booking.status,
    }
