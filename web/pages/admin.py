"""Zone administrators' pages: the review queue, contract registration (认定登记) and the turnover dashboard."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.catalog import service as catalog_service
from services.core.errors import Conflict, DomainError
from services.deals import contracts as contracts_service
from services.deals import registration as registration_service
from services.demand import service as demand_service
from services.reference.vocabulary import ListingStatus, ListingType
from web.deps import AdminUser, Page
from web.pages.csrf import CheckedForm
from web.pages.forms import YuanFen, bind, domain_errors, form_values, human_message
from web.pages.shell import pager, redirect, render

router = APIRouter(prefix="/admin", include_in_schema=False)
PAGE_SIZE = 20
FIRST_YEAR = 2020


class ReasonForm(BaseModel):
    reason: str = Field(min_length=2, max_length=2000)


class RegistrationForm(BaseModel):
    registration_no: str = Field(pattern=r"^\d{14}(\d{2})?$")
    certified_tech: YuanFen = None


# --- review queue ----------------------------------------------------------------------------------------


async def _review_context(actor: Actor, page: int, errors: dict[str, str]) -> dict[str, Any]:
    listings = await catalog_service.review_queue(actor=actor, listing_type=None, page=page, size=PAGE_SIZE)
    demands = await demand_service.review_queue(actor=actor, page=1, size=50)
    orgs = await accounts_service.org_names(
        org_ids=[item["org_id"] for item in listings.items] + [d.org_id for d in demands.items]
    )
    return {
        "listings": [
            {
                **item,
                "display_title": item["name"] if item["type"] == "expert" else item["title"],
                "org_name": orgs.get(item["org_id"], ""),
                "held": item["status"] == ListingStatus.PUBLISHED,
            }
            for item in listings.items
        ],
        "listing_total": listings.total,
        "demands": [
            {"demand": d, "org_name": orgs.get(d.org_id or 0, ""), "held": d.status == "published"}
            for d in demands.items
        ],
        "demand_total": demands.total,
        "flag_labels": FLAG_LABELS,
        "demand_field_labels": DEMAND_FIELD_LABELS,
        "errors": errors,
        "paging": pager("/admin/review", page, listings.total, PAGE_SIZE),
    }


# The editable fields of a demand, as the reviewer reads a held edit.
DEMAND_FIELD_LABELS = {
    "title": "标题",
    "description": "需求描述",
    "problem": "要解决的问题",
    "requirements": "对方案的要求",
    "tried": "已尝试的方法",
    "keywords": "关键词",
    "fields": "技术领域",
    "kind": "需求类型",
    "budget": "预算（元）",
    "deadline": "截止日期",
    "region": "所在地区",
    "award_fen": "榜单金额",
    "ip_terms": "知识产权约定",
    "confidentiality": "保密要求",
    "hide_org": "隐藏企业名称",
}
# Spam signals found in public text, as the reviewer reads them.
FLAG_LABELS = {"mobile": "手机号", "wechat": "微信", "qq": "QQ", "email": "邮箱", "url": "网址"}


@router.get("/review", response_class=HTMLResponse)
async def review(request: Request, user: AdminUser, page: Page = 1) -> Response:
    return await render(request, "admin_review.html", await _review_context(user, page, {}), actor=user)


async def _review_refused(
    request: Request, user: Actor, key: str, message: str, status_code: int
) -> Response:
    context = await _review_context(user, 1, {key: message})
    return await render(request, "admin_review.html", context, actor=user, status_code=status_code)


async def _reason(request: Request, user: Actor, anchor: str, form: Any) -> str | Response:
    """The rejection reason of a review form, or the review page shown again with the error (422)."""
    data, _ = bind(ReasonForm, form_values(form))
    if data is None:
        return await _review_refused(request, user, anchor, "请填写驳回理由（至少 2 个字）", 422)
    return data.reason


@router.post("/listings/{listing_type}/{listing_id}/publish")
async def publish_listing(
    request: Request, listing_type: ListingType, listing_id: int, user: AdminUser, form: CheckedForm
) -> Response:
    try:
        await catalog_service.transition_listing(
            actor=user, listing_type=listing_type, listing_id=listing_id, action="publish"
        )
    except Conflict as exc:
        return await _review_refused(request, user, f"listing-{listing_id}", human_message(exc), 409)
    return redirect("/admin/review", notice="published")


@router.post("/listings/{listing_type}/{listing_id}/reject")
async def reject_listing(
    request: Request, listing_type: ListingType, listing_id: int, user: AdminUser, form: CheckedForm
) -> Response:
    reason = await _reason(request, user, f"listing-{listing_id}", form)
    if isinstance(reason, Response):
        return reason
    await catalog_service.transition_listing(
        actor=user, listing_type=listing_type, listing_id=listing_id, action="reject", reason=reason
    )
    return redirect("/admin/review", notice="rejected")


@router.post("/demands/{demand_id}/publish")
async def publish_demand(demand_id: int, user: AdminUser, form: CheckedForm) -> Response:
    await demand_service.transition_demand(actor=user, demand_id=demand_id, action="publish")
    return redirect("/admin/review", notice="published")


@router.post("/demands/{demand_id}/reject")
async def reject_demand(request: Request, demand_id: int, user: AdminUser, form: CheckedForm) -> Response:
    reason = await _reason(request, user, f"demand-{demand_id}", form)
    if isinstance(reason, Response):
        return reason
    await demand_service.transition_demand(actor=user, demand_id=demand_id, action="reject", reason=reason)
    return redirect("/admin/review", notice="rejected")


@router.post("/listings/{listing_type}/{listing_id}/edit/publish")
async def approve_listing_edit(
    request: Request, listing_type: ListingType, listing_id: int, user: AdminUser, form: CheckedForm
) -> Response:
    try:
        await catalog_service.approve_edit(actor=user, listing_type=listing_type, listing_id=listing_id)
    except Conflict as exc:
        return await _review_refused(request, user, f"listing-{listing_id}", human_message(exc), 409)
    return redirect("/admin/review", notice="published")


@router.post("/listings/{listing_type}/{listing_id}/edit/reject")
async def reject_listing_edit(
    request: Request, listing_type: ListingType, listing_id: int, user: AdminUser, form: CheckedForm
) -> Response:
    reason = await _reason(request, user, f"listing-{listing_id}", form)
    if isinstance(reason, Response):
        return reason
    try:
        await catalog_service.reject_edit(
            actor=user, listing_type=listing_type, listing_id=listing_id, reason=reason
        )
    except Conflict as exc:
        return await _review_refused(request, user, f"listing-{listing_id}", human_message(exc), 409)
    return redirect("/admin/review", notice="rejected")


@router.post("/demands/{demand_id}/edit/publish")
async def approve_demand_edit(
    request: Request, demand_id: int, user: AdminUser, form: CheckedForm
) -> Response:
    try:
        await demand_service.approve_edit(actor=user, demand_id=demand_id)
    except Conflict as exc:
        return await _review_refused(request, user, f"demand-{demand_id}", human_message(exc), 409)
    return redirect("/admin/review", notice="published")


@router.post("/demands/{demand_id}/edit/reject")
async def reject_demand_edit(
    request: Request, demand_id: int, user: AdminUser, form: CheckedForm
) -> Response:
    reason = await _reason(request, user, f"demand-{demand_id}", form)
    if isinstance(reason, Response):
        return reason
    try:
        await demand_service.reject_edit(actor=user, demand_id=demand_id, reason=reason)
    except Conflict as exc:
        return await _review_refused(request, user, f"demand-{demand_id}", human_message(exc), 409)
    return redirect("/admin/review", notice="rejected")


# --- contract registration -------------------------------------------------------------------------------


async def _contracts_context(actor: Actor, page: int, errors: dict[str, dict[str, str]]) -> dict[str, Any]:
    pending = await contracts_service.list_contracts(
        actor=actor, status="registration_pending", page=page, size=PAGE_SIZE
    )
    recent = await contracts_service.list_contracts(actor=actor, status="registered", page=1, size=10)
    contracts = [*pending["items"], *recent["items"]]
    orgs = await accounts_service.org_names(
        org_ids=[c.buyer_org_id for c in contracts] + [c.seller_org_id for c in contracts]
    )

    def row(contract: Any) -> dict[str, Any]:
        return {
            "contract": contract,
            "buyer": orgs.get(contract.buyer_org_id, ""),
            "seller": orgs.get(contract.seller_org_id, ""),
            "errors": errors.get(str(contract.id), {}),
        }

    return {
        "pending": [row(c) for c in pending["items"]],
        "pending_total": pending["total"],
        "recent": [row(c) for c in recent["items"]],
        "paging": pager("/admin/contracts", page, pending["total"], PAGE_SIZE),
    }


@router.get("/contracts", response_class=HTMLResponse)
async def contracts(request: Request, user: AdminUser, page: Page = 1) -> Response:
    context = await _contracts_context(user, page, {})
    return await render(request, "admin_contracts.html", context, actor=user)


async def _contracts_refused(
    request: Request, user: Actor, contract_id: int, errors: dict[str, str], status_code: int
) -> Response:
    context = await _contracts_context(user, 1, {str(contract_id): errors})
    return await render(request, "admin_contracts.html", context, actor=user, status_code=status_code)


@router.post("/contracts/{contract_id}/approve")
async def approve_registration(
    request: Request, contract_id: int, user: AdminUser, form: CheckedForm
) -> Response:
    data, errors = bind(RegistrationForm, form_values(form))
    if data is None:
        if "registration_no" in errors:
            errors["registration_no"] = "登记号应为 14 或 16 位数字"
        return await _contracts_refused(request, user, contract_id, errors, 422)
    body: dict[str, Any] = {"registration_no": data.registration_no}
    if data.certified_tech is not None:
        body["certified_tech_fen"] = data.certified_tech
    try:
        await registration_service.approve_registration(actor=user, contract_id=contract_id, body=body)
    except Conflict as exc:
        message = "该登记号已被使用" if exc.code == "registration_no_taken" else human_message(exc)
        return await _contracts_refused(request, user, contract_id, {"registration_no": message}, 409)
    except DomainError as exc:
        errors = domain_errors(exc, fields={"certified_tech_fen": "certified_tech"})
        return await _contracts_refused(request, user, contract_id, errors, 422)
    return redirect("/admin/contracts", notice="registered")


@router.post("/contracts/{contract_id}/reject")
async def reject_registration(
    request: Request, contract_id: int, user: AdminUser, form: CheckedForm
) -> Response:
    data, _ = bind(ReasonForm, form_values(form))
    if data is None:
        errors = {"reason": "请填写驳回理由（至少 2 个字）"}
        return await _contracts_refused(request, user, contract_id, errors, 422)
    await registration_service.reject_registration(
        actor=user, contract_id=contract_id, body={"reason": data.reason}
    )
    return redirect("/admin/contracts", notice="registration_rejected")
