"""The provider's own listings (我的资源): technology achievements created and edited in the portal, with the
quality hints recomputed as they type."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from services.catalog import service as catalog_service
from services.catalog.quality import assess_quality
from services.core.errors import DomainError
from services.reference.vocabulary import (
    IP_KIND_LABELS,
    MATURITY_LABELS,
    PRICE_MODE_LABELS,
    TRANSFER_MODE_LABELS,
    ListingType,
)
from web.deps import CurrentUser, Page
from web.pages.csrf import CheckedForm
from web.pages.demand import FIELD_CHOICES, REGION_CHOICES
from web.pages.forms import BlankIsNone, YuanFen, bind, domain_errors, form_values
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
LISTS = ("fields", "transfer_modes")
# Where a service error's location lands in the form.
ERROR_FIELDS = {"ip": "ip_number", "price": "price_max", "trl": "trl", "maturity": "maturity"}


class AchievementForm(BaseModel):
    """The achievement form as posted; lenient, so the hints can be computed from half a form."""

    title: str = Field(default="", max_length=200)
    summary: str = Field(default="", max_length=2000)
    description: str = Field(default="", max_length=20_000)
    fields: list[str] = Field(default_factory=list)
    keywords: str = Field(default="", max_length=600)
    maturity: Annotated[str | None, BlankIsNone] = None
    trl: Annotated[int | None, BlankIsNone] = None
    ip_kind: Annotated[str | None, BlankIsNone] = None
    ip_number: str = Field(default="", max_length=40)
    transfer_modes: list[str] = Field(default_factory=list)
    price_mode: str = "negotiable"
    price_min: YuanFen = None
    price_max: YuanFen = None
    region: Annotated[str | None, BlankIsNone] = None


def achievement_body(form: AchievementForm) -> dict[str, Any]:
    """The API body of an achievement from the portal form (pure); the catalog service validates it."""
    body: dict[str, Any] = {
        "title": form.title.strip(),
        "summary": form.summary.strip(),
        "description": form.description.strip(),
        "fields": form.fields,
        "keywords": [word for word in re.split(r"[,，、;；\s]+", form.keywords) if word][:30],
        "maturity": form.maturity,
        "trl": form.trl,
        "ip": [{"kind": form.ip_kind, "number": form.ip_number.strip() or None}] if form.ip_kind else [],
        "transfer_modes": form.transfer_modes,
        "price": {"mode": form.price_mode}
        if form.price_mode == "negotiable"
        else {
            "mode": form.price_mode,
            "min_fen": form.price_min,
            "max_fen": form.price_max if form.price_mode == "range" else form.price_min,
        },
        "region": form.region,
    }
    return body


def achievement_values(item: dict[str, Any]) -> dict[str, Any]:
    """The form's values for an existing achievement (pure)."""
    ip = (item.get("ip") or [{}])[0] if item.get("ip") else {}
    price = item.get("price") or {"mode": "negotiable"}
    return {
        "title": item.get("title", ""),
        "summary": item.get("summary", ""),
        "description": item.get("description", ""),
        "fields": item.get("fields") or [],
        "keywords": "，".join(item.get("keywords") or []),
        "maturity": item.get("maturity") or "",
        "trl": str(item.get("trl") or ""),
        "ip_kind": ip.get("kind") or "",
        "ip_number": ip.get("number") or "",
        "transfer_modes": item.get("transfer_modes") or [],
        "price_mode": price.get("mode", "negotiable"),
        "price_min": f"{price['min_fen'] / 100:.2f}" if price.get("min_fen") is not None else "",
        "price_max": f"{price['max_fen'] / 100:.2f}" if price.get("max_fen") is not None else "",
        "region": item.get("region") or "",
    }


def _form_context(values: dict[str, Any], errors: dict[str, str], listing_id: int | None) -> dict[str, Any]:
    form = bind(AchievementForm, values)[0] or AchievementForm()
    score, missing = assess_quality("achievement", achievement_body(form))
    return {
        "values": values,
        "errors": errors,
        "listing_id": listing_id,
        "score": score,
        "missing": missing,
        "field_choices": FIELD_CHOICES,
        "region_choices": REGION_CHOICES,
        "maturity_choices": list(MATURITY_LABELS.items()),
        "ip_kind_choices": list(IP_KIND_LABELS.items()),
        "transfer_mode_choices": list(TRANSFER_MODE_LABELS.items()),
        "price_mode_choices": list(PRICE_MODE_LABELS.items()),
    }


@router.get("/me/listings", response_class=HTMLResponse)
async def my_listings(request: Request, user: CurrentUser, page: Page = 1) -> Response:
    result = await catalog_service.list_listings(
        actor=user, listing_type=None, status=None, mine=True, page=page, size=PAGE_SIZE
    )
    context = {
        "listings": result.items,
        "total": result.total,
        "paging": pager("/me/listings", page, result.total, PAGE_SIZE),
    }
    return await render(request, "my_listings.html", context, actor=user)


@router.get("/me/listings/achievement/new", response_class=HTMLResponse)
async def new_achievement(request: Request, user: CurrentUser) -> Response:
    values = {"price_mode": "negotiable", "region": "500107", "fields": [], "transfer_modes": []}
    return await render(request, "listing_form.html", _form_context(values, {}, None), actor=user)


async def _save(user: Any, listing_id: int | None, values: dict[str, Any], submit: bool) -> dict[str, str]:
    """Create or update the achievement, then submit it for review when asked; the errors by form field."""
    data, errors = bind(AchievementForm, values)
    if data is None:
        return errors
    body = achievement_body(data)
    try:
        if listing_id is None:
            made = await catalog_service.create_listing(
                actor=user, listing_type=ListingType.ACHIEVEMENT, body=body
            )
            listing_id = int(made["id"])
        else:
            await catalog_service.update_listing(
                actor=user, listing_type=ListingType.ACHIEVEMENT, listing_id=listing_id, patch=body
            )
        if submit:
            await catalog_service.transition_listing(
                actor=user, listing_type=ListingType.ACHIEVEMENT, listing_id=listing_id, action="submit"
            )
    except DomainError as exc:
        return domain_errors(exc, fields=ERROR_FIELDS)
    return {}


async def _posted(request: Request, user: Any, listing_id: int | None, form: Any) -> Response:
    """Save (and maybe submit) the posted form; back to 我的资源, or the form again with its errors."""
    values = form_values(form, lists=LISTS)
    submit = values.get("action") == "submit"
    errors = await _save(user, listing_id, values, submit=submit)
    if not errors:
        return redirect("/me/listings", notice="listing_submitted" if submit else "listing_saved")
    return await render(
        request, "listing_form.html", _form_context(values, errors, listing_id), actor=user, status_code=422
    )


@router.post("/me/listings/achievement/new", response_class=HTMLResponse)
async def create_achievement(request: Request, user: CurrentUser, form: CheckedForm) -> Response:
    return await _posted(request, user, None, form)


@router.get("/me/listings/achievement/{listing_id}/edit", response_class=HTMLResponse)
async def edit_achievement(request: Request, listing_id: int, user: CurrentUser) -> Response:
    item = await catalog_service.get_listing(
        actor=user, listing_type=ListingType.ACHIEVEMENT, listing_id=listing_id
    )
    if item.get("org_id") != user.org_id:
        return redirect("/me/listings")
    return await render(
        request, "listing_form.html", _form_context(achievement_values(item), {}, listing_id), actor=user
    )


@router.post("/me/listings/achievement/{listing_id}/edit", response_class=HTMLResponse)
async def update_achievement(
    request: Request, listing_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    return await _posted(request, user, listing_id, form)


@router.post("/me/listings/achievement/quality")
async def achievement_quality(user: CurrentUser, form: CheckedForm) -> Response:
    """The quality score and what is missing, for the form as typed so far (the hints beside the form)."""
    data, _ = bind(AchievementForm, form_values(form, lists=LISTS))
    score, missing = assess_quality("achievement", achievement_body(data or AchievementForm()))
    return JSONResponse({"score": score, "missing": missing})
