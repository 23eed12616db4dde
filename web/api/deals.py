"""Deals API: bookings, contracts, milestone payments, registration."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, status

from services.catalog import service as catalog_service
from services.deals import contracts, registration, service
from services.deals.payments import service as payments
from services.deals.schemas import BookingDecision, BookingRead, ContractRead, PaymentRead
from web.deps import AdminUser, CurrentUser, Page, Size

router = APIRouter(prefix="/api/v1", tags=["deals"])
JsonBody = Annotated[dict[str, Any], Body()]


@router.post("/bookings", status_code=status.HTTP_201_CREATED)
async def create_booking(body: JsonBody, user: CurrentUser) -> BookingRead:
    instrument_id = body.get("instrument_id")
    instrument: dict[str, Any] = {}
    if isinstance(instrument_id, int) and not isinstance(instrument_id, bool):
        instrument = await catalog_service.instrument_for_booking(instrument_id=instrument_id)
    return await service.create_booking(actor=user, body=body, instrument=instrument)


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
    return await service.get_booking(
        actor=user, booking_id=booking_id, owner_org_id_of=catalog_service.owner_org_of
    )


async def _decide(booking_id: int, user: Any, approve: bool, reason: str | None) -> BookingRead:
    instrument_id = await service.booking_instrument_id(booking_id=booking_id)
    owner = await catalog_service.owner_org_of(instrument_id)
    return await service.decide_booking(
        actor=user, booking_id=booking_id, approve=approve, reason=reason, owner_org_id=owner or -1
    )


@router.post("/bookings/{booking_id}/approve")
async def approve_booking(booking_id: int, user: CurrentUser) -> BookingRead:
    return await _decide(booking_id, user, True, None)


@router.post("/bookings/{booking_id}/reject")
async def reject_booking(booking_id: int, body: BookingDecision, user: CurrentUser) -> BookingRead:
    return await _decide(booking_id, user, False, body.reason)


@router.post("/contracts", status_code=status.HTTP_201_CREATED)
async def create_contract(body: JsonBody, user: CurrentUser) -> ContractRead:
    return await contracts.create_contract(actor=user, body=body)


@router.get("/contracts")
async def list_contracts(
    user: CurrentUser,
    page: Page = 1,
    size: Size = 20,
    status_: Annotated[str | None, Query(alias="status")] = None,
) -> dict[str, Any]:
    return await contracts.list_contracts(actor=user, status=status_, page=page, size=size)


@router.get("/contracts/{contract_id}")
async def get_contract(contract_id: int, user: CurrentUser) -> ContractRead:
    return await contracts.get_contract(actor=user, contract_id=contract_id)


@router.post("/contracts/{contract_id}/milestones/{milestone_id}/pay")
async def pay_milestone(
    contract_id: int,
    milestone_id: int,
    request: Request,
    user: CurrentUser,
    body: Annotated[dict[str, Any] | None, Body()] = None,
) -> PaymentRead:
    return await payments.start_milestone_payment(
        actor=user,
        contract_id=contract_id,
        milestone_id=milestone_id,
        body=body,
        provider=request.app.state.payments,
    )


@router.post("/contracts/{contract_id}/registration")
async def submit_registration(contract_id: int, user: CurrentUser) -> ContractRead:
    return await registration.submit_registration(actor=user, contract_id=contract_id)


@router.post("/contracts/{contract_id}/registration/approve")
async def approve_registration(contract_id: int, body: JsonBody, user: AdminUser) -> ContractRead:
    return await registration.approve_registration(actor=user, contract_id=contract_id, body=body)


@router.post("/contracts/{contract_id}/registration/reject")
async def reject_registration(contract_id: int, body: JsonBody, user: AdminUser) -> ContractRead:
    return await registration.reject_registration(actor=user, contract_id=contract_id, body=body)
