"""Instrument bookings (table names kept from when they lived in deals)."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from services.core.models import TimestampMixin

if TYPE_CHECKING:
    from services.accounts.models import Organisation
    from services.catalog.models import Listing


class Booking(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    instrument: fields.ForeignKeyRelation["Listing"] = fields.ForeignKeyField(
        "models.Listing", related_name="bookings", on_delete=fields.RESTRICT
    )
    instrument_id: int
    org: fields.ForeignKeyRelation["Organisation"] = fields.ForeignKeyField(
        "models.Organisation", related_name="bookings", on_delete=fields.RESTRICT
    )
    org_id: int
    user_id = fields.BigIntField()
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    mode = fields.CharField(max_length=16)
    status = fields.CharField(max_length=16, default="pending")
    price_fen = fields.BigIntField()
    currency = fields.CharField(max_length=3, default="cny")
    note = fields.TextField(default="")
    decided_by_id = fields.BigIntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    reject_reason: str | None = fields.TextField(null=True)
    effective_hours = fields.DecimalField(max_digits=8, decimal_places=2, null=True)

    class Meta:
        table = "deals_booking"
        constraints = (
            CheckConstraint(check="ends_at > starts_at", name="deals_booking_time_order"),
            CheckConstraint(check="price_fen >= 0", name="deals_booking_price_nonneg"),
            CheckConstraint(
                check="status IN ('pending','approved','rejected','cancelled','completed')",
                name="deals_booking_status_valid",
            ),
            CheckConstraint(check="mode IN ('self','commissioned')", name="deals_booking_mode_valid"),
        )
