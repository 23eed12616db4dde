"""Zone administrators' pages: the review queue, contract registration (认定登记) and the turnover dashboard."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.catalog import service as catalog_service
from services.core.clock import CHINA_TZ
from services.core.errors import Conflict, DomainError
from services.core.money import format_wan
from services.deals import contracts as contracts_service
from services.deals import registration as registration_service
from services.demand import service as demand_service
from services.indicators import service as indicators_service
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
    listings = await catalog_service.list_listings(
        actor=actor, listing_type=None, status=ListingStatus.PENDING, mine=False, page=page, size=PAGE_SIZE
    )
    demands = await demand_service.list_demands(actor=actor, mine=False, status="pending", page=1, size=50)
    orgs = await accounts_service.org_names(
        org_ids=[item["org_id"] for item in listings.items] + [d.org_id for d in demands.items]
    )
    return {
        "listings": [
            {
                **item,
                "display_title": item["name"] if item["type"] == "expert" else item["title"],
                "org_name": orgs.get(item["org_id"], ""),
            }
            for item in listings.items
        ],
        "listing_total": listings.total,
        "demands": [{"demand": d, "org_name": orgs.get(d.org_id, "")} for d in demands.items],
        "demand_total": demands.total,
        "errors": errors,
        "paging": pager("/admin/review", page, listings.total, PAGE_SIZE),
    }


@router.get("/review", response_class=HTMLResponse)
async def review(request: Request, user: AdminUser, page: Page = 1) -> Response:
    return await render(request, "admin_review.html", await _review_context(user, page, {}), actor=user)


async def _review_refused(
    request: Request, user: Actor, key: str, message: str, status_code: int
) -> Response:
    context = await _review_context(user, 1, {key: message})
    return await render(request, "admin_review.html", context, actor=user, status_code=status_code)


@router.post("/listings/{listing_type}/{listing_id}/publish")
async def publish_listing(
    request: Request, listing_type: ListingType, listing_id: int, user: AdminUser, form: CheckedForm
) -> Response:
    try:
        await catalog_service.transition_listing(
            actor=user, listing_type=listing_type, listing_id=listing_id, action="publish"
        )
    except Conflict as exc:
        return await _review_refused(request, user, f"listing-{listing_id}", human_message(exc.detail), 409)
    return redirect("/admin/review", notice="published")


@router.post("/listings/{listing_type}/{listing_id}/reject")
async def reject_listing(
    request: Request, listing_type: ListingType, listing_id: int, user: AdminUser, form: CheckedForm
) -> Response:
    data, _errors = bind(ReasonForm, form_values(form))
    if data is None:
        return await _review_refused(
            request, user, f"listing-{listing_id}", "请填写驳回理由（至少 2 个字）", 422
        )
    await catalog_service.transition_listing(
        actor=user, listing_type=listing_type, listing_id=listing_id, action="reject", reason=data.reason
    )
    return redirect("/admin/review", notice="rejected")


@router.post("/demands/{demand_id}/publish")
async def publish_demand(demand_id: int, user: AdminUser, form: CheckedForm) -> Response:
    await demand_service.transition_demand(actor=user, demand_id=demand_id, action="publish")
    return redirect("/admin/review", notice="published")


@router.post("/demands/{demand_id}/reject")
async def reject_demand(request: Request, demand_id: int, user: AdminUser, form: CheckedForm) -> Response:
    data, _ = bind(ReasonForm, form_values(form))
    if data is None:
        return await _review_refused(
            request, user, f"demand-{demand_id}", "请填写驳回理由（至少 2 个字）", 422
        )
    await demand_service.transition_demand(
        actor=user, demand_id=demand_id, action="reject", reason=data.reason
    )
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
        message = "该登记号已被使用" if exc.code == "registration_no_taken" else human_message(exc.detail)
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


# --- turnover dashboard ----------------------------------------------------------------------------------

CHART = {"width": 760, "height": 280, "left": 64, "right": 16, "top": 20, "bottom": 36}


def _nice_ceiling(value: int) -> int:
    """A round axis maximum (1, 2 or 5 times a power of ten) at or above the value."""
    if value <= 0:
        return 1
    magnitude = int("1" + "0" * (len(str(value)) - 1))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def _wan_number(fen: int) -> str:
    """An amount in 万元 without the unit and without needless decimals: 2500000 -> '2.5'."""
    text = f"{(Decimal(fen) / 1_000_000).quantize(Decimal('0.01')):,}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def monthly_chart(year: int, series: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of the monthly bar chart, computed here so the template only draws it (pure SVG, no script)."""
    by_month = {row["key"]: row for row in series}
    months: list[dict[str, int]] = []
    for number in range(1, 13):
        row = by_month.get(f"{year}-{number:02d}", {})
        months.append(
            {"month": number, "total_fen": int(row.get("total_fen", 0)), "count": int(row.get("count", 0))}
        )
    plot_width = CHART["width"] - CHART["left"] - CHART["right"]
    plot_height = CHART["height"] - CHART["top"] - CHART["bottom"]
    top = _nice_ceiling(max(m["total_fen"] for m in months))
    slot = plot_width / 12
    bars: list[dict[str, Any]] = []
    for index, month in enumerate(months):
        height = plot_height * month["total_fen"] / top
        bars.append(
            {
                "x": round(CHART["left"] + index * slot + slot * 0.18, 1),
                "y": round(CHART["top"] + plot_height - height, 1),
                "width": round(slot * 0.64, 1),
                "height": round(height, 1),
                "label": f"{month['month']}月",
                "label_x": round(CHART["left"] + index * slot + slot / 2, 1),
                "title": f"{year}年{month['month']}月：{format_wan(month['total_fen'])}，{month['count']} 份合同",
                "value": _wan_number(month["total_fen"]) if month["total_fen"] else "",
            }
        )
    ticks = [
        {
            "y": round(CHART["top"] + plot_height - plot_height * step / 4, 1),
            "label": _wan_number(top * step // 4),
        }
        for step in range(5)
    ]
    return {
        **CHART,
        "plot_right": CHART["width"] - CHART["right"],
        "baseline": CHART["top"] + plot_height,
        "bars": bars,
        "ticks": ticks,
        "months": months,
        "description": "；".join(
            str(bar["title"]) for bar, month in zip(bars, months, strict=True) if month["total_fen"]
        ),
    }


def _breakdown(report: dict[str, Any]) -> list[dict[str, Any]]:
    total = report["total_fen"] or 1
    rows = sorted(report["series"], key=lambda row: -row["total_fen"])
    return [
        {
            "label": row["label"],
            "amount": format_wan(row["total_fen"]),
            "count": row["count"],
            "percent": round(100 * row["total_fen"] / total, 1),
        }
        for row in rows
    ]


def _export_links(date_from: date, date_to: date) -> list[dict[str, str]]:
    labels = {
        "month": "按月",
        "contract_type": "按合同类别",
        "field": "按技术领域",
        "region": "按地区（输出）",
        "buyer_region": "按地区（吸纳）",
    }
    links = []
    for group_by, label in labels.items():
        for kind in ("csv", "xlsx"):
            query = urlencode(
                {
                    "from": date_from.isoformat(),
                    "to": date_to.isoformat(),
                    "group_by": group_by,
                    "format": kind,
                }
            )
            links.append(
                {
                    "label": f"{label} · {kind.upper()}",
                    "href": f"/api/v1/indicators/tech-contract-turnover?{query}",
                }
            )
    return links


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(
    request: Request, user: AdminUser, year: Annotated[int | None, Query(ge=FIRST_YEAR, le=2100)] = None
) -> Response:
    today = datetime.now(CHINA_TZ).date()
    chosen = min(year or today.year, today.year)
    date_from = date(chosen, 1, 1)
    date_to = today if chosen == today.year else date(chosen, 12, 31)
    reports = {
        group_by: await indicators_service.turnover(
            actor=user, date_from=date_from, date_to=date_to, group_by=group_by
        )
        for group_by in ("month", "contract_type", "field", "region", "buyer_region")
    }
    month = reports["month"]
    target = month["target"]
    progress = target["progress"] or 0
    context = {
        "year": chosen,
        "years": list(range(today.year, FIRST_YEAR - 1, -1)),
        "date_from": date_from,
        "date_to": date_to,
        "total": format_wan(month["total_fen"]),
        "tech": format_wan(month["tech_fen"]),
        "count": month["count"],
        "year_total_fen": target["year_total_fen"],
        "target": format_wan(target["target_fen"]),
        "progress_percent": round(progress * 100, 1),
        "progress_bar": min(100.0, round(progress * 100, 1)),
        "chart": monthly_chart(chosen, month["series"]),
        "breakdowns": [
            ("按合同类别", _breakdown(reports["contract_type"]), ""),
            ("按技术领域", _breakdown(reports["field"]), "括号内为国家技术市场统计口径的技术领域"),
            ("按地区 · 输出（卖方所在地）", _breakdown(reports["region"]), "技术输出：卖方所在区县"),
            ("按地区 · 吸纳（买方所在地）", _breakdown(reports["buyer_region"]), "技术吸纳：买方所在区县"),
        ],
        "exports": _export_links(date_from, date_to),
    }
    return await render(request, "admin_dashboard.html", context, actor=user)
