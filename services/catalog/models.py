"""The four kinds of supply share one table and one life-cycle; type-specific fields live in `attributes`."""

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint
from tortoise.models import Model

from services.core.models import TimestampMixin
from services.reference.vocabulary import ListingStatus, ListingType, sql_in

if TYPE_CHECKING:
    from services.accounts.models import Organisation


class Listing(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    type = fields.CharField(max_length=16)
    status = fields.CharField(max_length=16, default="draft")
    org: fields.ForeignKeyRelation["Organisation"] = fields.ForeignKeyField(
        "models.Organisation", related_name="listings", on_delete=fields.RESTRICT
    )
    org_id: int
    created_by_id = fields.BigIntField(null=True)
    title = fields.CharField(max_length=200)
    summary = fields.TextField(default="")
    description = fields.TextField(default="")
    tech_fields: list[Any] = fields.JSONField(default=list, source_field="fields")
    keywords: list[Any] = fields.JSONField(default=list)
    region = fields.CharField(max_length=6, null=True)
    maturity = fields.CharField(max_length=16, null=True)
    trl = fields.SmallIntField(null=True)
    price_mode = fields.CharField(max_length=16, null=True)
    price_min_fen = fields.BigIntField(null=True)
    price_max_fen = fields.BigIntField(null=True)
    attributes: dict[str, Any] = fields.JSONField(default=dict)
    external_ref = fields.CharField(max_length=100, null=True)
    # Bumped on every change; the search index stores it as an external version.
    version = fields.BigIntField(default=1)
    quality_score = fields.SmallIntField(default=0)
    quality_missing: list[Any] = fields.JSONField(default=list)
    submitted_at = fields.DatetimeField(null=True)
    published_at = fields.DatetimeField(null=True)
    reject_reason: str | None = fields.TextField(null=True)
    # A material edit to a published listing waits here for review while the published text stays public:
    # {"columns": ..., "flags": [...], "submitted_by": ..., "submitted_at": ...}.
    pending_edit: dict[str, Any] | None = fields.JSONField(null=True)
    # An expert profile's own person, once their organisation links their account: from then on only they
    # give or withdraw consent and correct their contact (PIPL Arts. 25, 46); one profile per person.
    person_id = fields.BigIntField(null=True, unique=True)

    class Meta:
        table = "catalog_listing"
        indexes = (("type", "status"), ("org_id", "type"))
        constraints = (
            CheckConstraint(
                check=f"type IN {sql_in(ListingType)}",
                name="catalog_listing_type_valid",
            ),
            CheckConstraint(
                check=f"status IN {sql_in(ListingStatus)}",
                name="catalog_listing_status_valid",
            ),
            CheckConstraint(check="trl IS NULL OR trl BETWEEN 1 AND 9", name="catalog_listing_trl_range"),
            CheckConstraint(
                check="price_min_fen IS NULL OR price_min_fen >= 0", name="catalog_listing_price_min_nonneg"
            ),
            CheckConstraint(
                check="price_min_fen IS NULL OR price_max_fen IS NULL OR price_min_fen <= price_max_fen",
                name="catalog_listing_price_order",
            ),
            UniqueConstraint(
                fields=("org_id", "type", "external_ref"),
                name="catalog_listing_external_ref_uniq",
                condition="external_ref IS NOT NULL",
            ),
        )


class ExpertContact(Model):
    """Private contact of an expert, kept apart from the listing so it can never be serialised with it."""

    listing: fields.OneToOneRelation[Listing] = fields.OneToOneField(
        "models.Listing", related_name="expert_contact", on_delete=fields.CASCADE, primary_key=True
    )
    listing_id: int
    phone = fields.CharField(max_length=32, null=True)
    email = fields.CharField(max_length=254, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "catalog_expert_contact"


class ConsentRecord(Model):
    """Every consent an expert gives or withdraws, with the text version agreed to (PIPL Art. 25)."""

    id = fields.BigIntField(primary_key=True)
    listing: fields.ForeignKeyRelation[Listing] = fields.ForeignKeyField(
        "models.Listing", related_name="consents", on_delete=fields.CASCADE
    )
    listing_id: int
    publish = fields.BooleanField()
    contact = fields.BooleanField()
    text_version = fields.CharField(max_length=32)
    recorded_by_id = fields.BigIntField(null=True)
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "catalog_consent_record"


class ListingRevision(Model):
    """Edit history: who changed which fields of a listing, and when."""

    id = fields.BigIntField(primary_key=True)
    listing: fields.ForeignKeyRelation[Listing] = fields.ForeignKeyField(
        "models.Listing", related_name="revisions", on_delete=fields.CASCADE
    )
    listing_id: int
    version = fields.BigIntField()
    actor_id = fields.BigIntField(null=True)
    action = fields.CharField(max_length=32)
    changes: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "catalog_listing_revision"
