"""Enterprise demands and the demand↔supply matches brokers work."""

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint
from tortoise.models import Model

from services.core.models import TimestampMixin
from services.demand.schemas import NoteVisibility
from services.reference.vocabulary import DemandKind, ListingStatus, MatchStatus, sql_in

if TYPE_CHECKING:
    from services.accounts.models import Organisation
    from services.catalog.models import Listing


class Demand(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    status = fields.CharField(max_length=16, default="draft")
    org: fields.ForeignKeyRelation["Organisation"] = fields.ForeignKeyField(
        "models.Organisation", related_name="demands", on_delete=fields.RESTRICT
    )
    org_id: int
    created_by_id = fields.BigIntField(null=True)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    tech_fields: list[Any] = fields.JSONField(default=list, source_field="fields")
    keywords: list[Any] = fields.JSONField(default=list)
    kind = fields.CharField(max_length=16)
    budget_min_fen = fields.BigIntField(null=True)
    budget_max_fen = fields.BigIntField(null=True)
    deadline = fields.DateField(null=True)
    region = fields.CharField(max_length=6, null=True)
    version = fields.BigIntField(default=1)
    submitted_at = fields.DatetimeField(null=True)
    published_at = fields.DatetimeField(null=True)
    reject_reason: str | None = fields.TextField(null=True)
    matched_at = fields.DatetimeField(null=True)
    # What makes a demand worth matching: the problem, what a solution must meet, what was already tried.
    problem = fields.TextField(default="")
    requirements = fields.TextField(default="")
    tried = fields.TextField(default="")
    # 揭榜挂帅: the award for solving the challenge, who owns the resulting IP, how confidential it is.
    award_fen = fields.BigIntField(null=True)
    ip_terms = fields.CharField(max_length=16, null=True)
    confidentiality = fields.CharField(max_length=16, default="public")
    hide_org = fields.BooleanField(default=False)
    broker_id = fields.BigIntField(null=True)
    assigned_at = fields.DatetimeField(null=True)
    # A material edit of a published demand, kept aside until an admin approves it (the published text stays).
    pending_edit: dict[str, Any] | None = fields.JSONField(null=True)

    class Meta:
        table = "demand_demand"
        constraints = (
            CheckConstraint(
                check=f"status IN {sql_in(ListingStatus)}",
                name="demand_demand_status_valid",
            ),
            CheckConstraint(
                check=f"kind IN {sql_in(DemandKind)}",
                name="demand_demand_kind_valid",
            ),
            CheckConstraint(
                check="budget_min_fen IS NULL OR budget_max_fen IS NULL OR budget_min_fen <= budget_max_fen",
                name="demand_demand_budget_order",
            ),
        )


class Match(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    demand: fields.ForeignKeyRelation[Demand] = fields.ForeignKeyField(
        "models.Demand", related_name="matches", on_delete=fields.CASCADE
    )
    demand_id: int
    listing: fields.ForeignKeyRelation["Listing"] = fields.ForeignKeyField(
        "models.Listing", related_name="matches", on_delete=fields.CASCADE
    )
    listing_id: int
    listing_type = fields.CharField(max_length=16)
    title = fields.CharField(max_length=200)
    score = fields.FloatField()
    reasons: list[Any] = fields.JSONField(default=list)
    status = fields.CharField(max_length=16, default="suggested")
    broker_id = fields.BigIntField(null=True)
    note = fields.TextField(default="")
    status_changed_at = fields.DatetimeField(null=True)
    close_reason = fields.CharField(max_length=16, null=True)
    # matcher: proposed by the matcher; interest: the listing's organisation asked to be put forward.
    origin = fields.CharField(max_length=16, default="matcher")
    # Feature values the score was computed from (what the ranking model learns on).
    features: dict[str, Any] = fields.JSONField(default=dict)
    last_activity_at = fields.DatetimeField(null=True)
    reminded_at = fields.DatetimeField(null=True)
    interest_at = fields.DatetimeField(null=True)

    class Meta:
        table = "demand_match"
        indexes = (("status", "created_at"),)
        constraints = (
            UniqueConstraint(fields=("demand_id", "listing_id"), name="demand_match_demand_listing_uniq"),
            CheckConstraint(
                check=f"status IN {sql_in(MatchStatus)}",
                name="demand_match_status_valid",
            ),
        )


class MatchEvent(Model):
    """The pipeline history of a match: every status change with its note."""

    id = fields.BigIntField(primary_key=True)
    match: fields.ForeignKeyRelation[Match] = fields.ForeignKeyField(
        "models.Match", related_name="events", on_delete=fields.CASCADE
    )
    match_id: int
    actor_id = fields.BigIntField(null=True)
    from_status = fields.CharField(max_length=16)
    to_status = fields.CharField(max_length=16)
    note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "demand_match_event"


class MatchNote(Model):
    """An append-only note on a match: internal (brokers and admins) or shared with the buyer."""

    id = fields.BigIntField(primary_key=True)
    match: fields.ForeignKeyRelation[Match] = fields.ForeignKeyField(
        "models.Match", related_name="notes", on_delete=fields.CASCADE
    )
    match_id: int
    author_id = fields.BigIntField()
    visibility = fields.CharField(max_length=16)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "demand_match_note"
        indexes = (("match_id", "id"),)
        constraints = (
            CheckConstraint(
                check=f"visibility IN {sql_in(NoteVisibility)}", name="demand_match_note_visibility_valid"
            ),
        )


class DemandRevision(Model):
    """One refinement of a demand (by its organisation or its broker): which fields changed, from what to what."""

    id = fields.BigIntField(primary_key=True)
    demand: fields.ForeignKeyRelation[Demand] = fields.ForeignKeyField(
        "models.Demand", related_name="revisions", on_delete=fields.CASCADE
    )
    demand_id: int
    actor_id = fields.BigIntField()
    changes: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "demand_revision"
        indexes = (("demand_id", "id"),)


class RankingModel(Model):
    """A trained match-ranking model with its hold-out metrics; at most one is adopted at a time."""

    id = fields.BigIntField(primary_key=True)
    algorithm = fields.CharField(max_length=32)
    metrics: dict[str, Any] = fields.JSONField(default=dict)
    adopted = fields.BooleanField(default=False)
    payload = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "demand_ranking_model"
