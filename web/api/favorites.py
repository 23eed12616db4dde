"""收藏 API: the caller saves listings (from a listing or a match card), lists them and takes them out again."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, status

from services.favorites import service
from services.favorites.schemas import FavoritePage, FavoriteRead, FavoriteSave
from services.reference.vocabulary import ListingType
from web.deps import CurrentUser, Page, Size

router = APIRouter(prefix="/api/v1", tags=["favorites"])
ListingId = Annotated[int, Path(ge=1, description="the listing saved")]


@router.put("/favorites/{listing_id}")
async def save(
    listing_id: ListingId, user: CurrentUser, body: Annotated[FavoriteSave | None, Body()] = None
) -> FavoriteRead:
    return await service.save_favorite(actor=user, listing_id=listing_id, data=body or FavoriteSave())


@router.delete("/favorites/{listing_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove(listing_id: ListingId, user: CurrentUser) -> None:
    await service.remove_favorite(actor=user, listing_id=listing_id)


@router.get("/favorites")
async def list_(
    user: CurrentUser,
    page: Page = 1,
    size: Size = 20,
    type_: Annotated[ListingType | None, Query(alias="type", description="one listing type")] = None,
) -> FavoritePage:
    return await service.list_favorites(actor=user, listing_type=type_, page=page, size=size)
