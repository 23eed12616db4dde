"""Listings API: the four supply types share one set of routes and one life-cycle."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status

from services.catalog import service
from services.catalog.schemas import (
    RESOURCE_TYPES,
    ExpertProfileRead,
    ListingPage,
    PersonLink,
    RejectRequest,
    RevisionRead,
)
from services.core.errors import NotFound
from services.reference.vocabulary import ListingStatus, ListingType
from web.deps import CurrentUser, MaybeUser, Page, Size

router = APIRouter(prefix="/api/v1", tags=["listings"])
RESOURCE_PATTERN = "^(achievements|instruments|experts|agencies)$"
JsonBody = Annotated[dict[str, Any], Body()]


def _type(resource: str) -> ListingType:
    found = RESOURCE_TYPES.get(resource)
    if found is None:
        raise NotFound("unknown_resource", f"未知资源 {resource}", "unknown resource")
    return found


# --- Expert self-service (before the generic routes, which would take "me" for a resource) -----------------


@router.get("/me/expert-profile")
async def my_expert_profile(user: CurrentUser) -> ExpertProfileRead:
    """The caller's own expert profile, with their contact and every consent recorded."""
    return await service.my_expert_profile(actor=user)


@router.patch("/me/expert-profile")
async def update_my_expert_profile(body: JsonBody, user: CurrentUser) -> ExpertProfileRead:
    """The expert gives or withdraws consent (`consent`), or corrects their contact (`contact`)."""
    return await service.update_my_expert_profile(actor=user, patch=body)


@router.put("/experts/{listing_id}/person")
async def link_person(listing_id: int, body: PersonLink, user: CurrentUser) -> dict[str, Any]:
    """The organisation links an expert profile to its person's expert account (`email: null` unlinks)."""
    return await service.link_person(actor=user, listing_id=listing_id, link=body)


@router.post("/{resource}", status_code=status.HTTP_201_CREATED)
async def create(resource: str, body: JsonBody, user: CurrentUser) -> dict[str, Any]:
    return await service.create_listing(actor=user, listing_type=_type(resource), body=body)


@router.get("/{resource}")
async def list_(
    resource: str,
    user: MaybeUser,
    page: Page = 1,
    size: Size = 20,
    status_: Annotated[ListingStatus | None, Query(alias="status")] = None,
    mine: bool = False,
) -> ListingPage:
    return await service.list_listings(
        actor=user, listing_type=_type(resource), status=status_, mine=mine, page=page, size=size
    )


@router.get("/{resource}/{listing_id}")
async def get(resource: str, listing_id: int, user: MaybeUser) -> dict[str, Any]:
    return await service.get_listing(actor=user, listing_type=_type(resource), listing_id=listing_id)


@router.patch("/{resource}/{listing_id}")
async def update(resource: str, listing_id: int, body: JsonBody, user: CurrentUser) -> dict[str, Any]:
    return await service.update_listing(
        actor=user, listing_type=_type(resource), listing_id=listing_id, patch=body
    )


@router.delete("/{resource}/{listing_id}")
async def archive(resource: str, listing_id: int, user: CurrentUser, erase: bool = False) -> dict[str, Any]:
    listing_type = _type(resource)
    if erase and listing_type == ListingType.EXPERT:
        await service.erase_expert(actor=user, listing_id=listing_id)
        return {"id": listing_id, "status": "erased"}
    return await service.transition_listing(
        actor=user, listing_type=listing_type, listing_id=listing_id, action="archive"
    )


@router.post("/{resource}/{listing_id}/submit")
async def submit(resource: str, listing_id: int, user: CurrentUser) -> dict[str, Any]:
    return await service.transition_listing(
        actor=user, listing_type=_type(resource), listing_id=listing_id, action="submit"
    )


@router.post("/{resource}/{listing_id}/publish")
async def publish(resource: str, listing_id: int, user: CurrentUser) -> dict[str, Any]:
    return await service.transition_listing(
        actor=user, listing_type=_type(resource), listing_id=listing_id, action="publish"
    )


@router.post("/{resource}/{listing_id}/reject")
async def reject(resource: str, listing_id: int, body: RejectRequest, user: CurrentUser) -> dict[str, Any]:
    return await service.transition_listing(
        actor=user, listing_type=_type(resource), listing_id=listing_id, action="reject", reason=body.reason
    )


@router.post("/{resource}/{listing_id}/edit/approve")
async def approve_edit(resource: str, listing_id: int, user: CurrentUser) -> dict[str, Any]:
    return await service.approve_edit(actor=user, listing_type=_type(resource), listing_id=listing_id)


@router.post("/{resource}/{listing_id}/edit/reject")
async def reject_edit(
    resource: str, listing_id: int, body: RejectRequest, user: CurrentUser
) -> dict[str, Any]:
    return await service.reject_edit(
        actor=user, listing_type=_type(resource), listing_id=listing_id, reason=body.reason
    )


@router.get("/{resource}/{listing_id}/history")
async def history(resource: str, listing_id: int, user: CurrentUser) -> list[RevisionRead]:
    return await service.list_revisions(actor=user, listing_type=_type(resource), listing_id=listing_id)
