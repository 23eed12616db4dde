"""Request and response bodies of favourites."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class FavoriteSave(BaseModel):
    """What a save may carry; a field left out keeps what a favourite already has."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str | None = Field(
        default=None, max_length=200, description="the user's own note (≤ 200 characters)"
    )
    match_id: int | None = Field(
        default=None,
        ge=1,
        description="the match card it was saved from (a match of one of the caller's "
        "organisation's demands)",
    )


class FavoriteRead(BaseModel):
    listing_id: int
    listing_type: str
    title: str
    org_id: int
    org_name: str
    price_mode: str | None
    price_min_fen: int | None
    price_max_fen: int | None
    # Saved while published; false once the listing was archived or taken back for review.
    published: bool
    note: str
    match_id: int | None
    saved_at: datetime


class FavoritePage(BaseModel):
    total: int
    page: int
    size: int
    items: list[FavoriteRead]
