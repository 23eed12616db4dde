"""Instrument bookings in the portal: the booking form, 我的预约 (with 创新券: use one, give it back when the
booking falls through), and the owner's 预约审批 (usage records, 核销创新券 once the service is done)."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.accounts import service as accounts_service
from services.bookings import service as bookings_service
from services.bookings.schemas import BookingFinish, BookingRead
from services.catalog import service as catalog_service
from services.core.errors import Conflict, DomainError, Forbidden, Invalid
from services.vouchers import service as vouchers_service
from services.vouchers.schemas import RedemptionStatus
from web.deps import CurrentUser, Page
from web.pages.csrf import CheckedForm
from web.pages.forms import (
    GENERAL,
    BlankIsNone,
    beijing,
    bind,
    domain_errors,
    form_int,
    form_values,
    human_message,
)
from web.pages.portal import listing_context
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
MINE = "/me/bookings"
APPROVALS = "/me/booking-approvals"
CONFLICT_MESSAGES = {
    "slot_taken": "该时段已被其他用户预约，请换一个时间段再试。",
    "instrument_unavailable": "该仪器当前不可预约（维护中或已停用）。",
}


class BookingForm(BaseModel):
    start: datetime
    end: datetime
    mode: Literal["self", "commissioned"]
    samples: Annotated[Annotated[int, Field(ge=1, le=10_000)] | None, BlankIsNone] = None
    note: str = Field(default="", max_length=2000)


class RejectForm(BaseModel):
    reason: str = Field(default="", max_length=2000)


@router.post("/listings/instrument/{listing_id}/book", response_class=HTMLResponse)
async def book(request: Request, listing_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    values = form_values(form)
    data, errors = bind(BookingForm, values)
    status_code = 422
    if data is not None:
        start, end = beijing(data.start), beijing(data.end)
        if end <= start:
            errors = {"end": "结束时间必须晚于开始时间"}
        else:
            body: dict[str, Any] = {
                "instrument_id": listing_id,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "mode": data.mode,
                "note": data.note,
            }
            if data.samples is not None:
                body["samples"] = data.samples
            try:
                await bookings_service.create_booking(actor=user, body=body)
            except Conflict as exc:
                errors = {GENERAL: CONFLICT_MESSAGES.get(exc.code, human_message(exc))}
                status_code = 409
            except Forbidden as exc:
                errors, status_code = {GENERAL: human_message(exc)}, 403
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                return redirect(MINE, notice="booked")
    context = await listing_context(user, "instrument", listing_id)
    context.update(booking_values={**context["booking_values"], **values}, booking_errors=errors)
    return await render(request, "listing_instrument.html", context, actor=user, status_code=status_code)


async def _rows(user: Any, items: list[BookingRead], *, booker: bool) -> list[dict[str, Any]]:
    bookings = [{**item.model_dump(), "mode": item.mode.value} for item in items]
    titles = await catalog_service.listing_titles(ids=[b["instrument_id"] for b in bookings])
    orgs = await accounts_service.org_names(org_ids=[b["org_id"] for b in bookings])
    for booking in bookings:
        booking["instrument_title"] = titles.get(booking["instrument_id"], f"仪器 {booking['instrument_id']}")
        booking["org_name"] = orgs.get(booking["org_id"], "")
        booking["hours"] = f"{(booking['end'] - booking['start']).total_seconds() / 3600:.1f}".removesuffix(
            ".0"
        )
    await _with_vouchers(user, bookings, booker=booker)
    return bookings


async def _with_vouchers(user: Any, bookings: list[dict[str, Any]], *, booker: bool) -> None:
    """Each booking's 创新券: the part applied, what the bill charges, the vouchers the booker may still apply,
    and whether this side may give the part back (the booker) or redeem it (the owner) now."""
    parts = await vouchers_service.booking_voucher_parts(actor=user, booking_ids=[b["id"] for b in bookings])
    open_ids = [
        b["id"]
        for b in bookings
        if b["id"] not in parts and b["status"] in vouchers_service.PAYABLE_BOOKING_STATUSES
    ]
    choices = (
        await vouchers_service.voucher_choices_for_bookings(actor=user, booking_ids=open_ids)
        if booker
        else {}
    )
    for b in bookings:
        part = b["voucher"] = parts.get(b["id"])
        live = b["status"] in vouchers_service.PAYABLE_BOOKING_STATUSES
        b["due_fen"] = b["price_fen"] if live else b["cancel_fee_fen"]
        b["voucher_choices"] = choices.get(b["id"], [])
        b["may_release"] = (
            booker
            and part is not None
            and vouchers_service.booking_releasable(b["status"], b["cancel_fee_fen"], part)
        )
        b["may_redeem"] = (
            not booker
            and part is not None
            and part.status is RedemptionStatus.RESERVED
            and vouchers_service.booking_redeemable(b["status"], b["cancel_fee_fen"])
        )


async def _mine_context(user: Any, page: int, errors: dict[int, str]) -> dict[str, Any]:
    result = await bookings_service.list_bookings(actor=user, role="mine", page=page, size=PAGE_SIZE)
    return {
        "bookings": await _rows(user, result["items"], booker=True),
        "total": result["total"],
        "paging": pager(MINE, page, result["total"], PAGE_SIZE),
        "errors": errors,
    }


@router.get("/me/bookings", response_class=HTMLResponse)
async def my_bookings(request: Request, user: CurrentUser, page: Page = 1) -> Response:
    context = await _mine_context(user, page, {})
    return await render(request, "bookings.html", context, actor=user)


async def _approvals_context(user: Any, page: int, errors: dict[int, str]) -> dict[str, Any]:
    result = await bookings_service.list_bookings(actor=user, role="owner", page=page, size=PAGE_SIZE)
    rows = await _rows(user, result["items"], booker=False)
    return {
        "pending": [row for row in rows if row["status"] == "pending"],
        "decided": [row for row in rows if row["status"] != "pending"],
        "total": result["total"],
        "paging": pager(APPROVALS, page, result["total"], PAGE_SIZE),
        "errors": errors,
    }


# The two lists a booking step returns to: its template and its context (with refusals beside their bookings).
PAGES: dict[str, tuple[str, Callable[[Any, int, dict[int, str]], Awaitable[dict[str, Any]]]]] = {
    MINE: ("bookings.html", _mine_context),
    APPROVALS: ("booking_approvals.html", _approvals_context),
}


@router.post("/bookings/{booking_id}/cancel")
async def cancel(booking_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    cancelled = await bookings_service.cancel_booking(actor=user, booking_id=booking_id)
    return redirect(MINE, notice="booking_cancelled_fee" if cancelled.cancel_fee_fen else "booking_cancelled")


@router.get("/me/booking-approvals", response_class=HTMLResponse)
async def booking_approvals(request: Request, user: CurrentUser, page: Page = 1) -> Response:
    context = await _approvals_context(user, page, {})
    return await render(request, "booking_approvals.html", context, actor=user)


@router.post("/bookings/{booking_id}/approve")
async def approve(booking_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    await bookings_service.approve_booking(actor=user, booking_id=booking_id)
    return redirect(APPROVALS, notice="booking_approved")


@router.post("/bookings/{booking_id}/reject", response_class=HTMLResponse)
async def reject(request: Request, booking_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    data, _ = bind(RejectForm, form_values(form))
    reason = data.reason.strip() if data else ""
    if len(reason) < 2:
        # The applicant reads the reason: a rejection without one is refused and nothing changes.
        context = await _approvals_context(
            user, 1, {booking_id: "请填写拒绝理由（至少 2 个字），申请方会看到它。"}
        )
        return await render(request, "booking_approvals.html", context, actor=user, status_code=422)
    await bookings_service.reject_booking(actor=user, booking_id=booking_id, reason=reason)
    return redirect(APPROVALS, notice="booking_rejected")


# --- Usage recording (有效机时): the owner records start, end and effective hours, or a no-show; the 开放共享
# report counts what is recorded here.


async def _refused(
    request: Request, user: Any, booking_id: int, message: str, path: str = APPROVALS
) -> Response:
    template, context_of = PAGES[path]
    context = await context_of(user, 1, {booking_id: message})
    return await render(request, template, context, actor=user, status_code=422)


async def _record_use(
    request: Request,
    user: Any,
    booking_id: int,
    step: Callable[[], Awaitable[Any]],
    notice: str,
    path: str = APPROVALS,
) -> Response:
    """One step on a booking's list; a refusal (too early, too many hours, a slot not begun, a voucher that does
    not apply) is said beside its booking. Who may take it is the service's call: a refusal of the caller
    (another organisation's booking) is the error page."""
    try:
        await step()
    except (Conflict, Invalid) as exc:
        return await _refused(request, user, booking_id, human_message(exc), path)
    return redirect(path, notice=notice)


@router.post("/bookings/{booking_id}/start", response_class=HTMLResponse)
async def start_use(request: Request, booking_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    start = lambda: bookings_service.start_booking(actor=user, booking_id=booking_id)  # noqa: E731
    return await _record_use(request, user, booking_id, start, "booking_started")


@router.post("/bookings/{booking_id}/finish", response_class=HTMLResponse)
async def finish_use(request: Request, booking_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    data, _ = bind(BookingFinish, form_values(form))
    if data is None:
        return await _refused(request, user, booking_id, "请填写有效机时（小时，最多两位小数）。")
    body = {"effective_hours": str(data.effective_hours)}
    finish = lambda: bookings_service.finish_booking(actor=user, booking_id=booking_id, body=body)  # noqa: E731
    return await _record_use(request, user, booking_id, finish, "booking_finished")


@router.post("/bookings/{booking_id}/no-show", response_class=HTMLResponse)
async def no_show(request: Request, booking_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    mark = lambda: bookings_service.mark_no_show(actor=user, booking_id=booking_id)  # noqa: E731
    return await _record_use(request, user, booking_id, mark, "booking_no_show")


# --- 创新券: the booker applies its organisation's voucher and gives it back when the booking falls through;
# the owner redeems it once the service is done (services.vouchers decides each).


@router.post("/bookings/{booking_id}/voucher", response_class=HTMLResponse)
async def use_voucher(request: Request, booking_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    body = {"voucher_id": form_int(form_values(form).get("voucher_id"))}
    use = lambda: vouchers_service.use_voucher_on_booking(actor=user, booking_id=booking_id, body=body)  # noqa: E731
    return await _record_use(request, user, booking_id, use, "voucher_used", MINE)


@router.post("/bookings/{booking_id}/voucher/release", response_class=HTMLResponse)
async def release_voucher(
    request: Request, booking_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    release = lambda: vouchers_service.release_booking_voucher(actor=user, booking_id=booking_id)  # noqa: E731
    return await _record_use(request, user, booking_id, release, "voucher_released", MINE)


@router.post("/bookings/{booking_id}/voucher/redeem", response_class=HTMLResponse)
async def redeem_voucher(request: Request, booking_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    redeem = lambda: vouchers_service.redeem_booking_voucher(actor=user, booking_id=booking_id)  # noqa: E731
    return await _record_use(request, user, booking_id, redeem, "voucher_redeemed")
