"""The technology broker's workbench: the queue of matches to work and the pipeline buttons."""

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError

from services.accounts.policies import Actor
from services.core.errors import DomainError
from services.demand import service as demand_service
from services.demand.schemas import (
    CloseReason,
    MatchRead,
    MatchStatus,
    MatchStatusUpdate,
    NoteVisibility,
    QueueParams,
)
from services.reference.vocabulary import CLOSE_REASON_LABELS, OPEN_MATCH_STATUSES
from web.deps import CurrentUser, Page
from web.pages.csrf import CheckedForm
from web.pages.demand import FIELD_CHOICES, match_row, with_supply_facts
from web.pages.forms import BlankIsNone, bind, form_values
from web.pages.shell import pager, redirect, render, safe_next

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30


SORT_LABELS = {
    "oldest": "等待最久",
    "idle": "最久未跟进",
    "score": "匹配度",
    "interest": "供给方有意向",
    "newest": "最新",
}


class StatusForm(BaseModel):
    status: MatchStatus
    note: str = Field(default="", max_length=5000)
    note_visibility: NoteVisibility = NoteVisibility.INTERNAL
    reason: Annotated[CloseReason | None, BlankIsNone] = None
    back: str = "/broker"


async def _grouped(actor: Actor, items: list[MatchRead]) -> list[dict[str, Any]]:
    """Matches grouped under their demand, demands in the order their oldest match waits."""
    groups: dict[int, dict[str, Any]] = {}
    for match in items:
        group = groups.get(match.demand_id)
        if group is None:
            group = {"demand_id": match.demand_id, "title": f"需求 {match.demand_id}", "matches": []}
            groups[match.demand_id] = group
        group["matches"].append(match_row(match))
    for group in groups.values():
        group["matches"] = await with_supply_facts(group["matches"])
    for group in groups.values():
        try:
            demand = await demand_service.get_demand(actor=actor, demand_id=group["demand_id"])
        except DomainError:
            continue
        group.update(title=demand.title, kind=demand.kind.value, budget=demand.budget)
    return list(groups.values())


@router.get("/broker", response_class=HTMLResponse)
async def queue(
    request: Request,
    user: CurrentUser,
    page: Page = 1,
    demand_id: int | None = None,
    field: Annotated[str | None, BlankIsNone] = None,
    status: Annotated[MatchStatus | None, BlankIsNone] = None,
    min_idle_days: Annotated[int | None, BlankIsNone] = None,
    sort: str = "oldest",
) -> Response:
    params = QueueParams.model_validate(
        {
            "demand_id": demand_id,
            "field": field or None,
            "status": status,
            "min_idle_days": min_idle_days,
            "sort": sort if sort in SORT_LABELS else "oldest",
        }
    )
    result = await demand_service.broker_queue(actor=user, page=page, size=PAGE_SIZE, params=params)
    filters = {k: v for k, v in params.model_dump(mode="json").items() if v not in (None, "")}
    scope = "".join(f"&{k}={v}" for k, v in filters.items())
    context = {
        "groups": await _grouped(user, result["items"]),
        "total": result["total"],
        "paging": pager("/broker", page, result["total"], PAGE_SIZE, scope),
        "filters": filters,
        "close_reasons": list(CLOSE_REASON_LABELS.items()),
        "sort_choices": list(SORT_LABELS.items()),
        "field_choices": FIELD_CHOICES,
        "stage_choices": [s.value for s in OPEN_MATCH_STATUSES],
    }
    return await render(request, "broker_queue.html", context, actor=user)


@router.post("/matches/{match_id}/status")
async def move_match(match_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    values = form_values(form)
    data, _errors = bind(StatusForm, values)
    back = safe_next(values.get("back"), "/broker")
    if data is None:
        return redirect(back)
    try:
        update = MatchStatusUpdate(
            status=data.status, note=data.note, note_visibility=data.note_visibility, reason=data.reason
        )
    except ValidationError:
        return redirect(back, notice="reason_required")
    moved = await demand_service.set_match_status(actor=user, match_id=match_id, data=update)
    if moved.status == MatchStatus.WON:
        # A won match leaves the queue; its demand page is where the contract gets registered.
        return redirect(f"/demands/{moved.demand_id}", notice="match_won")
    return redirect(back, notice="match_moved")
