"""The enquiry table: questions to experts relayed by the platform."""

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from services.catalog.models import Listing
from services.core.models import TimestampMixin
from services.reference.vocabulary import EnquiryStatus, sql_in


class Enquiry(TimestampMixin, Model):
    """A question to an expert relayed by the platform; the expert's contact is shared only with consent."""

    id = fields.BigIntField(primary_key=True)
    listing: fields.ForeignKeyRelation[Listing] = fields.ForeignKeyField(
        "models.Listing", related_name="enquiries", on_delete=fields.CASCADE
    )
    listing_id: int
    expert_org_id = fields.BigIntField()
    sender_id = fields.BigIntField()
    sender_org_id = fields.BigIntField(null=True)
    subject = fields.CharField(max_length=200)
    message = fields.TextField()
    contact_back = fields.CharField(max_length=254, default="")
    status = fields.CharField(max_length=16, default="open")
    reply: str | None = fields.TextField(null=True)
    contact_shared = fields.BooleanField(default=False)
    replied_by_id = fields.BigIntField(null=True)
    replied_at = fields.DatetimeField(null=True)

    class Meta:
        table = "catalog_enquiry"
        indexes = (("expert_org_id", "id"), ("sender_id", "id"))
        constraints = (
            CheckConstraint(check=f"status IN {sql_in(EnquiryStatus)}", name="catalog_enquiry_status_valid"),
        )
