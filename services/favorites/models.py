"""The favourites table: which listings a user saved (收藏), one row per user and listing."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint
from tortoise.models import Model

if TYPE_CHECKING:
    from services.accounts.models import User
    from services.catalog.models import Listing
    from services.demand.models import Match


class Favorite(Model):
    """A listing a user saved, with their note and the match card it was saved from (if any)."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation["User"] = fields.ForeignKeyField(
        "models.User", related_name="favorites", on_delete=fields.CASCADE
    )
    user_id: int
    listing: fields.ForeignKeyRelation["Listing"] = fields.ForeignKeyField(
        "models.Listing", related_name="favorites", on_delete=fields.CASCADE
    )
    listing_id: int
    # The match goes when its demand is deleted; the favourite stays.
    match: fields.ForeignKeyNullableRelation["Match"] = fields.ForeignKeyField(
        "models.Match", related_name="favorites", null=True, on_delete=fields.SET_NULL
    )
    match_id: int | None
    note = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "favorites_favorite"
        constraints = (
            UniqueConstraint(fields=("user_id", "listing_id"), name="favorites_favorite_user_listing_uniq"),
        )
