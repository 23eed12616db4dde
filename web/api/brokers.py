"""Broker profiles: file one, and (admins) approve or reject it."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status

from services.brokers import service
from services.brokers.schemas import BrokerRead
from web.deps import AdminUser, CurrentUser, Page, Size
from web.routes import add_actions

router = APIRouter(prefix="/api/v1", tags=["brokers"])
JsonBody = Annotated[dict[str, Any], Body()]


@router.post("/brokers/profile", status_code=status.HTTP_201_CREATED)
async def apply_as_broker(body: JsonBody, user: CurrentUser) -> BrokerRead:
    return await service.apply_as_broker(actor=user, body=body)


@router.get("/brokers/profile")
async def my_broker_profile(user: CurrentUser) -> BrokerRead:
    return await service.my_broker_profile(actor=user)


@router.get("/admin/brokers")
async def list_broker_profiles(
    user: AdminUser,
    page: Page = 1,
    size: Size = 20,
    status_: Annotated[str | None, Query(alias="status")] = None,
) -> dict[str, Any]:
    return await service.list_broker_profiles(actor=user, status=status_, page=page, size=size)


add_actions(
    router,
    "/admin/brokers/{profile_id}",
    {"approve": service.approve_broker, "reject": service.reject_broker},
    item="profile_id",
    read=BrokerRead,
    admin=True,
    with_body=frozenset({"reject"}),
)
