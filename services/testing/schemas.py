"""Public schemas and vocabularies of 送样检测."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.core.errors import LocalizedValueError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# GB, GB/T, ISO, ASTM, JJF, HJ, YY/T … followed by the number (and year): GB/T 3098.1-2010, ISO 6892-1:2019.
Standard = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^(GB(/T|/Z)?|ISO|IEC|ASTM|EN|JJF|JJG|HJ|YY(/T)?|QB(/T)?|JB(/T)?)\s?[\w.\-:/]+$",
    ),
]


class Accreditation(StrEnum):
    NONE = "none"
    CMA = "cma"
    CNAS = "cnas"
    CMA_CNAS = "cma_cnas"


class TestRequestStatus(StrEnum):
    REQUESTED = "requested"
    QUOTED = "quoted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SAMPLES_RECEIVED = "samples_received"
    REPORTED = "reported"
    QUERIED = "queried"
    COMPLETED = "completed"


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    quantity: int = Field(ge=1, le=10_000)
    description: str = Field(default="", max_length=1000)


class TestItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # From the provider's catalogue (required when it has one): method and standard then come from there.
    method_id: int | None = None
    method: Text | None = None
    standard: Standard | None = None

    @model_validator(mode="after")
    def _names_a_method(self) -> "TestItem":
        if self.method_id is None and self.method is None:
            raise LocalizedValueError(
                "请选择检测项目（method_id）或填写 method", "method_id or method is required"
            )
        return self


class MethodUnit(StrEnum):
    SAMPLE = "sample"
    ITEM = "item"
    HOUR = "hour"


class TestMethodCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listing_id: int
    test_item: Text
    standard: Standard | None = None
    accreditation: Accreditation = Accreditation.NONE
    turnaround_days: int = Field(ge=1, le=365)
    price_fen: int = Field(gt=0, le=10**12)
    unit: MethodUnit = MethodUnit.SAMPLE


class TestMethodRead(BaseModel):
    id: int
    listing_id: int
    org_id: int
    test_item: str
    standard: str | None
    accreditation: Accreditation
    turnaround_days: int
    price_fen: int
    unit: MethodUnit
    active: bool


class TestRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listing_id: int
    samples: list[Sample] = Field(min_length=1, max_length=100)
    items: list[TestItem] = Field(min_length=1, max_length=100)
    accreditation: Accreditation = Accreditation.NONE
    turnaround_days: int = Field(ge=1, le=365)
    note: str = Field(default="", max_length=2000)


class QuoteLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    amount_fen: int = Field(ge=0, le=10**12)


class QuoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[QuoteLine] = Field(min_length=1, max_length=100)
    turnaround_days: int | None = Field(default=None, ge=1, le=365)


class QueryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class TestRequestRead(BaseModel):
    id: int
    listing_id: int
    provider_org_id: int
    requester_org_id: int
    samples: list[dict[str, Any]]
    items: list[dict[str, Any]]
    accreditation: Accreditation
    turnaround_days: int
    note: str
    status: TestRequestStatus
    quote_lines: list[dict[str, Any]]
    quote_total_fen: int | None
    report_sha256: str | None
    report_uploaded_at: datetime | None
    query_note: str | None
    created_at: datetime
