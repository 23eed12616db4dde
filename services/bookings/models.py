"""Instrument bookings (table names kept from when they lived in deals)."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from services.bookings.schemas import ClosureKind
from services.core.models import TimestampMixin
from services.reference.vocabulary import BookingStatus, ServiceMode, sql_in

if TYPE_CHECKING:
    from services.accounts.models import Organisation, User
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
    price_group = fields.CharField(max_length=16, null=True)
    # A pending request lapses when the owner has not answered by then (the worker sweeps; expiry frees the slot).
    expires_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    cancel_fee_fen = fields.BigIntField(default=0)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "deals_booking"
        constraints = (
            CheckConstraint(check="ends_at > starts_at", name="deals_booking_time_order"),
            CheckConstraint(check="price_fen >= 0", name="deals_booking_price_nonneg"),
            CheckConstraint(
                check=f"status IN {sql_in(BookingStatus)}",
                name="deals_booking_status_valid",
            ),
            CheckConstraint(check=f"mode IN {sql_in(ServiceMode)}", name="deals_booking_mode_valid"),
            CheckConstraint(
                check="cancel_fee_fen >= 0 AND cancel_fee_fen <= price_fen", name="deals_booking_fee_le_price"
            ),
            CheckConstraint(
                check="effective_hours IS NULL OR effective_hours >= 0", name="deals_booking_effective_nonneg"
            ),
        )
        indexes = (("user_id", "status", "starts_at"), ("status", "expires_at"))


class Closure(TimestampMixin, Model):
    """A dated interval when an instrument cannot be booked: a holiday, maintenance, a calibration."""

    id = fields.BigIntField(primary_key=True)
    instrument: fields.ForeignKeyRelation["Listing"] = fields.ForeignKeyField(
        "models.Listing", related_name="closures", on_delete=fields.CASCADE
    )
    instrument_id: int
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    kind = fields.CharField(max_length=16)
    note = fields.CharField(max_length=200, default="")
    created_by_id = fields.BigIntField(null=True)

    class Meta:
        table = "bookings_closure"
        indexes = (("instrument_id", "starts_at"),)
        constraints = (
            CheckConstraint(check="ends_at > starts_at", name="bookings_closure_time_order"),
            CheckConstraint(check=f"kind IN {sql_in(ClosureKind)}", name="bookings_closure_kind_valid"),
        )


class Training(TimestampMixin, Model):
    """The owner's record that a user was trained on an instrument and may operate it until it expires."""

    id = fields.BigIntField(primary_key=True)
    instrument: fields.ForeignKeyRelation["Listing"] = fields.ForeignKeyField(
        "models.Listing", related_name="trainings", on_delete=fields.CASCADE
    )
    instrument_id: int
    user: fields.ForeignKeyRelation["User"] = fields.ForeignKeyField(
        "models.User", related_name="trainings", on_delete=fields.CASCADE
    )
    user_id: int
    granted_by_id = fields.BigIntField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "bookings_training"
        indexes = (("instrument_id", "user_id"),)
