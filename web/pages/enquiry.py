"""「发送咨询」: a question to an expert relayed by the platform; the expert's contact is never shown on the page."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.core.errors import DomainError
from services.enquiries import service as enquiry_service
from services.enquiries.schemas import EnquiryCreate
from web.deps import CurrentUser
from web.pages.csrf import CheckedForm
from web.pages.forms import bind, domain_errors, form_values
from web.pages.portal import listing_context
from web.pages.shell import redirect, render

router = APIRouter(include_in_schema=False)


class EnquiryForm(BaseModel):
    subject: str = Field(min_length=2, max_length=200)
    message: str = Field(min_length=10, max_length=5000)
    contact_back: str = Field(default="", max_length=254)


@router.post("/listings/expert/{listing_id}/enquire", response_class=HTMLResponse)
async def send_enquiry(request: Request, listing_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    values = form_values(form)
    data, errors = bind(EnquiryForm, values)
    if data is not None:
        try:
            await enquiry_service.create_enquiry(
                actor=user, expert_id=listing_id, data=EnquiryCreate(**data.model_dump())
            )
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return redirect(f"/listings/expert/{listing_id}", notice="enquiry_sent")
    context = await listing_context(user, "expert", listing_id)
    context.update(enquiry_values=values, enquiry_errors=errors)
    return await render(request, "listing_expert.html", context, actor=user, status_code=422)
