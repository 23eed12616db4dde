"""Broker 备案 in the portal: a member files (or re-files) their broker profile and follows its review; zone
administrators approve or reject the profiles (经纪人审核). Only an approved profile makes an account a broker."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.brokers import service as brokers_service
from services.brokers.schemas import BrokerRead, BrokerStatus
from services.core.errors import DomainError, NotFound
from services.reference.fields import field_label
from web.deps import AdminUser, CurrentUser, Page
from web.errors import STATUS
from web.pages.admin import ReasonForm
from web.pages.csrf import CheckedForm
from web.pages.demand import FIELD_CHOICES
from web.pages.forms import GENERAL, bind, domain_errors, form_values, human_message
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
STATUS_LABELS = {
    BrokerStatus.PENDING: "待审核",
    BrokerStatus.APPROVED: "已批准",
    BrokerStatus.REJECTED: "已驳回",
    BrokerStatus.REVOKED: "已撤销",
}
PROFILE_FIELDS = {"certificate_no": "certificate_no", "title": "title", "fields": "fields"}


def _shown(profile: BrokerRead) -> dict[str, Any]:
    return {
        "profile": profile,
        "status_label": STATUS_LABELS[profile.status],
        "field_labels": [field_label(code) for code in profile.fields],
    }


# --- the applicant ---------------------------------------------------------------------------------------


async def _profile_page(
    request: Request,
    user: Actor,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        profile: BrokerRead | None = await brokers_service.my_broker_profile(actor=user)
    except NotFound:
        profile = None
    context: dict[str, Any] = _shown(profile) if profile else {"profile": None}
    if values is None:
        values = (
            {"certificate_no": profile.certificate_no, "title": profile.title, "fields": profile.fields}
            if profile
            else {"fields": []}
        )
    context.update(
        values=values,
        errors=errors or {},
        field_choices=FIELD_CHOICES,
        # Filing is for members of an organisation; an approved profile is not filed again.
        may_file=user.org_id is not None
        and not user.is_admin
        and (profile is None or profile.status in (BrokerStatus.PENDING, BrokerStatus.REJECTED)),
    )
    return await render(request, "broker_profile.html", context, actor=user, status_code=status_code)


@router.get("/me/broker-profile", response_class=HTMLResponse)
async def my_broker_profile(request: Request, user: CurrentUser) -> Response:
    return await _profile_page(request, user)


@router.post("/me/broker-profile", response_class=HTMLResponse)
async def file_broker_profile(request: Request, user: CurrentUser, form: CheckedForm) -> Response:
    values = form_values(form, lists=("fields",))
    try:
        await brokers_service.apply_as_broker(actor=user, body=values)
    except DomainError as exc:
        errors = domain_errors(exc, fields=PROFILE_FIELDS)
        return await _profile_page(request, user, values=values, errors=errors, status_code=STATUS[exc.kind])
    return redirect("/me/broker-profile", notice="broker_filed")


# --- the administrator -----------------------------------------------------------------------------------


async def _queue_context(
    user: Actor, status: BrokerStatus, page: int, errors: dict[str, str]
) -> dict[str, Any]:
    result = await brokers_service.list_broker_profiles(
        actor=user, status=status.value, page=page, size=PAGE_SIZE
    )
    items: list[BrokerRead] = result["items"]
    people = await accounts_service.user_names(user_ids=[p.user_id for p in items])
    orgs = await accounts_service.org_names(org_ids=[p.org_id for p in items])
    return {
        "rows": [
            {**_shown(p), "person": people.get(p.user_id, ""), "org_name": orgs.get(p.org_id, "")}
            for p in items
        ],
        "total": result["total"],
        "status": status,
        "tabs": [
            (s, STATUS_LABELS[s])
            for s in (BrokerStatus.PENDING, BrokerStatus.APPROVED, BrokerStatus.REJECTED)
        ],
        "paging": pager("/admin/brokers", page, int(result["total"]), PAGE_SIZE, f"&status={status.value}"),
        "errors": errors,
    }


@router.get("/admin/brokers", response_class=HTMLResponse)
async def broker_queue(
    request: Request, user: AdminUser, page: Page = 1, status: BrokerStatus = BrokerStatus.PENDING
) -> Response:
    return await render(
        request, "admin_brokers.html", await _queue_context(user, status, page, {}), actor=user
    )


async def _queue_refused(
    request: Request, user: Actor, profile_id: int, message: str, status_code: int
) -> Response:
    context = await _queue_context(user, BrokerStatus.PENDING, 1, {f"profile-{profile_id}": message})
    if all(row["profile"].id != profile_id for row in context["rows"]):
        # Already decided (or unknown): not in the pending list, so the refusal is said above it.
        context["errors"] = {GENERAL: message}
    return await render(request, "admin_brokers.html", context, actor=user, status_code=status_code)


@router.post("/admin/brokers/{profile_id}/approve")
async def approve_broker(request: Request, profile_id: int, user: AdminUser, form: CheckedForm) -> Response:
    try:
        await brokers_service.approve_broker(actor=user, profile_id=profile_id)
    except DomainError as exc:
        return await _queue_refused(request, user, profile_id, human_message(exc), STATUS[exc.kind])
    return redirect("/admin/brokers", notice="broker_approved")


@router.post("/admin/brokers/{profile_id}/reject")
async def reject_broker(request: Request, profile_id: int, user: AdminUser, form: CheckedForm) -> Response:
    data, _ = bind(ReasonForm, form_values(form))
    if data is None:
        return await _queue_refused(request, user, profile_id, "请填写驳回理由（至少 2 个字）", 422)
    try:
        await brokers_service.reject_broker(actor=user, profile_id=profile_id, body={"reason": data.reason})
    except DomainError as exc:
        return await _queue_refused(request, user, profile_id, human_message(exc), STATUS[exc.kind])
    return redirect("/admin/brokers?status=rejected", notice="broker_rejected")
