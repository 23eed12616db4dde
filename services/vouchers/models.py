"""Voucher programmes, vouchers and redemptions; the budget is guarded by the database itself."""

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint
from tortoise.models import Model

from services.core.models import TimestampMixin
from services.reference.vocabulary import sql_in
from services.vouchers.schemas import RedemptionStatus, VoucherStatus

if TYPE_CHECKING:
    from services.accounts.models import Organisation


class VoucherProgramme(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    budget_fen = fields.BigIntField()
    # Reserved or redeemed by redemptions: never above the budget (CHECK below, and a guarded UPDATE).
    committed_fen = fields.BigIntField(default=0)
    redeemed_fen = fields.BigIntField(default=0)
    face_value_fen = fields.BigIntField()
    eligible_org_kinds: list[Any] = fields.JSONField(default=list)
    service_categories: list[Any] = fields.JSONField(default=list)
    instrument_categories: list[Any] = fields.JSONField(default=list)
    valid_from = fields.DateField()
    valid_to = fields.DateField()
    created_by_id = fields.BigIntField(null=True)

    class Meta:
        table = "vouchers_programme"
        constraints = (
            CheckConstraint(check="budget_fen > 0", name="vouchers_programme_budget_positive"),
            CheckConstraint(check="face_value_fen > 0", name="vouchers_programme_face_positive"),
            CheckConstraint(
                check="committed_fen >= 0 AND committed_fen <= budget_fen",
                name="vouchers_programme_within_budget",
            ),
            CheckConstraint(
                check="redeemed_fen >= 0 AND redeemed_fen <= committed_fen",
                name="vouchers_programme_redeemed_le",
            ),
            CheckConstraint(check="valid_to >= valid_from", name="vouchers_programme_validity_order"),
        )


class Voucher(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    programme: fields.ForeignKeyRelation[VoucherProgramme] = fields.ForeignKeyField(
        "models.VoucherProgramme", related_name="vouchers", on_delete=fields.RESTRICT
    )
    programme_id: int
    org: fields.ForeignKeyRelation["Organisation"] = fields.ForeignKeyField(
        "models.Organisation", related_name="vouchers", on_delete=fields.RESTRICT
    )
    org_id: int
    applicant_id = fields.BigIntField()
    status = fields.CharField(max_length=16, default="pending")
    face_value_fen = fields.BigIntField()
    balance_fen = fields.BigIntField(default=0)
    decided_by_id = fields.BigIntField(null=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "vouchers_voucher"
        constraints = (
            CheckConstraint(check=f"status IN {sql_in(VoucherStatus)}", name="vouchers_voucher_status_valid"),
            CheckConstraint(
                check="balance_fen >= 0 AND balance_fen <= face_value_fen",
                name="vouchers_voucher_balance_range",
            ),
            UniqueConstraint(fields=("programme_id", "org_id"), name="vouchers_voucher_one_per_org"),
        )


class Redemption(TimestampMixin, Model):
    """The voucher part of one booking's bill (the rest is paid by the booker)."""

    # Since 0019 also the voucher part of a test request's bill, since 0021 of a service order's.
    id = fields.BigIntField(primary_key=True)
    voucher: fields.ForeignKeyRelation[Voucher] = fields.ForeignKeyField(
        "models.Voucher", related_name="redemptions", on_delete=fields.RESTRICT
    )
    voucher_id: int
    # Exactly one of them is set (CHECK vouchers_redemption_one_target).
    booking_id = fields.BigIntField(unique=True, null=True)
    test_request_id = fields.BigIntField(unique=True, null=True)
    service_order_id = fields.BigIntField(unique=True, null=True)
    provider_org_id = fields.BigIntField()
    amount_fen = fields.BigIntField()
    status = fields.CharField(max_length=16, default="reserved")
    redeemed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "vouchers_redemption"
        constraints = (
            CheckConstraint(check="amount_fen > 0", name="vouchers_redemption_amount_positive"),
            CheckConstraint(
                check=f"status IN {sql_in(RedemptionStatus)}", name="vouchers_redemption_status_valid"
            ),
        )
