"""Bookings API: request a slot, the owner approves or rejects, the parties read it."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status

from services.bookings import service
from services.bookings.schemas import BookingDecision, BookingRead
from web.deps import CurrentUser, Page, Size

router = APIRouter(prefix="/api/v1", tags=["bookings"])
JsonBody = Annotated[dict[str, Any], Body()]


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


@router.post("/bookings/{booking_id}/approve")
async def approve_booking(booking_id: int, user: CurrentUser) -> BookingRead:
    return await service.approve_booking(actor=user, booking_id=booking_id)


@router.post("/bookings/{booking_id}/reject")
async def reject_booking(booking_id: int, body: BookingDecision, user: CurrentUser) -> BookingRead:
    return await service.reject_booking(actor=user, booking_id=booking_id, reason=body.reason)
