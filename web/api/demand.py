"""Demand and matching API."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status

from matching import service as matching_service
from services.catalog.schemas import RejectRequest
from services.demand import service
from services.demand.schemas import DemandPage, DemandRead, MatchList, MatchRead, MatchStatusUpdate
from web.deps import AdminUser, CurrentUser, Page, Size

router = APIRouter(prefix="/api/v1", tags=["demand"])
JsonBody = Annotated[dict[str, Any], Body()]


@router.post("/demands", status_code=status.HTTP_201_CREATED)
async def create(body: JsonBody, user: CurrentUser) -> DemandRead:
    return await service.create_demand(actor=user, body=body)


@router.get("/demands")
async def list_(
    user: CurrentUser,
    page: Page = 1,
    size: Size = 20,
    mine: bool = False,
    status_: Annotated[str | None, Query(alias="status")] = None,
) -> DemandPage:
    return await service.list_demands(actor=user, mine=mine, status=status_, page=page, size=size)


@router.get("/demands/{demand_id}")
async def get(demand_id: int, user: CurrentUser) -> DemandRead:
    return await service.get_demand(actor=user, demand_id=demand_id)


@router.patch("/demands/{demand_id}")
async def update(demand_id: int, body: JsonBody, user: CurrentUser) -> DemandRead:
    return await service.update_demand(actor=user, demand_id=demand_id, patch=body)


@router.delete("/demands/{demand_id}")
async def archive(demand_id: int, user: CurrentUser) -> DemandRead:
    return await service.transition_demand(actor=user, demand_id=demand_id, action="archive")


@router.post("/demands/{demand_id}/submit")
async def submit(demand_id: int, user: CurrentUser) -> DemandRead:
    return await service.transition_demand(actor=user, demand_id=demand_id, action="submit")


@router.post("/demands/{demand_id}/publish")
async def publish(demand_id: int, user: AdminUser) -> DemandRead:
    return await service.transition_demand(actor=user, demand_id=demand_id, action="publish")


@router.post("/demands/{demand_id}/reject")
async def reject(demand_id: int, body: RejectRequest, user: AdminUser) -> DemandRead:
    return await service.transition_demand(
        actor=user, demand_id=demand_id, action="reject", reason=body.reason
    )


@router.get("/demands/{demand_id}/matches")
async def matches(
    demand_id: int,
    user: CurrentUser,
    type: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> MatchList:
    return await matching_service.matches_for(actor=user, demand_id=demand_id, listing_type=type, limit=limit)


@router.post("/matches/{match_id}/status")
async def match_status(match_id: int, body: MatchStatusUpdate, user: CurrentUser) -> MatchRead:
    return await service.set_match_status(actor=user, match_id=match_id, data=body)


@router.get("/broker/queue")
async def broker_queue(
    user: CurrentUser, page: Page = 1, size: Size = 20, demand_id: int | None = None
) -> dict[str, Any]:
    return await service.broker_queue(actor=user, page=page, size=size, demand_id=demand_id)
