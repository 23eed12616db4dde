"""创新券 in the portal: members see the open programmes, apply for their organisation and follow their vouchers;
zone administrators open programmes (budget, face value, who and what is eligible, validity) and approve or reject
applications. A voucher is used on a service order's page (the buyer) and redeemed there by the provider."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.core import clock
from services.core.clock import CHINA_TZ
from services.core.errors import DomainError
from services.reference.vocabulary import ORG_KIND_LABELS, OrgKind
from services.vouchers import service as vouchers_service
from services.vouchers.schemas import ProgrammeRead, ServiceCategory, VoucherRead, VoucherStatus
from web.deps import AdminUser, CurrentUser, Page
from web.errors import STATUS
from web.pages.csrf import CheckedForm
from web.pages.forms import GENERAL, YuanFen, bind, domain_errors, form_values, human_message
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
CATEGORY_LABELS = {
    ServiceCategory.INSTRUMENT_BOOKING: "仪器预约",
    ServiceCategory.TEST_REQUEST: "送样检测",
    ServiceCategory.SERVICE_ORDER: "服务订单",
}
VOUCHER_STATUS_LABELS = {
    VoucherStatus.PENDING: "待审核",
    VoucherStatus.ACTIVE: "可使用",
    VoucherStatus.REJECTED: "未通过",
}


class ProgrammeForm(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    budget: YuanFen
    face_value: YuanFen
    eligible_org_kinds: list[str] = Field(min_length=1)
    service_categories: list[str] = Field(min_length=1)
    instrument_categories: str = ""
    valid_from: date
    valid_to: date


def _today() -> date:
    return clock.now().astimezone(CHINA_TZ).date()


def _programme_row(p: ProgrammeRead) -> dict[str, Any]:
    return {
        "p": p,
        "open": p.valid_from <= _today() <= p.valid_to,
        "kinds": "、".join(ORG_KIND_LABELS.get(k, k) for k in p.eligible_org_kinds),
        "categories": "、".join(CATEGORY_LABELS.get(ServiceCategory(c), c) for c in p.service_categories),
    }


# --- members ---------------------------------------------------------------------------------------------


async def _member_page(
    request: Request, user: Actor, *, error: str | None = None, status_code: int = 200
) -> Response:
    programmes = await vouchers_service.list_programmes()
    mine = await vouchers_service.my_vouchers(actor=user)
    names = {p.id: p.name for p in programmes}
    context = {
        "programmes": [_programme_row(p) for p in programmes],
        "applied": {v.programme_id for v in mine},
        "vouchers": [
            {
                "v": v,
                "programme": names.get(v.programme_id, ""),
                "status_label": VOUCHER_STATUS_LABELS[v.status],
            }
            for v in mine
        ],
        "errors": {GENERAL: error} if error else {},
    }
    return await render(request, "vouchers.html", context, actor=user, status_code=status_code)


@router.get("/me/vouchers", response_class=HTMLResponse)
async def my_vouchers(request: Request, user: CurrentUser) -> Response:
    return await _member_page(request, user)


@router.post("/me/vouchers/programmes/{programme_id}/apply", response_class=HTMLResponse)
async def apply(request: Request, programme_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    try:
        await vouchers_service.apply_for_voucher(actor=user, programme_id=programme_id)
    except DomainError as exc:
        return await _member_page(request, user, error=human_message(exc), status_code=STATUS[exc.kind])
    return redirect("/me/vouchers", notice="voucher_applied")


# --- administrators --------------------------------------------------------------------------------------


async def _admin_page(
    request: Request,
    user: Actor,
    *,
    status: str = VoucherStatus.PENDING.value,
    page: int = 1,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    programmes = await vouchers_service.list_programmes()
    result = await vouchers_service.list_vouchers(actor=user, status=status, page=page, size=PAGE_SIZE)
    items: list[VoucherRead] = result["items"]
    orgs = await accounts_service.org_names(org_ids=[v.org_id for v in items])
    names = {p.id: p.name for p in programmes}
    context = {
        "programmes": [_programme_row(p) for p in programmes],
        "rows": [
            {
                "v": v,
                "org": orgs.get(v.org_id, ""),
                "programme": names.get(v.programme_id, ""),
                "status_label": VOUCHER_STATUS_LABELS[v.status],
            }
            for v in items
        ],
        "status": status,
        "tabs": list(VOUCHER_STATUS_LABELS.items()),
        "total": result["total"],
        "paging": pager("/admin/vouchers", page, int(result["total"]), PAGE_SIZE, f"&status={status}"),
        "kinds": [(k.value, ORG_KIND_LABELS[k]) for k in OrgKind],
        "categories": [(c.value, label) for c, label in CATEGORY_LABELS.items()],
        "values": values or {"eligible_org_kinds": ["enterprise"], "service_categories": []},
        "errors": errors or {},
    }
    return await render(request, "admin_vouchers.html", context, actor=user, status_code=status_code)


@router.get("/admin/vouchers", response_class=HTMLResponse)
async def admin_vouchers(
    request: Request, user: AdminUser, page: Page = 1, status: VoucherStatus = VoucherStatus.PENDING
) -> Response:
    return await _admin_page(request, user, status=status.value, page=page)


@router.post("/admin/vouchers/programmes", response_class=HTMLResponse)
async def create_programme(request: Request, user: AdminUser, form: CheckedForm) -> Response:
    values = form_values(form, lists=("eligible_org_kinds", "service_categories"))
    data, errors = bind(ProgrammeForm, values)
    if data is not None and (not data.budget or not data.face_value):
        errors = {"budget" if not data.budget else "face_value": "请填写金额（元）"}
        data = None
    if data is None:
        return await _admin_page(request, user, values=values, errors=errors, status_code=422)
    body = {
        "name": data.name,
        "budget_fen": data.budget,
        "face_value_fen": data.face_value,
        "eligible_org_kinds": data.eligible_org_kinds,
        "service_categories": data.service_categories,
        "instrument_categories": [
            c.strip() for c in data.instrument_categories.replace("，", ",").split(",") if c.strip()
        ],
        "valid_from": data.valid_from.isoformat(),
        "valid_to": data.valid_to.isoformat(),
    }
    try:
        await vouchers_service.create_programme(actor=user, body=body)
    except DomainError as exc:
        errors = domain_errors(exc, fields={"budget_fen": "budget", "face_value_fen": "face_value"})
        return await _admin_page(request, user, values=values, errors=errors, status_code=STATUS[exc.kind])
    return redirect("/admin/vouchers", notice="programme_created")


@router.post("/admin/vouchers/{voucher_id}/{decision}", response_class=HTMLResponse)
async def decide(
    request: Request, voucher_id: int, decision: str, user: AdminUser, form: CheckedForm
) -> Response:
    actions = {
        "approve": (vouchers_service.approve_voucher, "voucher_approved"),
        "reject": (vouchers_service.reject_voucher, "voucher_rejected"),
    }
    if decision not in actions:
        return await _admin_page(request, user, errors={GENERAL: "未知的操作"}, status_code=404)
    action, notice = actions[decision]
    try:
        await action(actor=user, voucher_id=voucher_id)
    except DomainError as exc:
        return await _admin_page(
            request, user, errors={GENERAL: human_message(exc)}, status_code=STATUS[exc.kind]
        )
    return redirect("/admin/vouchers", notice=notice)
