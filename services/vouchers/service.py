"""创新券: admins run programmes, enterprises apply, vouchers pay part of a booking, providers redeem."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from services.accounts import service as accounts_service
from services.accounts.policies import Actor, require_admin
from services.bookings import service as bookings_service
from services.core import clock
from services.core.bodies import parse_body
from services.core.clock import CHINA_TZ
from services.core.db import Connection, UniqueViolation, transaction
from services.core.errors import Conflict, Invalid, NotFound
from services.deals import ledger
from services.orders import service as orders_service
from services.reference.vocabulary import BookingStatus
from services.testing import service as testing_service
from services.vouchers import policies, repository
from services.vouchers.lifecycle import (
    RedemptionAction,
    VoucherAction,
    next_redemption_status,
    next_voucher_status,
)
from services.vouchers.models import Redemption, Voucher, VoucherProgramme
from services.vouchers.schemas import (
    OrderVoucherUse,
    ProgrammeCreate,
    ProgrammeRead,
    RedemptionRead,
    RedemptionStatus,
    ServiceCategory,
    VoucherPart,
    VoucherRead,
    VoucherStatus,
    VoucherUse,
)

PAYABLE_BOOKING_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.APPROVED,
    BookingStatus.IN_PROGRESS,
    BookingStatus.COMPLETED,
)
# 送样检测: the price is frozen once the quote is accepted.
PAYABLE_TEST_REQUEST_STATUSES = ("accepted", "samples_received", "reported", "queried", "completed")
# Service orders: the price is frozen once the quote is accepted; not while a dispute is open.
PAYABLE_ORDER_STATUSES = ("ordered", "delivered", "completed")
_M = TypeVar("_M", bound=BaseModel)


def _programme_read(p: VoucherProgramme) -> ProgrammeRead:
    return ProgrammeRead(
        id=p.id,
        name=p.name,
        budget_fen=p.budget_fen,
        committed_fen=p.committed_fen,
        redeemed_fen=p.redeemed_fen,
        remaining_fen=p.budget_fen - p.committed_fen,
        face_value_fen=p.face_value_fen,
        eligible_org_kinds=list(p.eligible_org_kinds),
        service_categories=list(p.service_categories),
        instrument_categories=list(p.instrument_categories),
        valid_from=p.valid_from,
        valid_to=p.valid_to,
    )


def _voucher_read(v: Voucher) -> VoucherRead:
    return VoucherRead(
        id=v.id,
        programme_id=v.programme_id,
        org_id=v.org_id,
        status=VoucherStatus(v.status),
        face_value_fen=v.face_value_fen,
        balance_fen=v.balance_fen,
        created_at=v.created_at,
    )


def _redemption_read(r: Redemption, price_fen: int) -> RedemptionRead:
    return RedemptionRead(
        id=r.id,
        voucher_id=r.voucher_id,
        booking_id=r.booking_id,
        test_request_id=r.test_request_id,
        service_order_id=r.service_order_id,
        price_fen=price_fen,
        voucher_fen=r.amount_fen,
        payable_fen=price_fen - r.amount_fen,
        status=r.status,
    )


def _open_today(programme: VoucherProgramme) -> bool:
    return programme.valid_from <= clock.now().astimezone(CHINA_TZ).date() <= programme.valid_to


async def _programme(programme_id: int) -> VoucherProgramme:
    programme = await repository.get_programme(programme_id)
    if programme is None:
        raise NotFound("programme_not_found", f"创新券项目 {programme_id} 不存在", "programme not found")
    return programme


async def create_programme(*, actor: Actor, body: Any) -> ProgrammeRead:
    """An admin opens a voucher programme with its budget, eligibility, face value and validity."""
    require_admin(actor)
    data = parse_body(ProgrammeCreate, body)
    programme = await repository.insert_programme(
        **data.model_dump(mode="json", exclude={"valid_from", "valid_to"}),
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        created_by_id=actor.user_id,
    )
    return _programme_read(programme)


async def list_programmes() -> list[ProgrammeRead]:
    """Voucher programmes with their budget use (public, as the zone publishes them)."""
    return [_programme_read(p) for p in await repository.list_programmes()]


async def apply_for_voucher(*, actor: Actor, programme_id: int) -> VoucherRead:
    """An eligible, verified organisation applies for a programme's voucher (one per organisation)."""
    programme = await _programme(programme_id)
    if actor.org_id is None:
        raise Invalid.field(["body"], "需要先加入一个机构", "join an organisation first")
    org = await accounts_service.get_org(org_id=actor.org_id)
    policies.require_eligible_org(
        kind=org.kind, verified=org.verified, eligible_kinds=programme.eligible_org_kinds
    )
    if not _open_today(programme):
        raise Conflict("programme_closed", "该创新券项目不在有效期内", "the programme is not open")
    try:
        voucher = await repository.insert_voucher(
            programme_id=programme.id,
            org_id=org.id,
            applicant_id=actor.user_id,
            face_value_fen=programme.face_value_fen,
        )
    except UniqueViolation as exc:
        raise Conflict("already_applied", "本机构已申请过该项目的创新券", "already applied") from exc
    return _voucher_read(voucher)


async def _decide(*, actor: Actor, voucher_id: int, action: VoucherAction) -> VoucherRead:
    require_admin(actor)
    async with transaction() as conn:
        voucher = await repository.lock_voucher(voucher_id, conn)
        if voucher is None:
            raise NotFound("voucher_not_found", f"创新券 {voucher_id} 不存在", "voucher not found")
        voucher.status = next_voucher_status(voucher.status, action).value
        if action is VoucherAction.APPROVE:
            voucher.balance_fen = voucher.face_value_fen
        voucher.decided_by_id = actor.user_id
        voucher.decided_at = clock.now()
        await repository.save_voucher(voucher, conn)
    return _voucher_read(voucher)


async def approve_voucher(*, actor: Actor, voucher_id: int) -> VoucherRead:
    """An admin approves an application: the voucher becomes usable for its face value."""
    return await _decide(actor=actor, voucher_id=voucher_id, action=VoucherAction.APPROVE)


async def reject_voucher(*, actor: Actor, voucher_id: int) -> VoucherRead:
    """An admin rejects an application."""
    return await _decide(actor=actor, voucher_id=voucher_id, action=VoucherAction.REJECT)


async def list_vouchers(*, actor: Actor, status: str | None, page: int, size: int) -> dict[str, Any]:
    """Voucher applications and vouchers for the admin's review, newest first, optionally by status."""
    require_admin(actor)
    if status is not None and status not in {s.value for s in VoucherStatus}:
        raise Invalid.field(["query", "status"], f"未知状态 {status}", "unknown status")
    total, rows = await repository.page_vouchers(status=status, offset=(page - 1) * size, limit=size)
    return {"total": total, "page": page, "size": size, "items": [_voucher_read(v) for v in rows]}


async def my_vouchers(*, actor: Actor) -> list[VoucherRead]:
    """The caller's organisation's vouchers."""
    if actor.org_id is None:
        return []
    return [_voucher_read(v) for v in await repository.vouchers_of_org(actor.org_id)]


def _covers_instrument(programme: VoucherProgramme, instrument_category: str) -> bool:
    return ServiceCategory.INSTRUMENT_BOOKING.value in programme.service_categories and (
        not programme.instrument_categories
        or any(instrument_category.startswith(prefix) for prefix in programme.instrument_categories)
    )


def _check_eligible_service(programme: VoucherProgramme, instrument_category: str) -> None:
    if not _covers_instrument(programme, instrument_category):
        raise _ineligible()


def _ineligible() -> Invalid:
    return Invalid.field(
        ["body", "voucher_id"], "该创新券不适用于此项服务", "the voucher does not cover this service"
    )


async def _usable_voucher(actor: Actor, voucher_id: int) -> tuple[Voucher, VoucherProgramme]:
    """The caller's own active voucher of a programme valid today, or a 422 naming `voucher_id`."""
    voucher = await repository.get_voucher(voucher_id)
    if voucher is None:
        raise Invalid.field(["body", "voucher_id"], "创新券不存在", "no such voucher")
    policies.require_voucher_holder(actor, voucher.org_id)
    if voucher.status != VoucherStatus.ACTIVE:
        raise Invalid.field(["body", "voucher_id"], "创新券尚未批准或已被驳回", "the voucher is not active")
    programme = await _programme(voucher.programme_id)
    if not _open_today(programme):
        raise Invalid.field(
            ["body", "voucher_id"], "创新券已过期或尚未生效", "the voucher is not valid today"
        )
    return voucher, programme


async def _reserve(
    *,
    voucher: Voucher,
    programme: VoucherProgramme,
    price_fen: int,
    target: dict[str, int],
    also: Callable[[int, Connection], Awaitable[None]] | None = None,
) -> Redemption:
    """Reserve min(balance, price) of the voucher and of the programme's budget for one bill, atomically
    (`also` records the amount on the bill itself, in the same transaction)."""
    try:
        async with transaction() as conn:
            locked = await repository.lock_voucher(voucher.id, conn)
            assert locked is not None
            bill = {k: v for k, v in target.items() if k != "provider_org_id"}
            if await repository.has_redemption(conn, **bill):
                raise Conflict("voucher_already_used", "该订单已使用过创新券", "a voucher is already applied")
            amount = min(locked.balance_fen, price_fen)
            if amount <= 0:
                raise Invalid.field(
                    ["body", "voucher_id"], "创新券余额为零或无需支付", "nothing to pay with it"
                )
            if not await repository.commit_budget(programme.id, amount, conn):
                raise Conflict("budget_exhausted", "本期创新券预算已用完", "the programme's budget is spent")
            locked.balance_fen -= amount
            await repository.save_voucher(locked, conn)
            redemption = await repository.insert_redemption(
                conn, voucher_id=locked.id, amount_fen=amount, **target
            )
            if also is not None:
                await also(amount, conn)
            return redemption
    except UniqueViolation as exc:
        raise Conflict(
            "voucher_already_used", "该订单已使用过创新券", "a voucher is already applied"
        ) from exc


async def use_voucher_on_booking(*, actor: Actor, booking_id: int, body: Any) -> RedemptionRead:
    """Split the bill: the voucher pays up to its balance (and the programme's remaining budget), the rest is due."""
    data = parse_body(VoucherUse, body)
    billing = await bookings_service.booking_for_billing(booking_id=booking_id)
    policies.require_payer(actor, billing["org_id"])
    if billing["status"] not in PAYABLE_BOOKING_STATUSES:
        raise Conflict("booking_not_payable", "该预约当前不能使用创新券", "the booking cannot be paid now")
    voucher, programme = await _usable_voucher(actor, data.voucher_id)
    _check_eligible_service(programme, billing["instrument_category"])
    redemption = await _reserve(
        voucher=voucher,
        programme=programme,
        price_fen=int(billing["price_fen"]),
        target={"booking_id": booking_id, "provider_org_id": billing["owner_org_id"]},
    )
    return _redemption_read(redemption, int(billing["price_fen"]))


async def use_voucher_on_test_request(*, actor: Actor, request_id: int, body: Any) -> RedemptionRead:
    """Split a 送样检测 bill once the quote is accepted: the voucher pays its part, the requester the rest."""
    data = parse_body(VoucherUse, body)
    billing = await testing_service.test_request_for_billing(actor=actor, request_id=request_id)
    policies.require_payer(actor, billing["org_id"])
    if billing["price_fen"] is None or billing["status"] not in PAYABLE_TEST_REQUEST_STATUSES:
        raise Conflict(
            "test_request_not_payable",
            "报价被接受后才能使用创新券",
            "apply a voucher after accepting the quote",
        )
    voucher, programme = await _usable_voucher(actor, data.voucher_id)
    if ServiceCategory.TEST_REQUEST.value not in programme.service_categories:
        raise _ineligible()
    redemption = await _reserve(
        voucher=voucher,
        programme=programme,
        price_fen=int(billing["price_fen"]),
        target={"test_request_id": request_id, "provider_org_id": billing["provider_org_id"]},
    )
    return _redemption_read(redemption, int(billing["price_fen"]))


async def redeem_test_request_voucher(*, actor: Actor, request_id: int) -> RedemptionRead:
    """The lab redeems the voucher part once the requester accepted the result report."""
    billing = await testing_service.test_request_for_billing(actor=actor, request_id=request_id)
    policies.require_provider(actor, billing["provider_org_id"])
    if billing["status"] != "completed":
        raise Conflict(
            "service_not_completed", "检测完成后才能核销创新券", "redeem after the result is accepted"
        )
    async with transaction() as conn:
        redemption = await repository.redemption_of_test_request(request_id, conn)
        if redemption is None:
            raise NotFound("redemption_not_found", "该检测委托未使用创新券", "no voucher on this request")
        await _redeem(redemption, conn)
    return _redemption_read(redemption, int(billing["price_fen"]))


async def _redeem(redemption: Redemption, conn: Connection) -> None:
    redemption.status = next_redemption_status(redemption.status, RedemptionAction.REDEEM).value
    redemption.redeemed_at = clock.now()
    await repository.save_redemption(redemption, conn)
    voucher = await repository.get_voucher(redemption.voucher_id)
    assert voucher is not None
    await repository.record_redeemed(voucher.programme_id, redemption.amount_fen, conn)


def booking_redeemable(status: str, cancel_fee_fen: int) -> bool:
    """Whether a booking's voucher part may be redeemed now: the service is completed, or a cancellation fee
    is kept (the voucher pays that part of it)."""
    return status == BookingStatus.COMPLETED or (status == BookingStatus.CANCELLED and cancel_fee_fen > 0)


async def redeem_booking_voucher(*, actor: Actor, booking_id: int) -> RedemptionRead:
    """The provider redeems the voucher part once the booked service is completed, or, of a booking cancelled
    after the cut-off, the part of the cancellation fee the voucher kept."""
    billing = await bookings_service.booking_for_billing(booking_id=booking_id)
    policies.require_provider(actor, billing["owner_org_id"])
    fee_kept = billing["status"] == BookingStatus.CANCELLED and billing["cancel_fee_fen"] > 0
    if not booking_redeemable(billing["status"], billing["cancel_fee_fen"]):
        raise Conflict(
            "service_not_completed", "服务完成后才能核销创新券", "redeem after the service is completed"
        )
    async with transaction() as conn:
        redemption = await repository.redemption_of_booking(booking_id, conn)
        if redemption is None:
            raise NotFound("redemption_not_found", "该预约未使用创新券", "no voucher on this booking")
        if fee_kept and redemption.status == RedemptionStatus.RESERVED:
            # Part of the fee the booker owes is paid by the programme instead.
            voucher = await repository.get_voucher(redemption.voucher_id)
            assert voucher is not None
            await ledger.record_fee_paid_by_voucher(
                booking_id=booking_id,
                booker_org_id=billing["org_id"],
                programme_id=voucher.programme_id,
                amount_fen=redemption.amount_fen,
                currency=billing["currency"],
                connection=conn,
            )
        await _redeem(redemption, conn)
    return _redemption_read(redemption, int(billing["price_fen"]))


RELEASABLE_BOOKING_STATUSES = (BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.EXPIRED)
# Outbox topics whose changes may give a voucher part back (settle_closed_bill, run by the worker).
SETTLING_TOPICS = (bookings_service.BOOKING_TOPIC, orders_service.ORDER_TOPIC)


async def _give_back(redemption: Redemption, keep_fen: int, conn: Connection) -> int:
    """Return all but `keep_fen` of a reserved voucher part to the voucher and to the budget; what went back.

    What is kept stays reserved (the provider redeems it); with nothing kept the redemption is released."""
    back = int(redemption.amount_fen) - keep_fen
    if back <= 0:
        return 0
    voucher = await repository.lock_voucher(redemption.voucher_id, conn)
    assert voucher is not None
    voucher.balance_fen += back
    await repository.save_voucher(voucher, conn)
    await repository.release_budget(voucher.programme_id, back, conn)
    if keep_fen > 0:
        redemption.amount_fen = keep_fen
    else:
        redemption.status = next_redemption_status(redemption.status, RedemptionAction.RELEASE).value
    await repository.save_redemption(redemption, conn)
    return back


async def _settle_booking(billing: dict[str, Any], conn: Connection) -> tuple[Redemption | None, int]:
    """A booking that will not happen gives its voucher part back, keeping what pays a cancellation fee due."""
    redemption = await repository.redemption_of_booking(int(billing["id"]), conn)
    if redemption is None or redemption.status != RedemptionStatus.RESERVED:
        return redemption, 0
    keep = min(redemption.amount_fen, int(billing["cancel_fee_fen"]))
    return redemption, await _give_back(redemption, keep, conn)


async def release_booking_voucher(*, actor: Actor, booking_id: int) -> RedemptionRead:
    """Give back the voucher part of a booking that fell through (the worker does it too, on its own)."""
    billing = await bookings_service.booking_for_billing(booking_id=booking_id)
    policies.require_either_party(actor, billing["org_id"], billing["owner_org_id"])
    if billing["status"] not in RELEASABLE_BOOKING_STATUSES:
        raise Conflict(
            "booking_still_live", "预约取消、驳回或过期后才能退回创新券", "the booking is still live"
        )
    async with transaction() as conn:
        redemption, back = await _settle_booking(billing, conn)
        if redemption is None:
            raise NotFound("redemption_not_found", "该预约未使用创新券", "no voucher on this booking")
        if back == 0:
            raise Conflict(
                "nothing_to_release", "创新券已退回（或仅余违约金部分）", "nothing left to give back"
            )
    return _redemption_read(redemption, int(billing["price_fen"]))


def booking_releasable(status: str, cancel_fee_fen: int, part: VoucherPart) -> bool:
    """Whether a booking's voucher part may be given back now: the booking fell through and the part is still
    reserved beyond what pays a cancellation fee (see _settle_booking)."""
    return (
        status in RELEASABLE_BOOKING_STATUSES
        and part.status is RedemptionStatus.RESERVED
        and part.voucher_fen > cancel_fee_fen
    )


async def use_voucher_on_service_order(*, actor: Actor, order_id: int, body: Any) -> RedemptionRead:
    """Split a service order's bill: the voucher pays one milestone, or the unpaid ones in order, up to its
    balance; the buyer pays the rest of each milestone through the payment port."""
    data = parse_body(OrderVoucherUse, body)
    billing = await orders_service.order_for_billing(actor=actor, order_id=order_id, seq=data.milestone_seq)
    policies.require_payer(actor, billing["buyer_org_id"])
    if billing["status"] not in PAYABLE_ORDER_STATUSES or billing["price_fen"] is None:
        raise Conflict(
            "order_not_payable",
            "报价被接受后（且无未决争议时）才能使用创新券",
            "apply a voucher to an agreed order without an open dispute",
        )
    voucher, programme = await _usable_voucher(actor, data.voucher_id)
    if ServiceCategory.SERVICE_ORDER.value not in programme.service_categories:
        raise _ineligible()
    targets: list[tuple[int, int]] = billing["targets"]
    if not targets:
        raise Invalid.field(
            ["body", "milestone_seq"], "该里程碑已支付或正在支付", "the milestone is paid or being paid"
        )

    async def cover(amount_fen: int, conn: Connection) -> None:
        await orders_service.set_voucher_cover(
            order_id=order_id, cover=orders_service.allocate_cover(targets, amount_fen), connection=conn
        )

    redemption = await _reserve(
        voucher=voucher,
        programme=programme,
        price_fen=sum(amount for _, amount in targets),
        target={"service_order_id": order_id, "provider_org_id": billing["provider_org_id"]},
        also=cover,
    )
    return _redemption_read(redemption, int(billing["price_fen"]))


async def redeem_service_order_voucher(*, actor: Actor, order_id: int) -> RedemptionRead:
    """The provider redeems the voucher part once the buyer accepted the delivery (or an admin ruled so)."""
    billing = await orders_service.order_for_billing(actor=actor, order_id=order_id, seq=None)
    policies.require_provider(actor, billing["provider_org_id"])
    if billing["status"] != "completed":
        raise Conflict(
            "service_not_completed", "订单完成后才能核销创新券", "redeem after the order is completed"
        )
    async with transaction() as conn:
        redemption = await repository.redemption_of_service_order(order_id, conn)
        if redemption is None:
            raise NotFound("redemption_not_found", "该订单未使用创新券", "no voucher on this order")
        await _redeem(redemption, conn)
        await orders_service.credit_voucher_milestones(actor=actor, order_id=order_id)
    return _redemption_read(redemption, int(billing["price_fen"]))


async def settle_closed_bill(
    *, topic: str, aggregate_id: int, payload: dict[str, Any], connection: Connection
) -> int:
    """Outbox handler (the worker): a booking cancelled, rejected or expired, or a service order cancelled,
    gives its voucher part back to the voucher and the budget — all but a cancellation fee's part. Idempotent."""
    status = payload.get("status")
    if topic == bookings_service.BOOKING_TOPIC and status in RELEASABLE_BOOKING_STATUSES:
        billing = await bookings_service.booking_for_billing(booking_id=aggregate_id)
        return (await _settle_booking(billing, connection))[1]
    if topic == orders_service.ORDER_TOPIC and status == "cancelled":
        redemption = await repository.redemption_of_service_order(aggregate_id, connection)
        if redemption is None or redemption.status != RedemptionStatus.RESERVED:
            return 0
        await orders_service.set_voucher_cover(order_id=aggregate_id, cover={}, connection=connection)
        return await _give_back(redemption, 0, connection)
    return 0


# --- what the portal shows beside a bill ---------------------------------------------------------------------


def _part_read(redemption: Redemption) -> VoucherPart:
    return VoucherPart(
        voucher_id=redemption.voucher_id,
        face_value_fen=redemption.voucher.face_value_fen,
        voucher_fen=redemption.amount_fen,
        status=RedemptionStatus(redemption.status),
    )


async def _visible_parts(actor: Actor, column: str, bill_ids: list[int]) -> dict[int, VoucherPart]:
    rows = await repository.redemptions_of_bills(column, bill_ids)
    return {
        int(getattr(r, column)): _part_read(r)
        for r in rows
        if policies.may_see_part(actor, r.voucher.org_id, r.provider_org_id)
    }


async def booking_voucher_parts(*, actor: Actor, booking_ids: list[int]) -> dict[int, VoucherPart]:
    """The voucher parts of these bookings, by booking, that the caller's organisation pays with or is paid."""
    return await _visible_parts(actor, "booking_id", booking_ids)


async def voucher_part_of_test_request(*, actor: Actor, request_id: int) -> VoucherPart | None:
    """The voucher part of a test request, if the caller's organisation pays with it or is paid."""
    return (await _visible_parts(actor, "test_request_id", [request_id])).get(request_id)


async def _usable_vouchers(actor: Actor, service: ServiceCategory) -> list[tuple[Voucher, VoucherProgramme]]:
    """The caller's organisation's active vouchers with a balance, of programmes open today covering the service."""
    if actor.org_id is None:
        return []
    vouchers = [
        v
        for v in await repository.vouchers_of_org(actor.org_id)
        if v.status == VoucherStatus.ACTIVE and v.balance_fen > 0
    ]
    programmes = await repository.programmes_by_id(sorted({v.programme_id for v in vouchers}))
    return [
        (v, p)
        for v in vouchers
        if (p := programmes.get(v.programme_id)) is not None
        and _open_today(p)
        and service.value in p.service_categories
    ]


async def voucher_choices_for_bookings(
    *, actor: Actor, booking_ids: list[int]
) -> dict[int, list[VoucherRead]]:
    """For each of these bookings that the caller's organisation may still pay with a voucher, the vouchers it may
    apply (bookings without any are left out)."""
    usable = await _usable_vouchers(actor, ServiceCategory.INSTRUMENT_BOOKING)
    if not usable or not booking_ids:
        return {}
    taken = {r.booking_id for r in await repository.redemptions_of_bills("booking_id", booking_ids)}
    billings = await bookings_service.bookings_for_billing(
        booking_ids=[i for i in booking_ids if i not in taken]
    )
    choices: dict[int, list[VoucherRead]] = {}
    for booking_id, billing in billings.items():
        if billing["org_id"] != actor.org_id or billing["status"] not in PAYABLE_BOOKING_STATUSES:
            continue
        fitting = [
            _voucher_read(v) for v, p in usable if _covers_instrument(p, billing["instrument_category"])
        ]
        if fitting:
            choices[booking_id] = fitting
    return choices


async def voucher_choices_for_test_request(*, actor: Actor, request_id: int) -> list[VoucherRead]:
    """The vouchers the caller's organisation may apply to its test request now (none once one is applied)."""
    billing = await testing_service.test_request_for_billing(actor=actor, request_id=request_id)
    payable = billing["price_fen"] is not None and billing["status"] in PAYABLE_TEST_REQUEST_STATUSES
    if billing["org_id"] != actor.org_id or not payable:
        return []
    if await repository.redemption_of_test_request(request_id) is not None:
        return []
    return [_voucher_read(v) for v, _ in await _usable_vouchers(actor, ServiceCategory.TEST_REQUEST)]


async def voucher_choices_for_service_order(*, actor: Actor) -> list[VoucherRead]:
    """The vouchers the caller's organisation may apply to a service order: active, with a balance, of a
    programme open today that covers service orders."""
    return [_voucher_read(v) for v, _ in await _usable_vouchers(actor, ServiceCategory.SERVICE_ORDER)]
