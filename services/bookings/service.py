"""Bookings: request a slot of an instrument, the owner decides, everyone involved reads it."""

from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from services.accounts.policies import Actor
from services.bookings import policies, repository
from services.bookings.lifecycle import BookingAction, next_status
from services.bookings.models import Booking
from services.bookings.pricing import price_booking
from services.bookings.schemas import BookingCreate, BookingRead, BookingStatus
from services.catalog import service as catalog_service
from services.catalog.service import validate_json_body, validation_errors
from services.core import clock
from services.core.errors import Conflict, Invalid, NotFound
from services.notifications import service as notifications
from services.notifications.schemas import NotificationKind


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


def _parse_create(body: Any) -> BookingCreate:
    if not isinstance(body, dict):
        raise Invalid.field(["body"], "需要 JSON 对象 (a JSON object is required)")
    try:
        return validate_json_body(BookingCreate, body)
    except ValidationError as exc:
        raise validation_errors(exc, ["body"]) from exc


def _not_found(booking_id: int) -> NotFound:
    return NotFound("booking_not_found", f"预约 {booking_id} 不存在", "booking not found")


async def create_booking(*, actor: Actor, body: Any) -> BookingRead:
    """Book an instrument slot; overlapping live bookings are refused by the database itself."""
    data = _parse_create(body)
    instrument = await catalog_service.instrument_for_booking(instrument_id=data.instrument_id)
    org_id = policies.require_organisation(actor)
    if instrument.get("status") != "published" or instrument.get("availability") != "available":
        raise Conflict("instrument_unavailable", "该仪器当前不可预约", "instrument not available")
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
            booking = await repository.insert_booking(
                conn,
                instrument_id=instrument["id"],
                org_id=org_id,
                user_id=actor.user_id,
                starts_at=start,
                ends_at=end,
                mode=data.mode.value,
                status=BookingStatus.PENDING.value,
                price_fen=price,
                note=data.note,
            )
    except IntegrityError as exc:
        if "deals_booking_no_overlap" in str(exc):
            raise Conflict("slot_taken", "该时段已被预约", "the slot overlaps another booking") from exc
        raise
    return _booking_read(booking)


async def _decide(*, actor: Actor, booking_id: int, action: BookingAction, reason: str | None) -> BookingRead:
    booking = await repository.get_booking(booking_id)
    if booking is None:
        raise _not_found(booking_id)
    policies.require_instrument_owner(actor, await catalog_service.owner_org_of(booking.instrument_id))
    async with in_transaction() as conn:
        locked = await repository.lock_booking(booking_id, conn)
        if locked is None:
            raise _not_found(booking_id)
        locked.status = next_status(locked.status, action).value
        locked.decided_by_id = actor.user_id
        locked.decided_at = clock.now()
        locked.reject_reason = reason if action is BookingAction.REJECT else None
        await repository.save_booking(locked, conn)
        await notifications.notify(
            connection=conn,
            user_ids=[locked.user_id],
            kind=NotificationKind.BOOKING_DECIDED,
            title=f"您的仪器预约 #{locked.id} 已{'通过' if action is BookingAction.APPROVE else '被拒绝'}",
            link="/me/bookings",
        )
    return _booking_read(locked)


async def approve_booking(*, actor: Actor, booking_id: int) -> BookingRead:
    """The instrument's owner approves a pending booking."""
    return await _decide(actor=actor, booking_id=booking_id, action=BookingAction.APPROVE, reason=None)


async def reject_booking(*, actor: Actor, booking_id: int, reason: str | None) -> BookingRead:
    """The instrument's owner rejects a pending booking, with an optional reason."""
    return await _decide(actor=actor, booking_id=booking_id, action=BookingAction.REJECT, reason=reason)


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
