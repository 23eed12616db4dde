"""Test requests (送样检测) with their quote and result report."""

from typing import Any

from tortoise import fields
from tortoise.models import Model

from services.core.models import TimestampMixin


class TestRequest(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    listing_id = fields.BigIntField()
    provider_org_id = fields.BigIntField()
    requester_org_id = fields.BigIntField()
    requester_id = fields.BigIntField()
    samples: list[Any] = fields.JSONField(default=list)
    items: list[Any] = fields.JSONField(default=list)
    accreditation = fields.CharField(max_length=16, default="none")
    turnaround_days = fields.IntField()
    note = fields.TextField(default="")
    status = fields.CharField(max_length=20, default="requested")
    quote_lines: list[Any] = fields.JSONField(default=list)
    quote_total_fen = fields.BigIntField(null=True)
    quoted_at = fields.DatetimeField(null=True)
    accepted_at = fields.DatetimeField(null=True)
    samples_received_at = fields.DatetimeField(null=True)
    report_key = fields.CharField(max_length=200, null=True)
    report_sha256 = fields.CharField(max_length=64, null=True)
    report_uploaded_at = fields.DatetimeField(null=True)
    query_note: str | None = fields.TextField(null=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "testing_request"
        indexes = (("provider_org_id", "status"), ("requester_org_id", "status"))


# One line of a lab's catalogue of methods (检测项目): item, standard, accreditation, turnaround, price.
class TestMethod(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    listing_id = fields.BigIntField()
    org_id = fields.BigIntField()
    test_item = fields.CharField(max_length=200)
    standard = fields.CharField(max_length=100, null=True)
    accreditation = fields.CharField(max_length=16, default="none")
    turnaround_days = fields.IntField()
    price_fen = fields.BigIntField()
    unit = fields.CharField(max_length=16, default="sample")
    active = fields.BooleanField(default=True)

    class Meta:
        table = "testing_method"
        indexes = (("listing_id", "active"),)
