"""「发送咨询」: a question to an expert, an achievement's or an agency's organisation relayed by the platform; an
expert's contact is never shown on the page."""

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.core.errors import DomainError
from services.enquiries import service as enquiry_service
from services.enquiries.schemas import EnquiryCreate, EnquiryReply
from web.deps import CurrentUser, Page
from web.pages.csrf import CheckedForm
from web.pages.forms import bind, domain_errors, form_values
from web.pages.portal import listing_context
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
BOX_LABELS = {"inbox": "收到的咨询", "sent": "我发出的咨询"}


class EnquiryForm(BaseModel):
    subject: str = Field(min_length=2, max_length=200)
    message: str = Field(min_length=10, max_length=5000)
    contact_back: str = Field(default="", max_length=254)


@router.post("/listings/{listing_type}/{listing_id}/enquire", response_class=HTMLResponse)
async def send_enquiry(
    request: Request,
    listing_type: Literal["expert", "achievement", "agency"],
    listing_id: int,
    user: CurrentUser,
    form: CheckedForm,
) -> Response:
    values = form_values(form)
    data, errors = bind(EnquiryForm, values)
    if data is not None:
        try:
            await enquiry_service.enquire_listing(
                actor=user,
                listing_type=listing_type,
                listing_id=listing_id,
                data=EnquiryCreate(**data.model_dump()),
            )
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return redirect(f"/listings/{listing_type}/{listing_id}", notice="enquiry_sent")
    context = await listing_context(user, listing_type, listing_id)
    context.update(enquiry_values=values, enquiry_errors=errors)
    return await render(request, f"listing_{listing_type}.html", context, actor=user, status_code=422)


# --- 咨询: the inbox of questions to the organisation's experts, and the questions the caller sent ---------


class ReplyForm(BaseModel):
    message: str = Field(min_length=2, max_length=5000)
    share_contact: bool = False


async def _box_context(user: CurrentUser, box: Literal["inbox", "sent"], page: int) -> dict[str, object]:
    result = await enquiry_service.list_enquiries(actor=user, box=box, page=page, size=PAGE_SIZE)
    return {
        "box": box,
        "boxes": list(BOX_LABELS.items()),
        "enquiries": result.items,
        "total": result.total,
        "open_count": sum(1 for e in result.items if e.status == "open"),
        "unread": await enquiry_service.unread_counts(actor=user),
        "paging": pager("/me/enquiries", page, result.total, PAGE_SIZE, f"&box={box}"),
        "reply_errors": {},
    }


@router.get("/me/enquiries", response_class=HTMLResponse)
async def enquiries(
    request: Request, user: CurrentUser, box: Literal["inbox", "sent"] = "inbox", page: Page = 1
) -> Response:
    context = await _box_context(user, box, page)
    if box == "sent":
        # The answers on this page are seen now: their notifications (and the 咨询 badge) are read.
        await enquiry_service.mark_answers_seen(actor=user)
    return await render(request, "enquiries.html", context, actor=user)


@router.post("/me/enquiries/{enquiry_id}/reply", response_class=HTMLResponse)
async def reply(request: Request, enquiry_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    data, errors = bind(ReplyForm, form_values(form))
    if data is not None:
        try:
            await enquiry_service.reply_enquiry(
                actor=user,
                enquiry_id=enquiry_id,
                data=EnquiryReply(message=data.message, share_contact=data.share_contact),
            )
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return redirect("/me/enquiries", notice="enquiry_replied")
    context = await _box_context(user, "inbox", 1)
    context["reply_errors"] = {enquiry_id: next(iter(errors.values()), "回复未能发送")}
    return await render(request, "enquiries.html", context, actor=user, status_code=422)
