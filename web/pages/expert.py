"""我的专家资料: an expert whose organisation linked their account sees their own profile, gives or withdraws their
consent (publishing, being contacted through the platform) and corrects their contact; every consent is kept
with its time and text version (PIPL Arts. 25, 45, 46)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.accounts.policies import Actor
from services.catalog import service as catalog_service
from services.core.errors import DomainError, NotFound
from web.deps import CurrentUser
from web.pages.csrf import CheckedForm
from web.pages.forms import GENERAL, domain_errors, form_values, human_message
from web.pages.shell import redirect, render

router = APIRouter(include_in_schema=False)
CONTACT_FIELDS = {"phone": "phone", "email": "email"}


async def _page(
    request: Request,
    user: Actor,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    try:
        profile = await catalog_service.my_expert_profile(actor=user)
    except NotFound as exc:
        context: dict[str, Any] = {"profile": None, "missing": human_message(exc)}
    else:
        listing = profile.listing
        context = {
            "profile": profile,
            "item": listing,
            "consent": listing.get("consent") or {},
            "contact": listing.get("contact") or {},
        }
    context.update(errors=errors or {}, **extra)
    return await render(request, "expert_profile.html", context, actor=user, status_code=status_code)


@router.get("/me/expert-profile", response_class=HTMLResponse)
async def my_profile(request: Request, user: CurrentUser) -> Response:
    return await _page(request, user)


@router.post("/me/expert-profile/consent", response_class=HTMLResponse)
async def give_consent(request: Request, user: CurrentUser, form: CheckedForm) -> Response:
    """Unticked boxes withdraw: consent is only what the expert ticks now."""
    values = form_values(form)
    consent = {key: values.get(key) == "1" for key in ("publish", "contact")}
    try:
        await catalog_service.update_my_expert_profile(actor=user, patch={"consent": consent})
    except DomainError as exc:
        return await _page(request, user, errors={GENERAL: human_message(exc)}, status_code=422)
    return redirect("/me/expert-profile", notice="consent_saved")


@router.post("/me/expert-profile/contact", response_class=HTMLResponse)
async def correct_contact(request: Request, user: CurrentUser, form: CheckedForm) -> Response:
    values = form_values(form)
    contact = {key: values.get(key) or None for key in ("phone", "email")}
    try:
        await catalog_service.update_my_expert_profile(actor=user, patch={"contact": contact})
    except DomainError as exc:
        errors = domain_errors(exc, fields=CONTACT_FIELDS)
        return await _page(request, user, errors=errors, status_code=422, contact_values=contact)
    return redirect("/me/expert-profile", notice="contact_saved")
