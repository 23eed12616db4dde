"""Demands in the portal: an enterprise's 我的需求 with its form, a demand's ranked matches, and the contract form."""

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, field_validator

from matching import service as matching_service
from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.catalog import service as catalog_service
from services.core.clock import today_in_china
from services.core.errors import DomainError, NotFound
from services.core.transitions import allows
from services.deals import contracts as contracts_service
from services.demand import service as demand_service
from services.demand.policies import may_work_matches
from services.demand.schemas import MatchRead
from services.favorites import service as favorites_service
from services.notifications import service as notifications_service
from services.reference.contracts import usual_contract_type
from services.reference.fields import KEY_TECH_FIELD_CODES, TECH_FIELD_CODES, field_label
from services.reference.regions import FORMER_REGIONS, REGIONS, region_name
from services.reference.vocabulary import (
    CLOSE_REASON_LABELS,
    CONFIDENTIALITY_LABELS,
    CONTRACT_TYPE_LABELS,
    DEMAND_KIND_LABELS,
    IP_TERMS_LABELS,
    Confidentiality,
    ContractType,
    DemandKind,
    IpTerms,
    MatchStatus,
)
from web.deps import CurrentUser, MaybeUser, Page
from web.errors import STATUS
from web.pages.csrf import CheckedForm
from web.pages.forms import BlankIsNone, YuanFen, bind, domain_errors, form_values
from web.pages.portal import AVAILABILITY_LABELS, price_text
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
MATCH_LIMIT = 50
SHOWN_MATCHES = 10
# Pipeline buttons in the order a broker works a match; the service's transition table decides what shows.
PIPELINE = tuple(status for status in MatchStatus if status is not MatchStatus.SUGGESTED)
HIDDEN_ORG = "（企业已隐藏名称）"
REGION_CHOICES = [
    (code, name)
    for code, name in REGIONS.items()
    if code.startswith("50") and code != "500000" and code not in FORMER_REGIONS
]


FIELD_CHOICES = [(code, field_label(code)) for code in KEY_TECH_FIELD_CODES]


class DemandForm(BaseModel):
    title: str = Field(min_length=4, max_length=200)
    description: str = Field(default="", max_length=20_000)
    kind: DemandKind
    fields: list[str] = Field(default_factory=list, max_length=11)
    keywords: str = Field(default="", max_length=600)
    budget_min: YuanFen = None
    budget_max: YuanFen = None
    deadline: Annotated[date | None, BlankIsNone] = None
    region: Annotated[str | None, BlankIsNone] = None
    problem: str = Field(default="", max_length=5000)
    requirements: str = Field(default="", max_length=5000)
    tried: str = Field(default="", max_length=5000)
    award: YuanFen = None
    ip_terms: Annotated[IpTerms | None, BlankIsNone] = None
    confidentiality: Confidentiality = Confidentiality.PUBLIC
    hide_org: bool = False

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: list[str]) -> list[str]:
        if any(code not in TECH_FIELD_CODES for code in value):
            raise ValueError("请从列表中选择技术领域")
        return value

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        if value is not None and value not in REGIONS:
            raise ValueError("请从列表中选择地区")
        return value

    def keyword_list(self) -> list[str]:
        return [word for word in re.split(r"[,，、;；\s]+", self.keywords) if word][:30]


class ContractForm(BaseModel):
    contract_type: ContractType
    title: str = Field(min_length=2, max_length=200)
    field: str
    total: YuanFen
    tech: YuanFen
    signed_at: date

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        if value not in TECH_FIELD_CODES:
            raise ValueError("请从列表中选择技术领域")
        return value


def _demand_form_context(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "kinds": list(DEMAND_KIND_LABELS.items()),
        "field_choices": FIELD_CHOICES,
        "region_choices": REGION_CHOICES,
        "ip_terms_choices": list(IP_TERMS_LABELS.items()),
        "confidentiality_choices": list(CONFIDENTIALITY_LABELS.items()),
    }


def _demand_body(data: DemandForm) -> dict[str, Any]:
    """The API body of the demand form."""
    return {
        "title": data.title,
        "description": data.description,
        "kind": data.kind.value,
        "fields": data.fields,
        "keywords": data.keyword_list(),
        "budget": {"min_fen": data.budget_min, "max_fen": data.budget_max},
        "deadline": data.deadline.isoformat() if data.deadline else None,
        "region": data.region,
        "problem": data.problem,
        "requirements": data.requirements,
        "tried": data.tried,
        "award_fen": data.award,
        "ip_terms": data.ip_terms.value if data.ip_terms else None,
        "confidentiality": data.confidentiality.value,
        "hide_org": data.hide_org,
    }


# The demand's fields as its edit history names them.
FIELD_NAMES = {
    "title": "标题",
    "description": "描述",
    "problem": "要解决的问题",
    "requirements": "方案要求",
    "tried": "已尝试的方案",
    "keywords": "关键词",
    "kind": "类型",
    "fields": "技术领域",
    "budget": "预算",
    "deadline": "期望完成日期",
    "region": "地区",
    "award_fen": "揭榜奖金",
    "ip_terms": "知识产权归属",
    "confidentiality": "保密要求",
    "hide_org": "隐藏企业名称",
}


def _yuan_text(fen: int | None) -> str:
    """Fen as the form's 元 text (no thousands separators): 30000000 -> '300000.00'."""
    return "" if fen is None else f"{fen // 100}.{fen % 100:02d}"


def _demand_values(demand: Any) -> dict[str, Any]:
    """The form's values of a demand as it stands (its edit under review, if there is one)."""
    pending = demand.pending_edit.changes if demand.pending_edit else {}
    current = {**demand.model_dump(mode="json"), **{key: change[1] for key, change in pending.items()}}
    budget = current.get("budget") or {}
    return {
        **{
            key: current.get(key) or ""
            for key in ("title", "description", "problem", "requirements", "tried")
        },
        "kind": current.get("kind"),
        "fields": current.get("fields") or [],
        "keywords": "，".join(current.get("keywords") or []),
        "budget_min": _yuan_text(budget.get("min_fen")),
        "budget_max": _yuan_text(budget.get("max_fen")),
        "deadline": current.get("deadline") or "",
        "region": current.get("region") or "",
        "award": _yuan_text(current.get("award_fen")),
        "ip_terms": current.get("ip_terms") or "",
        "confidentiality": current.get("confidentiality") or "public",
        "hide_org": current.get("hide_org"),
    }


async def _edit_page(
    request: Request,
    user: Actor,
    demand_id: int,
    values: dict[str, Any] | None,
    errors: dict[str, str],
    code: int,
) -> Response:
    # The edit history is its editors' alone: reading it first refuses anyone else.
    revisions = await demand_service.list_revisions(actor=user, demand_id=demand_id)
    demand = await demand_service.get_demand(actor=user, demand_id=demand_id)
    context = {
        "demand": demand,
        "revisions": [
            {
                "at": r.created_at,
                "fields": "、".join(
                    FIELD_NAMES.get(key, key) for key in r.changes if key != "held_for_review"
                ),
                "held": bool(r.changes.get("held_for_review")),
            }
            for r in reversed(revisions)
        ],
        **_demand_form_context(values if values is not None else _demand_values(demand), errors),
    }
    return await render(request, "demand_edit.html", context, actor=user, status_code=code)


@router.get("/demands/{demand_id}/edit", response_class=HTMLResponse)
async def edit_demand(request: Request, demand_id: int, user: CurrentUser) -> Response:
    return await _edit_page(request, user, demand_id, None, {}, 200)


@router.post("/demands/{demand_id}/edit", response_class=HTMLResponse)
async def save_demand(request: Request, demand_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    """A published demand's edit to its public text waits for review while the published text stays visible."""
    values = form_values(form, lists=("fields",))
    data, errors = bind(DemandForm, values)
    if data is not None:
        try:
            await demand_service.update_demand(actor=user, demand_id=demand_id, patch=_demand_body(data))
        except DomainError as exc:
            errors = domain_errors(exc, fields={"budget": "budget_max", "award_fen": "award"})
            return await _edit_page(request, user, demand_id, values, errors, STATUS[exc.kind])
        return redirect(f"/demands/{demand_id}", notice="demand_saved")
    return await _edit_page(request, user, demand_id, values, errors, 422)


@router.post("/demands/{demand_id}/archive", response_class=HTMLResponse)
async def archive_demand(demand_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    await demand_service.transition_demand(actor=user, demand_id=demand_id, action="archive")
    return redirect("/me/demands", notice="demand_archived")


async def _my_demands(actor: Actor, page: int) -> dict[str, Any]:
    result = await demand_service.list_demands(actor=actor, mine=True, status=None, page=page, size=PAGE_SIZE)
    return {
        "demands": result.items,
        "total": result.total,
        "paging": pager("/me/demands", page, result.total, PAGE_SIZE),
    }


@router.get("/me/demands", response_class=HTMLResponse)
async def my_demands(request: Request, user: CurrentUser, page: Page = 1) -> Response:
    context = {
        **await _my_demands(user, page),
        **_demand_form_context({"kind": "tech_problem", "fields": [], "region": "500107"}, {}),
    }
    return await render(request, "demands.html", context, actor=user)


@router.post("/me/demands", response_class=HTMLResponse)
async def post_demand(request: Request, user: CurrentUser, form: CheckedForm) -> Response:
    values = form_values(form, lists=("fields",))
    data, errors = bind(DemandForm, values)
    if data is not None:
        try:
            demand = await demand_service.create_demand(actor=user, body=_demand_body(data), submit=True)
        except DomainError as exc:
            errors = domain_errors(exc, fields={"budget": "budget_max", "award_fen": "award"})
        else:
            return redirect(f"/demands/{demand.id}", notice="demand_submitted")
    context = {**await _my_demands(user, 1), **_demand_form_context(values, errors)}
    return await render(request, "demands.html", context, actor=user, status_code=422)


# --- one demand and its matches --------------------------------------------------------------------------


def next_steps(status: str) -> list[str]:
    """The pipeline buttons a match in this status offers."""
    return [
        step for step in PIPELINE if step != status and allows(demand_service.MATCH_TRANSITIONS, status, step)
    ]


def match_row(match: MatchRead, contract_id: int | None = None) -> dict[str, Any]:
    """A match as the pages show it: link, score in percent, the reasons in words, next steps."""
    return {
        "match_id": match.match_id,
        "demand_id": match.demand_id,
        "type": match.type,
        "title": match.title,
        "listing_id": match.id,
        "href": f"/listings/{match.type}/{match.id}",
        "provider": "",
        "price": "",
        "availability": "",
        "unavailable": False,
        "score_percent": round(match.score * 100),
        "reasons": [{"feature": r.feature, "detail": r.detail} for r in match.reasons],
        "status": match.status.value,
        "note": match.note,
        "steps": next_steps(match.status.value),
        "contract_id": contract_id,
        "overdue": match.overdue,
        "idle_days": match.idle_days,
        "interest": match.interest_at is not None,
    }


async def with_supply_facts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Match rows with who provides the listing, its price and (instruments) availability: one query each."""
    listings = await catalog_service.published_snapshots_by_id(ids=[row["listing_id"] for row in rows])
    org_names = await accounts_service.org_names(
        org_ids=sorted({int(item["org_id"]) for item in listings.values() if item.get("org_id")})
    )
    for row in rows:
        item = listings.get(row["listing_id"])
        if item is None:
            continue
        row["provider"] = org_names.get(int(item["org_id"]), "") if item.get("org_id") else ""
        row["price"] = price_text(item)
        if item.get("type") == "instrument":
            row["availability"] = AVAILABILITY_LABELS.get(item.get("availability") or "", "")
            row["unavailable"] = item.get("availability") not in (None, "available")
    return rows


async def _matches(actor: Actor, demand_id: int) -> list[MatchRead]:
    found = await matching_service.matches_for(
        actor=actor, demand_id=demand_id, listing_type=None, limit=MATCH_LIMIT
    )
    return found.items


@router.get("/demands/{demand_id}", response_class=HTMLResponse)
async def demand_page(
    request: Request, demand_id: int, user: CurrentUser, show_all: Annotated[bool, Query(alias="all")] = False
) -> Response:
    demand = await demand_service.get_demand(actor=user, demand_id=demand_id)
    matches = await _matches(user, demand_id) if demand.status == "published" else []
    # The best few, plus every match someone is already working, wherever it ranks.
    shown = [
        m for rank, m in enumerate(matches) if show_all or rank < SHOWN_MATCHES or m.status != "suggested"
    ]
    orgs = await accounts_service.org_names(org_ids=[demand.org_id] if demand.org_id is not None else [])
    contracts = await contracts_service.contracts_for_matches(
        match_ids=[m.match_id for m in shown if m.status == "won"]
    )
    context = {
        "demand": demand,
        "org_name": orgs.get(demand.org_id, "") if demand.org_id is not None else HIDDEN_ORG,
        "fields": [field_label(code) for code in demand.fields],
        "region": region_name(demand.region or "") or "",
        "matches": await with_supply_facts([match_row(m, contracts.get(m.match_id)) for m in shown]),
        "more_href": f"/demands/{demand_id}?all=1" if len(shown) < len(matches) else None,
        "match_total": len(matches),
        "can_work": may_work_matches(user),
        "close_reasons": list(CLOSE_REASON_LABELS.items()),
        "ip_terms_labels": IP_TERMS_LABELS,
        "back": f"/demands/{demand_id}",
        "can_edit": await demand_service.may_edit_demand(actor=user, demand_id=demand_id),
        "saved": await favorites_service.saved_listing_ids(actor=user, listing_ids=[m.id for m in shown]),
    }
    return await render(request, "demand_detail.html", context, actor=user)


async def _contract_context(actor: Actor, demand_id: int, match_id: int) -> dict[str, Any]:
    if not may_work_matches(actor):
        raise NotFound("match_not_found", "未找到该匹配", "match not found")
    demand = await demand_service.get_demand(actor=actor, demand_id=demand_id)
    match = next((m for m in await _matches(actor, demand_id) if m.match_id == match_id), None)
    if match is None:
        raise NotFound("match_not_found", "未找到该匹配", "match not found")
    seller_org_id = await catalog_service.owner_org_of(match.id)
    if seller_org_id is None or demand.org_id is None:
        raise NotFound("listing_not_found", "该资源已不存在", "listing not found")
    names = await accounts_service.org_names(org_ids=[demand.org_id, seller_org_id])
    contract_type = usual_contract_type(match.type)
    return {
        "demand": demand,
        "match": match_row(match),
        "buyer_org_id": demand.org_id,
        "seller_org_id": seller_org_id,
        "buyer_name": names.get(demand.org_id, ""),
        "seller_name": names.get(seller_org_id, ""),
        "contract_types": list(CONTRACT_TYPE_LABELS.items()),
        "field_choices": FIELD_CHOICES,
        "defaults": {
            "contract_type": contract_type,
            "title": f"{match.title}{CONTRACT_TYPE_LABELS[contract_type]}合同"[:200],
            "field": (demand.fields or ["manufacturing"])[0],
            "total": "",
            "tech": "",
            "signed_at": today_in_china(),
        },
    }


@router.get("/demands/{demand_id}/matches/{match_id}/contract", response_class=HTMLResponse)
async def contract_form(request: Request, demand_id: int, match_id: int, user: CurrentUser) -> Response:
    context = await _contract_context(user, demand_id, match_id)
    context.update(values=context["defaults"], errors={})
    return await render(request, "contract_form.html", context, actor=user)


@router.post("/demands/{demand_id}/matches/{match_id}/contract", response_class=HTMLResponse)
async def contract_submit(
    request: Request, demand_id: int, match_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    context = await _contract_context(user, demand_id, match_id)
    values = form_values(form)
    data, errors = bind(ContractForm, values)
    if data is not None:
        # The contract rules (amounts present, tech ≤ total, distinct parties) are the deals service's to say.
        body = {
            "contract_type": data.contract_type.value,
            "title": data.title,
            "buyer_org_id": context["buyer_org_id"],
            "seller_org_id": context["seller_org_id"],
            "match_id": match_id,
            "field": data.field,
            "total_fen": data.total,
            "tech_fen": data.tech,
            "signed_at": data.signed_at.isoformat(),
            "milestones": [{"name": "合同价款", "amount_fen": data.total}],
        }
        try:
            # Both parties confirm before the seller submits it for 认定登记 (issue 8).
            await contracts_service.create_contract(actor=user, body=body)
        except DomainError as exc:
            errors = domain_errors(
                exc, fields={"total_fen": "total", "tech_fen": "tech", "milestones": "total"}
            )
        else:
            return redirect(f"/demands/{demand_id}", notice="contract_recorded")
    context.update(values=values, errors=errors)
    return await render(request, "contract_form.html", context, actor=user, status_code=422)


# --- the public 需求大厅 and the caller's notifications --------------------------------------------------


@router.get("/hall", response_class=HTMLResponse)
async def demand_hall(request: Request, user: MaybeUser, page: Page = 1) -> Response:
    result = await demand_service.demand_hall(actor=user, page=page, size=PAGE_SIZE)
    names = await accounts_service.org_names(org_ids=[d.org_id for d in result.items if d.org_id is not None])
    context = {
        "demands": [
            {"demand": d, "org_name": names.get(d.org_id, "") if d.org_id is not None else HIDDEN_ORG}
            for d in result.items
        ],
        "total": result.total,
        "paging": pager("/hall", page, result.total, PAGE_SIZE),
    }
    return await render(request, "demand_hall.html", context, actor=user)


@router.get("/me/notifications", response_class=HTMLResponse)
async def my_notifications(request: Request, user: CurrentUser, page: Page = 1) -> Response:
    result = await notifications_service.list_notifications(
        actor=user, unread_only=False, page=page, size=PAGE_SIZE
    )
    context = {
        "notifications": result.items,
        "unread": result.unread,
        "total": result.total,
        "paging": pager("/me/notifications", page, result.total, PAGE_SIZE),
    }
    return await render(request, "notifications.html", context, actor=user)


@router.post("/me/notifications/read")
async def read_notifications(user: CurrentUser, form: CheckedForm) -> Response:
    await notifications_service.mark_read(actor=user, notification_id=None)
    return redirect("/me/notifications")


@router.post("/me/notifications/{notification_id}/read", response_class=HTMLResponse)
async def read_notification(
    request: Request, notification_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    try:
        await notifications_service.mark_read(actor=user, notification_id=notification_id)
    except DomainError:
        # Someone else's notification does not exist for the caller.
        return await render(
            request,
            "error.html",
            {"title": "通知不存在", "message": "未找到该通知。", "status_code": 404},
            actor=user,
            status_code=404,
        )
    return redirect("/me/notifications", notice="notification_read")
