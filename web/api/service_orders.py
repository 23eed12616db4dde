"""Service orders API: request, quote, acceptance, delivery, acceptance or dispute, payment, contract."""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Form, Request, Response, UploadFile, status

from services.deals.schemas import ContractRead, PaymentRead
from services.orders import service
from services.orders.schemas import ServiceOrderPage, ServiceOrderRead, ServiceOrderStatus
from web.deps import AdminUser, CurrentUser, Page, Size

router = APIRouter(prefix="/api/v1/service-orders", tags=["service-orders"])
JsonBody = Annotated[dict[str, Any], Body()]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_service_order(body: JsonBody, user: CurrentUser) -> ServiceOrderRead:
    return await service.create_service_order(actor=user, body=body)


@router.get("")
async def list_service_orders(
    user: CurrentUser, status: ServiceOrderStatus | None = None, page: Page = 1, size: Size = 20
) -> ServiceOrderPage:
    return await service.list_service_orders(actor=user, status=status, page=page, size=size)


@router.get("/{order_id}")
async def get_service_order(order_id: int, user: CurrentUser) -> ServiceOrderRead:
    return await service.get_service_order(actor=user, order_id=order_id)


@router.post("/{order_id}/quote")
async def quote_service_order(order_id: int, body: JsonBody, user: CurrentUser) -> ServiceOrderRead:
    return await service.quote_service_order(actor=user, order_id=order_id, body=body)


@router.post("/{order_id}/accept")
async def accept_quote(order_id: int, body: JsonBody, user: CurrentUser) -> ServiceOrderRead:
    return await service.accept_quote(actor=user, order_id=order_id, body=body)


@router.post("/{order_id}/decline")
async def decline_quote(order_id: int, user: CurrentUser) -> ServiceOrderRead:
    return await service.decline_quote(actor=user, order_id=order_id)


@router.post("/{order_id}/withdraw")
async def withdraw_service_order(order_id: int, user: CurrentUser) -> ServiceOrderRead:
    return await service.withdraw_service_order(actor=user, order_id=order_id)


@router.post("/{order_id}/deliver")
async def deliver_service_order(
    order_id: int, user: CurrentUser, note: Annotated[str, Form()] = "", file: UploadFile | None = None
) -> ServiceOrderRead:
    content = await file.read(service.MAX_DELIVERABLE_BYTES + 1) if file is not None else None
    return await service.deliver_service_order(
        actor=user, order_id=order_id, note=note, content=content, filename=file.filename if file else None
    )


@router.get("/{order_id}/deliverable")
async def download_deliverable(order_id: int, user: CurrentUser) -> Response:
    content, name = await service.download_deliverable(actor=user, order_id=order_id)
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.post("/{order_id}/accept-delivery")
async def accept_delivery(order_id: int, user: CurrentUser) -> ServiceOrderRead:
    return await service.accept_delivery(actor=user, order_id=order_id)


@router.post("/{order_id}/dispute")
async def dispute_delivery(order_id: int, body: JsonBody, user: CurrentUser) -> ServiceOrderRead:
    return await service.dispute_delivery(actor=user, order_id=order_id, body=body)


@router.post("/{order_id}/resolve")
async def resolve_dispute(order_id: int, body: JsonBody, user: AdminUser) -> ServiceOrderRead:
    return await service.resolve_dispute(actor=user, order_id=order_id, body=body)


@router.post("/{order_id}/contract", status_code=status.HTTP_201_CREATED)
async def create_order_contract(order_id: int, user: CurrentUser) -> ContractRead:
    return await service.create_order_contract(actor=user, order_id=order_id)


@router.post("/{order_id}/milestones/{seq}/pay")
async def pay_order_milestone(
    order_id: int, seq: int, body: JsonBody, request: Request, user: CurrentUser
) -> PaymentRead:
    return await service.pay_order_milestone(
        actor=user, order_id=order_id, seq=seq, body=body, provider=request.app.state.payments
    )
