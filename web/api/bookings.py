"""Bookings API: slots and their life-cycle, an instrument's availability, closures and training records."""

from datetime import date, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from services.bookings import service, sharing
from services.bookings.schemas import (
    AvailabilityRead,
    BookingDecision,
    BookingRead,
    ClosureRead,
    TrainingRead,
)
from web.deps import CurrentUser, Page, Size
from web.routes import JsonBody, add_actions, export

router = APIRouter(prefix="/api/v1", tags=["bookings"])


@router.post("/bookings", status_code=status.HTTP_201_CREATED)
async def create_booking(body: JsonBody, user: CurrentUser) -> BookingRead:
    return await service.create_booking(actor=user, body=body)


@router.get("/bookings")
async def list_bookings(
    user: CurrentUser,
    page: Page = 1,
    size: Size = 20,
    role: Annotated[str, Query(pattern="^(mine|owner)$")] = "mine",
) -> dict[str, Any]:
    return await service.list_bookings(actor=user, role=role, page=page, size=size)


@router.get("/bookings/{booking_id}")
async def get_booking(booking_id: int, user: CurrentUser) -> BookingRead:
    return await service.get_booking(actor=user, booking_id=booking_id)


add_actions(
    router,
    "/bookings/{booking_id}",
    {"approve": service.approve_booking},
    item="booking_id",
    read=BookingRead,
)


@router.post("/bookings/{booking_id}/reject")
async def reject_booking(booking_id: int, body: BookingDecision, user: CurrentUser) -> BookingRead:
    return await service.reject_booking(actor=user, booking_id=booking_id, reason=body.reason)


add_actions(
    router,
    "/bookings/{booking_id}",
    {
        "cancel": service.cancel_booking,
        "start": service.start_booking,
        "finish": service.finish_booking,
        "no-show": service.mark_no_show,
    },
    item="booking_id",
    read=BookingRead,
    with_body=frozenset({"finish"}),
)


@router.get("/instruments/{instrument_id}/availability", response_model=AvailabilityRead)
async def availability(
    instrument_id: int,
    start: Annotated[datetime, Query(alias="from")],
    end: Annotated[datetime, Query(alias="to")],
) -> Response:
    found = await service.get_availability(instrument_id=instrument_id, start=start, end=end)
    return Response(orjson.dumps(found), media_type="application/json")


@router.get("/instruments/{instrument_id}/closures")
async def list_closures(instrument_id: int) -> list[ClosureRead]:
    return await service.list_closures(instrument_id=instrument_id)


@router.post("/instruments/{instrument_id}/closures", status_code=status.HTTP_201_CREATED)
async def add_closure(instrument_id: int, body: JsonBody, user: CurrentUser) -> ClosureRead:
    return await service.add_closure(actor=user, instrument_id=instrument_id, body=body)


@router.delete("/instruments/{instrument_id}/closures/{closure_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_closure(instrument_id: int, closure_id: int, user: CurrentUser) -> None:
    await service.remove_closure(actor=user, instrument_id=instrument_id, closure_id=closure_id)


@router.get("/instruments/{instrument_id}/trainings")
async def list_trainings(instrument_id: int, user: CurrentUser) -> list[TrainingRead]:
    return await service.list_trainings(actor=user, instrument_id=instrument_id)


@router.post("/instruments/{instrument_id}/trainings", status_code=status.HTTP_201_CREATED)
async def grant_training(instrument_id: int, body: JsonBody, user: CurrentUser) -> TrainingRead:
    return await service.grant_training(actor=user, instrument_id=instrument_id, body=body)


@router.post("/instruments/{instrument_id}/trainings/{training_id}/revoke")
async def revoke_training(instrument_id: int, training_id: int, user: CurrentUser) -> TrainingRead:
    return await service.revoke_training(actor=user, instrument_id=instrument_id, training_id=training_id)


@router.get("/reports/open-sharing", response_model=None)
async def open_sharing_report(
    user: CurrentUser,
    date_from: Annotated[date, Query(alias="from")],
    date_to: Annotated[date, Query(alias="to")],
    org_id: int | None = None,
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
) -> dict[str, Any] | Response:
    report = await sharing.open_sharing_report(
        actor=user, date_from=date_from, date_to=date_to, org_id=org_id
    )
    return export(
        report, format=format, filename="open-sharing", to_csv=sharing.to_csv, to_xlsx=sharing.to_xlsx
    )
