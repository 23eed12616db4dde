"""Service orders (技术服务订单) with their quote, frozen price, delivery and dispute."""

from typing import Any

from tortoise import fields
from tortoise.models import Model

from services.core.models import TimestampMixin


class ServiceOrder(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    listing_id = fields.BigIntField()
    listing_type = fields.CharField(max_length=16)
    provider_org_id = fields.BigIntField()
    buyer_org_id = fields.BigIntField()
    requester_id = fields.BigIntField()
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    field = fields.CharField(max_length=32)
    status = fields.CharField(max_length=16, default="requested")
    # The provider's quote; `quote_version` grows with every revision so an acceptance names what it saw.
    quote_lines: list[Any] = fields.JSONField(default=list)
    quote_milestones: list[Any] = fields.JSONField(default=list)
    quote_total_fen = fields.BigIntField(null=True)
    quote_version = fields.IntField(default=0)
    quote_note = fields.TextField(default="")
    quoted_by_id = fields.BigIntField(null=True)
    quoted_at = fields.DatetimeField(null=True)
    # Frozen at acceptance: the quote can no longer change, and payments and the contract use this price.
    price_fen = fields.BigIntField(null=True)
    ordered_at = fields.DatetimeField(null=True)
    delivery_note = fields.TextField(default="")
    deliverable_key = fields.CharField(max_length=200, null=True)
    deliverable_name = fields.CharField(max_length=200, null=True)
    deliverable_sha256 = fields.CharField(max_length=64, null=True)
    delivered_at = fields.DatetimeField(null=True)
    dispute_reason: str | None = fields.TextField(null=True)
    disputed_at = fields.DatetimeField(null=True)
    resolution = fields.CharField(max_length=16, null=True)
    resolution_note: str | None = fields.TextField(null=True)
    closed_at = fields.DatetimeField(null=True)
    contract_id = fields.BigIntField(null=True, unique=True)
    # 创新券: the part of each milestone (by seq, as text) the voucher pays; the buyer pays the rest.
    voucher_cover: dict[str, int] | None = fields.JSONField(null=True)

    class Meta:
        table = "orders_service_order"
        indexes = (("provider_org_id", "status"), ("buyer_org_id", "status"))
