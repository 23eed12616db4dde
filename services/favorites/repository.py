"""Queries of favourites: one user's rows only, by user and listing."""

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.catalog.models import Listing
from services.favorites.models import Favorite


async def get_listing(listing_id: int) -> Listing | None:
    """The listing to save, any status (the service decides)."""
    return await Listing.get_or_none(id=listing_id)


async def insert_if_absent(user_id: int, listing_id: int, connection: BaseDBAsyncClient) -> None:
    """The user's favourite of a listing, created unless it is there (a concurrent save waits, then skips)."""
    await connection.execute_query(
        "INSERT INTO favorites_favorite (user_id, listing_id, note, created_at) VALUES ($1, $2, '', now()) "
        "ON CONFLICT (user_id, listing_id) DO NOTHING",
        [user_id, listing_id],
    )


async def lock_favorite(user_id: int, listing_id: int, connection: BaseDBAsyncClient) -> Favorite | None:
    return (
        await Favorite.filter(user_id=user_id, listing_id=listing_id)
        .using_db(connection)
        .select_for_update()
        .first()
    )


async def save_favorite(favorite: Favorite, connection: BaseDBAsyncClient) -> None:
    await favorite.save(using_db=connection)


async def delete_favorite(user_id: int, listing_id: int) -> int:
    """Delete the user's favourite of a listing; how many rows went (0 or 1)."""
    return await Favorite.filter(user_id=user_id, listing_id=listing_id).delete()


async def page_favorites(
    *, user_id: int, listing_type: str | None, offset: int, limit: int
) -> tuple[int, list[Favorite]]:
    """A page of the user's favourites, newest first, with their listing fetched."""
    query = Favorite.filter(user_id=user_id)
    if listing_type is not None:
        query = query.filter(listing__type=listing_type)
    total = await query.count()
    rows = await query.order_by("-created_at", "-id").offset(offset).limit(limit).prefetch_related("listing")
    return total, rows


async def saved_among(user_id: int, listing_ids: list[int]) -> set[int]:
    """Which of these listings the user saved, in one query."""
    if not listing_ids:
        return set()
    rows: list[Any] = await Favorite.filter(
        user_id=user_id, listing_id__in=sorted(set(listing_ids))
    ).values_list("listing_id", flat=True)
    return {int(listing_id) for listing_id in rows}
