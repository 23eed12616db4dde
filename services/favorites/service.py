"""收藏: a signed-in user saves listings to come back to, from a listing's page or a match card.

Favourites are the user's own: every query is by the caller's user id, so another user's rows are neither
listed nor removable. Only a published listing is newly saved; one saved earlier keeps its row (and an
editable note) after the listing is archived, shown as no longer published.
"""

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.catalog.models import Listing
from services.core.db import Connection, transaction
from services.core.errors import NotFound
from services.demand import service as demand_service
from services.favorites import repository
from services.favorites.models import Favorite
from services.favorites.policies import require_own_match
from services.favorites.schemas import FavoritePage, FavoriteRead, FavoriteSave
from services.reference.vocabulary import ListingStatus, ListingType


def _listing_not_found(listing_id: int) -> NotFound:
    return NotFound(
        "listing_not_found", f"资源 {listing_id} 不存在或未发布", "listing not found or not published"
    )


def _favorite_not_found() -> NotFound:
    return NotFound("favorite_not_found", "您没有收藏该资源", "not in your favourites")


async def _reads(rows: list[tuple[Favorite, Listing]]) -> list[FavoriteRead]:
    names = await accounts_service.org_names(org_ids=sorted({listing.org_id for _, listing in rows}))
    return [
        FavoriteRead(
            listing_id=listing.id,
            listing_type=listing.type,
            title=listing.title,
            org_id=listing.org_id,
            org_name=names.get(listing.org_id, ""),
            price_mode=listing.price_mode,
            price_min_fen=listing.price_min_fen,
            price_max_fen=listing.price_max_fen,
            published=listing.status == ListingStatus.PUBLISHED.value,
            note=favorite.note,
            match_id=favorite.match_id,
            saved_at=favorite.created_at,
        )
        for favorite, listing in rows
    ]


async def _apply(
    favorite: Favorite | None, data: FavoriteSave, missing: NotFound, conn: Connection
) -> Favorite:
    """Set what the body gives on a locked favourite; a field left out keeps its value."""
    if favorite is None:
        raise missing
    changed = False
    if data.note is not None and data.note != favorite.note:
        favorite.note, changed = data.note, True
    if data.match_id is not None and data.match_id != favorite.match_id:
        favorite.match_id, changed = data.match_id, True
    if changed:
        await repository.save_favorite(favorite, conn)
    return favorite


async def save_favorite(*, actor: Actor, listing_id: int, data: FavoriteSave) -> FavoriteRead:
    """Save a published listing for the caller; saving it again keeps the one row and sets what the body gives."""
    listing = await repository.get_listing(listing_id)
    if listing is None:
        raise _listing_not_found(listing_id)
    if data.match_id is not None:
        facts = await demand_service.match_facts(match_id=data.match_id)
        found = (facts["listing_id"], facts["buyer_org_id"]) if facts else None
        require_own_match(actor, data.match_id, found, listing_id)
    async with transaction() as conn:
        if listing.status == ListingStatus.PUBLISHED.value:
            await repository.insert_if_absent(actor.user_id, listing_id, conn)
        # A listing no longer published is not saved anew, but a favourite of it keeps its note editable.
        favorite = await repository.lock_favorite(actor.user_id, listing_id, conn)
        favorite = await _apply(favorite, data, _listing_not_found(listing_id), conn)
    return (await _reads([(favorite, listing)]))[0]


async def edit_note(*, actor: Actor, listing_id: int, note: str) -> FavoriteRead:
    """Change the note of one of the caller's favourites (a listing they did not save is not found)."""
    async with transaction() as conn:
        favorite = await repository.lock_favorite(actor.user_id, listing_id, conn)
        favorite = await _apply(favorite, FavoriteSave(note=note), _favorite_not_found(), conn)
    listing = await repository.get_listing(listing_id)
    if listing is None:
        raise _favorite_not_found()
    return (await _reads([(favorite, listing)]))[0]


async def remove_favorite(*, actor: Actor, listing_id: int) -> None:
    """Take a listing out of the caller's favourites (a listing they did not save is not found)."""
    if await repository.delete_favorite(actor.user_id, listing_id) == 0:
        raise _favorite_not_found()


async def list_favorites(
    *, actor: Actor, listing_type: ListingType | None, page: int, size: int
) -> FavoritePage:
    """The caller's favourites, newest first, optionally of one listing type."""
    total, rows = await repository.page_favorites(
        user_id=actor.user_id,
        listing_type=listing_type.value if listing_type is not None else None,
        offset=(page - 1) * size,
        limit=size,
    )
    items = await _reads([(row, row.listing) for row in rows])
    return FavoritePage(total=total, page=page, size=size, items=items)


async def saved_listing_ids(*, actor: Actor | None, listing_ids: list[int]) -> set[int]:
    """Which of these listings the caller saved (none for a visitor): the 已收藏 state of pages and cards."""
    if actor is None:
        return set()
    return await repository.saved_among(actor.user_id, listing_ids)
