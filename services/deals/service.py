"""Instrument bookings (contracts, registration and payments live in their own modules)."""

import math
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from services.accounts.policies import Actor, require_member
from services.core import clock
from services.core.errors import Conflict, Forbidden, Invalid, NotFound
from services.deals import repository
from services.deals.models import Booking
from services.deals.schemas import BookingCreate, BookingRead
from services.deals.schemas import parse_body as _parse

# --- bookings --------------------------------------------------------------------------------------------


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
    )


def price_booking(fees: list[dict[str, Any]], hours: Decimal, samples: int | None, mode: str) -> int:
    """Price of a booking from the instrument's fee schedule, in fen (hours rounded up)."""
    by_unit = {f["unit"]: int(f["price_fen"]) for f in fees}
    if mode == "commissioned" and samples and "sample" in by_unit:
        return by_unit["sample"] * samples
    # Started hours bill in full (Decimal's // truncates toward zero, so ceil explicitly).
    whole_hours = math.ceil(hours)
    if "hour" in by_unit:
        return by_unit["hour"] * whole_hours
    if "day" in by_unit:
        return by_unit["day"] * int(-(-whole_hours // 24))
    if "sample" in by_unit:
        return by_unit["sample"] * (samples or 1)
    return 0


async def create_booking(*, actor: Actor, body: Any, instrument: dict[str, Any]) -> BookingRead:
    """Book an instrument slot; overlapping live bookings are refused by the database itself."""
    data = _parse(BookingCreate, body)
    if actor.org_id is None:
        raise Forbidden("no_organisation", "需要先加入一个机构 (join an organisation first)")
    if instrument.get("status") != "published" or instrument.get("availability") != "available":
        raise Conflict("instrument_unavailable", "该仪器当前不可预约 (instrument not available)")
    if data.mode.value not in (instrument.get("service_modes") or []):
        raise Invalid.field(["body", "mode"], "该仪器不提供此服务方式 (mode not offered)")
    rules = instrument.get("booking") or {}
    start, end = data.start.astimezone(UTC), data.end.astimezone(UTC)
    hours = Decimal((end - start).total_seconds()) / Decimal(3600)
    if hours > Decimal(rules.get("max_hours", 24 * 14)):
        raise Invalid.field(["body", "end"], f"单次预约最长 {rules.get('max_hours')} 小时 (booking too long)")
    if start < clock.now() + timedelta(hours=int(rules.get("min_notice_hours", 0))):
        raise Invalid.field(
            ["body", "start"], f"需提前至少 {rules.get('min_notice_hours')} 小时预约 (too short notice)"
        )
    price = price_booking(instrument.get("fees") or [], hours, data.samples, data.mode.value)
    try:
        async with in_transaction() as conn:
            booking = await Booking.create(
                instrument_id=instrument["id"],
                org_id=actor.org_id,
                user_id=actor.user_id,
                starts_at=start,
                ends_at=end,
                mode=data.mode.value,
                status="pending",
                price_fen=price,
                note=data.note,
                using_db=conn,
            )
    except IntegrityError as exc:
        if "deals_booking_no_overlap" in str(exc):
            raise Conflict("slot_taken", "该时段已被预约 (the slot overlaps another booking)") from exc
        raise
    return _booking_read(booking)


async def decide_booking(
    *, actor: Actor, booking_id: int, approve: bool, reason: str | None, owner_org_id: int
) -> BookingRead:
    """The instrument's owner approves or rejects a pending booking."""
    require_member(actor, owner_org_id)
    async with in_transaction() as conn:
        booking = await repository.get_booking(booking_id, conn)
        if booking is None:
            raise NotFound("booking_not_found", f"预约 {booking_id} 不存在 (booking not found)")
        if booking.status != "pending":
            raise Conflict("invalid_transition", f"状态 {booking.status} 不能审批 (booking not pending)")
        booking.status = "approved" if approve else "rejected"
        booking.decided_by_id = actor.user_id
        booking.decided_at = clock.now()
        booking.reject_reason = None if approve else reason
        await booking.save(using_db=conn)
    return _booking_read(booking)


async def get_booking(*, actor: Actor, booking_id: int, owner_org_id_of: Any) -> BookingRead:
    """One booking (the booking organisation, the instrument's owner, admins)."""
    booking = await repository.get_booking(booking_id)
    if booking is None:
        raise NotFound("booking_not_found", f"预约 {booking_id} 不存在 (booking not found)")
    owner = await owner_org_id_of(booking.instrument_id)
    if not (actor.is_admin or actor.org_id in (booking.org_id, owner)):
        raise NotFound("booking_not_found", f"预约 {booking_id} 不存在 (booking not found)")
    return _booking_read(booking)


async def booking_instrument_id(*, booking_id: int) -> int:
    """The instrument a booking is for."""
    booking = await repository.get_booking(booking_id)
    if booking is None:
        raise NotFound("booking_not_found", f"预约 {booking_id} 不存在 (booking not found)")
    return booking.instrument_id


async def list_bookings(*, actor: Actor, role: str, page: int, size: int) -> dict[str, Any]:
    """Bookings the caller's organisation made (`mine`) or received for its instruments (`owner`)."""
    if actor.org_id is None:
        raise Forbidden("no_organisation", "需要先加入一个机构 (join an organisation first)")
    total, rows = await repository.page_bookings(
        instrument_id=None,
        org_id=actor.org_id if role == "mine" else None,
        owner_org_id=actor.org_id if role == "owner" else None,
        offset=(page - 1) * size,
        limit=size,
    )
    return {"total": total, "page": page, "size": size, "items": [_booking_read(b) for b in rows]}
