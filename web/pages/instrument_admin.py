"""开放管理 of one instrument, for its organisation: closures (holidays, maintenance windows) that take slots out of
the booking calendar, and the training records that let a person operate it themselves (自主上机)."""

from datetime import date, datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, EmailStr, Field

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.bookings import service as bookings_service
from services.bookings.schemas import ClosureKind
from services.catalog import service as catalog_service
from services.core.clock import CHINA_TZ
from services.core.errors import DomainError
from web.deps import CurrentUser
from web.errors import STATUS
from web.pages.csrf import CheckedForm
from web.pages.forms import GENERAL, beijing, bind, domain_errors, form_values, human_message
from web.pages.shell import redirect, render

router = APIRouter(prefix="/me/listings/instrument/{instrument_id}/schedule", include_in_schema=False)
CLOSURE_KIND_LABELS = {
    ClosureKind.MAINTENANCE: "维护保养",
    ClosureKind.HOLIDAY: "节假日",
    ClosureKind.CLOSED: "停机/闭馆",
}


class ClosureForm(BaseModel):
    start: datetime
    end: datetime
    kind: ClosureKind = ClosureKind.MAINTENANCE
    note: str = Field(default="", max_length=200)


class TrainingForm(BaseModel):
    email: EmailStr
    expires_on: date


async def _page(
    request: Request,
    user: Actor,
    instrument_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    # The training records are the owner's alone: reading them first refuses everyone else (403/404).
    trainings = await bookings_service.list_trainings(actor=user, instrument_id=instrument_id)
    instrument = await catalog_service.instrument_for_booking(instrument_id=instrument_id)
    published = instrument.get("status") == "published"
    closures = await bookings_service.list_closures(instrument_id=instrument_id) if published else []
    people = await accounts_service.user_names(user_ids=[t.user_id for t in trainings])
    context = {
        "instrument": instrument,
        "instrument_id": instrument_id,
        "published": published,
        "closures": closures,
        "trainings": [{"record": t, "person": people.get(t.user_id, "")} for t in trainings],
        "kinds": list(CLOSURE_KIND_LABELS.items()),
        "CLOSURE_KIND_LABELS": CLOSURE_KIND_LABELS,
        "errors": errors or {},
        "values": values or {"kind": ClosureKind.MAINTENANCE.value},
    }
    return await render(request, "instrument_schedule.html", context, actor=user, status_code=status_code)


@router.get("", response_class=HTMLResponse)
async def schedule(request: Request, instrument_id: int, user: CurrentUser) -> Response:
    return await _page(request, user, instrument_id)


async def _refused(
    request: Request,
    user: Actor,
    instrument_id: int,
    exc: DomainError,
    values: dict[str, Any],
    fields: dict[str, str],
) -> Response:
    errors = domain_errors(exc, fields=fields)
    return await _page(
        request, user, instrument_id, errors=errors, values=values, status_code=STATUS[exc.kind]
    )


@router.post("/closures", response_class=HTMLResponse)
async def add_closure(request: Request, instrument_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    values = form_values(form)
    data, errors = bind(ClosureForm, values)
    if data is not None and beijing(data.end) <= beijing(data.start):
        data, errors = None, {"end": "结束时间必须晚于开始时间"}
    if data is None:
        return await _page(request, user, instrument_id, errors=errors, values=values, status_code=422)
    body = {
        "start": beijing(data.start).isoformat(),
        "end": beijing(data.end).isoformat(),
        "kind": data.kind.value,
        "note": data.note,
    }
    try:
        await bookings_service.add_closure(actor=user, instrument_id=instrument_id, body=body)
    except DomainError as exc:
        return await _refused(request, user, instrument_id, exc, values, {})
    return redirect(f"/me/listings/instrument/{instrument_id}/schedule", notice="closure_added")


@router.post("/closures/{closure_id}/delete", response_class=HTMLResponse)
async def remove_closure(
    instrument_id: int, closure_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    await bookings_service.remove_closure(actor=user, instrument_id=instrument_id, closure_id=closure_id)
    return redirect(f"/me/listings/instrument/{instrument_id}/schedule", notice="closure_removed")


@router.post("/trainings", response_class=HTMLResponse)
async def grant_training(
    request: Request, instrument_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    values = form_values(form)
    data, errors = bind(TrainingForm, values)
    if data is None:
        return await _page(request, user, instrument_id, errors=errors, values=values, status_code=422)
    # Refuse a stranger before looking the e-mail up: only the owner learns whether someone is registered.
    await bookings_service.list_trainings(actor=user, instrument_id=instrument_id)
    trainee = await accounts_service.active_user_id(email=str(data.email))
    if trainee is None:
        errors = {"email": "未找到使用该邮箱注册的用户，请让受训人先注册"}
        return await _page(request, user, instrument_id, errors=errors, values=values, status_code=422)
    # Valid through the whole last day, Beijing time.
    expires = datetime.combine(data.expires_on, time(23, 59), tzinfo=CHINA_TZ)
    try:
        await bookings_service.grant_training(
            actor=user,
            instrument_id=instrument_id,
            body={"user_id": trainee, "expires_at": expires.isoformat()},
        )
    except DomainError as exc:
        return await _refused(request, user, instrument_id, exc, values, {"expires_at": "expires_on"})
    return redirect(f"/me/listings/instrument/{instrument_id}/schedule", notice="training_granted")


@router.post("/trainings/{training_id}/revoke", response_class=HTMLResponse)
async def revoke_training(
    request: Request, instrument_id: int, training_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    try:
        await bookings_service.revoke_training(
            actor=user, instrument_id=instrument_id, training_id=training_id
        )
    except DomainError as exc:
        return await _page(
            request, user, instrument_id, errors={GENERAL: human_message(exc)}, status_code=STATUS[exc.kind]
        )
    return redirect(f"/me/listings/instrument/{instrument_id}/schedule", notice="training_revoked")
