"""Public schemas and vocabularies of service orders."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from services.core.errors import LocalizedValueError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
# Every line and milestone costs something: a zero or negative line is a discount in disguise.
PositiveFen = Annotated[int, Field(gt=0, le=10**12)]


class ServiceOrderStatus(StrEnum):
    REQUESTED = "requested"
    QUOTED = "quoted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    ORDERED = "ordered"
    DELIVERED = "delivered"
    DISPUTED = "disputed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Resolution(StrEnum):
    """An admin's ruling on a dispute: the delivery stands, the provider delivers again, or the order ends."""

    COMPLETE = "complete"
    REDELIVER = "redeliver"
    CANCEL = "cancel"


class ServiceOrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listing_id: int
    title: Text
    description: LongText = ""


class QuoteLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    amount_fen: PositiveFen


class QuoteMilestone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    amount_fen: PositiveFen
    due: date | None = None


class QuoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[QuoteLine] = Field(min_length=1, max_length=100)
    milestones: list[QuoteMilestone] = Field(min_length=1, max_length=20)
    note: LongText = ""

    @field_validator("milestones")
    @classmethod
    def _milestones_cover_the_total(
        cls, value: list[QuoteMilestone], info: ValidationInfo
    ) -> list[QuoteMilestone]:
        lines = info.data.get("lines")
        if lines is not None and sum(m.amount_fen for m in value) != sum(line.amount_fen for line in lines):
            raise LocalizedValueError(
                "各里程碑金额之和须等于报价合计", "the milestones must add up to the quoted total"
            )
        return value


class QuoteAcceptance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The version the buyer saw: a quote revised in the meantime is not accepted blindly.
    quote_version: int = Field(ge=1)


class DisputeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ResolutionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Resolution
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ServiceOrderRead(BaseModel):
    id: int
    listing_id: int
    listing_type: str
    provider_org_id: int
    buyer_org_id: int
    title: str
    description: str
    field: str
    status: ServiceOrderStatus
    quote_lines: list[dict[str, Any]]
    quote_milestones: list[dict[str, Any]]
    quote_total_fen: int | None
    quote_version: int
    quote_note: str
    price_fen: int | None
    ordered_at: datetime | None
    delivery_note: str
    deliverable_name: str | None
    deliverable_sha256: str | None
    delivered_at: datetime | None
    dispute_reason: str | None
    resolution: Resolution | None
    resolution_note: str | None
    contract_id: int | None
    created_at: datetime
    # 创新券: the part of each milestone (by seq) a voucher pays; the buyer pays the rest.
    voucher_cover: dict[int, int] = {}


class ServiceOrderPage(BaseModel):
    total: int
    page: int
    size: int
    items: list[ServiceOrderRead]
