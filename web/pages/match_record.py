"""A match's 跟进记录 (follow-up record): its pipeline history, the contacts between the parties and the notes, with
a note form; and 需求分配, where an admin gives a published demand to a technology broker."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.core.errors import DomainError
from services.demand import service as demand_service
from services.demand.schemas import NoteCreate, NoteVisibility
from services.reference.fields import field_label
from services.reference.vocabulary import Role
from web.deps import AdminUser, CurrentUser, Page
from web.errors import STATUS
from web.pages.csrf import CheckedForm
from web.pages.demand import match_row, with_supply_facts
from web.pages.forms import bind, domain_errors, form_values
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
CONTACT_LABELS = {
    ("enquiry", "buyer"): "需求方向专家发起咨询",
    ("interest", "seller"): "供给方表达合作意向",
}
VISIBILITY_LABELS = {NoteVisibility.INTERNAL: "仅经纪人可见", NoteVisibility.SHARED: "需求方可见"}


class NoteForm(BaseModel):
    body: str = Field(min_length=1, max_length=5000)
    visibility: NoteVisibility = NoteVisibility.SHARED


class AssignForm(BaseModel):
    broker_id: int = Field(gt=0)


async def _record_context(user: Actor, match_id: int) -> dict[str, Any]:
    record = await demand_service.match_record(actor=user, match_id=match_id)
    match, demand = record["match"], record["demand"]
    people = await accounts_service.user_names(
        user_ids=[h["actor_id"] for h in record["history"] if h["actor_id"]]
        + [n.author_id for n in record["notes"] if n.author_id]
        + ([match.broker_id] if match.broker_id else [])
    )
    [row] = await with_supply_facts([match_row(match)])
    return {
        "match": row,
        "demand": demand,
        "broker": people.get(match.broker_id, "") if match.broker_id else "",
        "history": [{**h, "who": people.get(h["actor_id"], "系统")} for h in record["history"]],
        "contacts": [
            {
                "what": CONTACT_LABELS.get((c["kind"], c["from"]), c["kind"]),
                "at": c["at"],
                "answered_at": c.get("answered_at"),
            }
            for c in record["contacts"]
        ],
        "notes": [
            {
                "note": n,
                "who": people.get(n.author_id, "") if n.author_id else "",
                "label": VISIBILITY_LABELS[n.visibility],
            }
            for n in reversed(record["notes"])
        ],
        "may_write": record["may_write"],
        "visibilities": [
            (v.value, VISIBILITY_LABELS[v])
            for v in NoteVisibility
            if record["may_write_internal"] or v == NoteVisibility.SHARED
        ],
        "internal": record["may_write_internal"],
    }


async def _record_page(
    request: Request,
    user: Actor,
    match_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = await _record_context(user, match_id)
    default = NoteVisibility.INTERNAL if context["internal"] else NoteVisibility.SHARED
    context.update(values=values or {"visibility": default.value}, errors=errors or {})
    return await render(request, "match_record.html", context, actor=user, status_code=status_code)


@router.get("/matches/{match_id}", response_class=HTMLResponse)
async def record_page(request: Request, match_id: int, user: CurrentUser) -> Response:
    return await _record_page(request, user, match_id)


@router.post("/matches/{match_id}/notes", response_class=HTMLResponse)
async def add_note(request: Request, match_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    values = form_values(form)
    data, errors = bind(NoteForm, values)
    if data is None:
        return await _record_page(request, user, match_id, values=values, errors=errors, status_code=422)
    try:
        await demand_service.add_note(
            actor=user, match_id=match_id, data=NoteCreate(body=data.body, visibility=data.visibility)
        )
    except DomainError as exc:
        return await _record_page(
            request, user, match_id, values=values, errors=domain_errors(exc), status_code=STATUS[exc.kind]
        )
    return redirect(f"/matches/{match_id}#notes", notice="note_added")


# --- 需求分配 (admin) -------------------------------------------------------------------------------------


async def _assignment_page(
    request: Request, user: Actor, page: int, *, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    result = await demand_service.list_demands(
        actor=user, mine=False, status="published", page=page, size=PAGE_SIZE
    )
    brokers = await accounts_service.people_with_role(actor=user, role=Role.BROKER)
    names = dict(brokers)
    orgs = await accounts_service.org_names(org_ids=[d.org_id for d in result.items if d.org_id])
    rows = [
        {
            "demand": d,
            "org_name": orgs.get(d.org_id, "") if d.org_id else "",
            "broker": names.get(d.broker_id, f"账号 {d.broker_id}") if d.broker_id else "",
            "field_labels": [field_label(code) for code in d.fields],
        }
        for d in result.items
    ]
    context = {
        "rows": rows,
        "brokers": brokers,
        "total": result.total,
        "paging": pager("/admin/demands", page, result.total, PAGE_SIZE),
        "page": page,
        "errors": errors or {},
    }
    return await render(request, "admin_demands.html", context, actor=user, status_code=status_code)


@router.get("/admin/demands", response_class=HTMLResponse)
async def assignment_page(request: Request, user: AdminUser, page: Page = 1) -> Response:
    return await _assignment_page(request, user, page)


@router.post("/admin/demands/{demand_id}/broker", response_class=HTMLResponse)
async def assign_broker(
    request: Request, demand_id: int, user: AdminUser, form: CheckedForm, page: Page = 1
) -> Response:
    data, _ = bind(AssignForm, form_values(form))
    key = f"demand-{demand_id}"
    if data is None:
        return await _assignment_page(request, user, page, errors={key: "请选择技术经纪人"}, status_code=422)
    try:
        await demand_service.assign_broker(actor=user, demand_id=demand_id, broker_id=data.broker_id)
    except DomainError as exc:
        message = next(iter(domain_errors(exc).values()))
        return await _assignment_page(
            request, user, page, errors={key: message}, status_code=STATUS[exc.kind]
        )
    return redirect(f"/admin/demands?page={page}#{key}", notice="broker_assigned")
