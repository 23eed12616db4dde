"""Demand and matching API."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status
from pydantic import BaseModel, ConfigDict

from matching import service as matching_service
from services.catalog import service as catalog_service
from services.catalog.schemas import RejectRequest
from services.demand import service
from services.demand.schemas import (
    DemandPage,
    DemandRead,
    MatchList,
    MatchRead,
    MatchStatus,
    MatchStatusUpdate,
    NoteCreate,
    NoteRead,
    QueueParams,
    RevisionRead,
)
from web.deps import AdminUser, CurrentUser, MaybeUser, Page, Size

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


@router.post("/demands/{demand_id}/edit/approve")
async def approve_edit(demand_id: int, user: AdminUser) -> DemandRead:
    return await service.approve_edit(actor=user, demand_id=demand_id)


@router.post("/demands/{demand_id}/edit/reject")
async def reject_edit(demand_id: int, body: RejectRequest, user: AdminUser) -> DemandRead:
    return await service.reject_edit(actor=user, demand_id=demand_id, reason=body.reason)


class BrokerAssignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    broker_id: int


@router.post("/demands/{demand_id}/broker")
async def assign_broker(demand_id: int, body: BrokerAssignment, user: AdminUser) -> DemandRead:
    return await service.assign_broker(actor=user, demand_id=demand_id, broker_id=body.broker_id)


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
    user: CurrentUser,
    page: Page = 1,
    size: Size = 20,
    demand_id: int | None = None,
    field: str | None = None,
    status_: Annotated[MatchStatus | None, Query(alias="status")] = None,
    min_idle_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    sort: Annotated[str, Query(pattern="^(oldest|newest|score|idle|interest)$")] = "oldest",
) -> dict[str, Any]:
    params = QueueParams(
        demand_id=demand_id, field=field, status=status_, min_idle_days=min_idle_days, sort=sort
    )
    return await service.broker_queue(actor=user, page=page, size=size, params=params)


@router.get("/demand-hall")
async def demand_hall(user: MaybeUser, page: Page = 1, size: Size = 20) -> DemandPage:
    return await service.demand_hall(actor=user, page=page, size=size)


@router.get("/demands/{demand_id}/revisions")
async def revisions(demand_id: int, user: CurrentUser) -> list[RevisionRead]:
    return await service.list_revisions(actor=user, demand_id=demand_id)


@router.post("/matches/{match_id}/notes", status_code=status.HTTP_201_CREATED)
async def add_note(match_id: int, body: NoteCreate, user: CurrentUser) -> NoteRead:
    return await service.add_note(actor=user, match_id=match_id, data=body)


@router.get("/matches/{match_id}/notes")
async def notes(match_id: int, user: CurrentUser) -> list[NoteRead]:
    return await service.list_notes(actor=user, match_id=match_id)


@router.get("/matches/{match_id}/attribution")
async def attribution(match_id: int, user: CurrentUser) -> dict[str, Any]:
    return await service.attribution(actor=user, match_id=match_id)


@router.get("/listings/{listing_id}/demands")
async def listing_demands(listing_id: int, user: CurrentUser) -> MatchList:
    owner = await catalog_service.owner_org_of(listing_id)
    return await service.demands_for_listing(actor=user, listing_id=listing_id, owner_org_id=owner)


@router.post("/listings/{listing_id}/matches/{match_id}/interest")
async def interest(listing_id: int, match_id: int, user: CurrentUser) -> MatchRead:
    owner = await catalog_service.owner_org_of(listing_id)
    return await service.express_interest(
        actor=user, listing_id=listing_id, match_id=match_id, owner_org_id=owner
    )


@router.get("/listings/{listing_id}/match-feedback")
async def match_feedback(listing_id: int, user: CurrentUser) -> dict[str, int]:
    owner = await catalog_service.owner_org_of(listing_id)
    return await service.listing_feedback(actor=user, owner_org_id=owner, listing_id=listing_id)
