"""Instrument bookings in the portal: the booking form, 我的预约, and the owner's 预约审批."""

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
from web.deps import CurrentUser, Page
from web.pages.csrf import CheckedForm
from web.pages.forms import GENERAL, BlankIsNone, beijing, bind, domain_errors, form_values, human_message
from web.pages.portal import listing_context
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
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
                return redirect("/me/bookings", notice="booked")
    context = await listing_context(user, "instrument", listing_id)
    context.update(booking_values={**context["booking_values"], **values}, booking_errors=errors)
    return await render(request, "listing_instrument.html", context, actor=user, status_code=status_code)


async def _rows(items: list[BookingRead]) -> list[dict[str, Any]]:
    bookings = [{**item.model_dump(), "mode": item.mode.value} for item in items]
    titles = await catalog_service.listing_titles(ids=[b["instrument_id"] for b in bookings])
    orgs = await accounts_service.org_names(org_ids=[b["org_id"] for b in bookings])
    for booking in bookings:
        booking["instrument_title"] = titles.get(booking["instrument_id"], f"仪器 {booking['instrument_id']}")
        booking["org_name"] = orgs.get(booking["org_id"], "")
        booking["hours"] = f"{(booking['end'] - booking['start']).total_seconds() / 3600:.1f}".removesuffix(
            ".0"
        )
    return bookings


@router.get("/me/bookings", response_class=HTMLResponse)
async def my_bookings(request: Request, user: CurrentUser, page: Page = 1) -> Response:
    result = await bookings_service.list_bookings(actor=user, role="mine", page=page, size=PAGE_SIZE)
    context = {
        "bookings": await _rows(result["items"]),
        "total": result["total"],
        "paging": pager("/me/bookings", page, result["total"], PAGE_SIZE),
    }
    return await render(request, "bookings.html", context, actor=user)


async def _approvals_context(user: Any, page: int, errors: dict[int, str]) -> dict[str, Any]:
    result = await bookings_service.list_bookings(actor=user, role="owner", page=page, size=PAGE_SIZE)
    rows = await _rows(result["items"])
    return {
        "pending": [row for row in rows if row["status"] == "pending"],
        "decided": [row for row in rows if row["status"] != "pending"],
        "total": result["total"],
        "paging": pager("/me/booking-approvals", page, result["total"], PAGE_SIZE),
        "errors": errors,
    }


@router.post("/bookings/{booking_id}/cancel")
async def cancel(booking_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    cancelled = await bookings_service.cancel_booking(actor=user, booking_id=booking_id)
    return redirect(
        "/me/bookings", notice="booking_cancelled_fee" if cancelled.cancel_fee_fen else "booking_cancelled"
    )


@router.get("/me/booking-approvals", response_class=HTMLResponse)
async def booking_approvals(request: Request, user: CurrentUser, page: Page = 1) -> Response:
    context = await _approvals_context(user, page, {})
    return await render(request, "booking_approvals.html", context, actor=user)


@router.post("/bookings/{booking_id}/approve")
async def approve(booking_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    await bookings_service.approve_booking(actor=user, booking_id=booking_id)
    return redirect("/me/booking-approvals", notice="booking_approved")


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
    return redirect("/me/booking-approvals", notice="booking_rejected")


# --- Usage recording (有效机时): the owner records start, end and effective hours, or a no-show; the 开放共享
# report counts what is recorded here.


async def _refused(request: Request, user: Any, booking_id: int, message: str) -> Response:
    context = await _approvals_context(user, 1, {booking_id: message})
    return await render(request, "booking_approvals.html", context, actor=user, status_code=422)


async def _record_use(
    request: Request, user: Any, booking_id: int, step: Callable[[], Awaitable[Any]], notice: str
) -> Response:
    """One usage step; a refusal (too early, too many hours, a slot not begun) is said beside its booking."""
    try:
        await step()
    except (Conflict, Invalid) as exc:
        return await _refused(request, user, booking_id, human_message(exc))
    return redirect("/me/booking-approvals", notice=notice)


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
