"""创新券 API: programmes (admin), applications and approvals, use on a booking, redemption by the provider."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status

from services.vouchers import service
from services.vouchers.schemas import ProgrammeRead, RedemptionRead, VoucherRead
from web.deps import AdminUser, CurrentUser, Page, Size

router = APIRouter(prefix="/api/v1", tags=["vouchers"])
JsonBody = Annotated[dict[str, Any], Body()]


@router.post("/voucher-programmes", status_code=status.HTTP_201_CREATED)
async def create_programme(body: JsonBody, user: CurrentUser) -> ProgrammeRead:
    return await service.create_programme(actor=user, body=body)


@router.get("/voucher-programmes")
async def list_programmes() -> list[ProgrammeRead]:
    return await service.list_programmes()


@router.post("/voucher-programmes/{programme_id}/applications", status_code=status.HTTP_201_CREATED)
async def apply_for_voucher(programme_id: int, user: CurrentUser) -> VoucherRead:
    return await service.apply_for_voucher(actor=user, programme_id=programme_id)


@router.get("/vouchers")
async def my_vouchers(user: CurrentUser) -> list[VoucherRead]:
    return await service.my_vouchers(actor=user)


@router.get("/admin/vouchers")
async def list_vouchers(
    user: AdminUser,
    page: Page = 1,
    size: Size = 20,
    status_: Annotated[str | None, Query(alias="status")] = None,
) -> dict[str, Any]:
    return await service.list_vouchers(actor=user, status=status_, page=page, size=size)


@router.post("/vouchers/{voucher_id}/approve")
async def approve_voucher(voucher_id: int, user: CurrentUser) -> VoucherRead:
    return await service.approve_voucher(actor=user, voucher_id=voucher_id)


@router.post("/vouchers/{voucher_id}/reject")
async def reject_voucher(voucher_id: int, user: CurrentUser) -> VoucherRead:
    return await service.reject_voucher(actor=user, voucher_id=voucher_id)


@router.post("/bookings/{booking_id}/voucher", status_code=status.HTTP_201_CREATED)
async def use_voucher(booking_id: int, body: JsonBody, user: CurrentUser) -> RedemptionRead:
    return await service.use_voucher_on_booking(actor=user, booking_id=booking_id, body=body)


@router.post("/bookings/{booking_id}/voucher/redeem")
async def redeem_voucher(booking_id: int, user: CurrentUser) -> RedemptionRead:
    return await service.redeem_booking_voucher(actor=user, booking_id=booking_id)


@router.post("/bookings/{booking_id}/voucher/release")
async def release_voucher(booking_id: int, user: CurrentUser) -> RedemptionRead:
    return await service.release_booking_voucher(actor=user, booking_id=booking_id)


@router.post("/test-requests/{request_id}/voucher", status_code=status.HTTP_201_CREATED)
async def use_voucher_on_test_request(request_id: int, body: JsonBody, user: CurrentUser) -> RedemptionRead:
    return await service.use_voucher_on_test_request(actor=user, request_id=request_id, body=body)


@router.post("/test-requests/{request_id}/voucher/redeem")
async def redeem_test_request_voucher(request_id: int, user: CurrentUser) -> RedemptionRead:
    return await service.redeem_test_request_voucher(actor=user, request_id=request_id)


@router.post("/service-orders/{order_id}/voucher", status_code=status.HTTP_201_CREATED)
async def use_voucher_on_service_order(order_id: int, body: JsonBody, user: CurrentUser) -> RedemptionRead:
    return await service.use_voucher_on_service_order(actor=user, order_id=order_id, body=body)


@router.post("/service-orders/{order_id}/voucher/redeem")
async def redeem_service_order_voucher(order_id: int, user: CurrentUser) -> RedemptionRead:
    return await service.redeem_service_order_voucher(actor=user, order_id=order_id)
