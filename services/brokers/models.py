"""A broker's profile: filed by the person, decided by an admin."""

from typing import Any

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from services.brokers.schemas import BrokerStatus
from services.core.models import TimestampMixin
from services.reference.vocabulary import sql_in


class BrokerProfile(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(unique=True)
    org_id = fields.BigIntField()
    # 技术经纪人 备案/证书编号: opaque text, as the issuing body prints it.
    certificate_no = fields.CharField(max_length=64)
    title = fields.CharField(max_length=100)
    tech_fields: list[Any] = fields.JSONField(default=list, source_field="fields")
    status = fields.CharField(max_length=16, default="pending")
    decided_by_id = fields.BigIntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    reject_reason: str | None = fields.TextField(null=True)

    class Meta:
        table = "brokers_profile"
        constraints = (
            CheckConstraint(
                check=f"status IN {sql_in(BrokerStatus)}",
                name="brokers_profile_status_valid",
            ),
        )
