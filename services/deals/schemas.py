"""Public schemas of bookings, contracts, payments and registration."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.catalog.reference import TECH_FIELD_CODES

Fen = Annotated[int, Field(gt=0, le=10**15)]


class ContractType(StrEnum):
    DEVELOPMENT = "development"
    TRANSFER = "transfer"
    LICENSE = "license"
    CONSULTING = "consulting"
    SERVICE = "service"


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    due: date | None = None
    amount_fen: Fen


class NonTechnicalItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    amount_fen: Annotated[int, Field(ge=0, le=10**15)]


class ContractCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    contract_type: ContractType
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    buyer_org_id: int
    seller_org_id: int
    broker_id: int | None = None
    match_id: int | None = None
    field: str
    total_fen: Fen
    tech_fen: Annotated[int, Field(ge=0, le=10**15)]
    currency: Annotated[str, StringConstraints(to_lower=True, pattern=r"^[a-zA-Z]{3}$")] = "cny"
    signed_at: date
    milestones: list[MilestoneIn] = Field(min_length=1, max_length=50)
    non_technical_items: list[NonTechnicalItemIn] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _check_amounts(self) -> Self:
        if self.field not in TECH_FIELD_CODES:
            raise ValueError(f"field: 未知的技术领域代码 {self.field} (unknown field code)")
        if self.tech_fen > self.total_fen:
            raise ValueError("tech_fen 不能大于 total_fen (tech_fen must not exceed total_fen)")
        if sum(m.amount_fen for m in self.milestones) != self.total_fen:
            raise ValueError("各里程碑金额之和必须等于 total_fen (milestone amounts must sum to total_fen)")
        if sum(i.amount_fen for i in self.non_technical_items) > self.total_fen - self.tech_fen:
            raise ValueError(
                "非技术性费用之和超过 total_fen − tech_fen (non-technical items exceed the difference)"
            )
        if self.buyer_org_id == self.seller_org_id:
            raise ValueError("买方与卖方不能是同一机构 (buyer and seller must differ)")
        return self


class MilestoneRead(BaseModel):
    id: int
    seq: int
    name: str
    due: date | None
    amount_fen: int
    status: str
    paid_at: datetime | None


class ContractRead(BaseModel):
    id: int
    contract_type: ContractType
    rule_set: str
    title: str
    buyer_org_id: int
    seller_org_id: int
    broker_id: int | None
    match_id: int | None
    field: str
    total_fen: int
    tech_fen: int
    certified_tech_fen: int | None
    currency: str
    signed_at: date
    status: str
    registration_no: str | None
    registered_at: datetime | None
    registration_reject_reason: str | None
    milestones: list[MilestoneRead]
    paid_fen: int
    created_at: datetime


class PaymentStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    methods: list[str] = Field(default_factory=lambda: ["card", "alipay", "wechat_pay"])


class PaymentRead(BaseModel):
    payment_id: int
    client_secret: str | None
    status: str
    provider: str
    provider_ref: str | None
    amount_fen: int
    currency: str


class RegistrationApprove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registration_no: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{14}(\d{2})?$")]
    certified_tech_fen: Annotated[int, Field(ge=0, le=10**15)] | None = None


class RegistrationReject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class BookingMode(StrEnum):
    SELF = "self"
    COMMISSIONED = "commissioned"


class BookingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instrument_id: int
    start: AwareDatetime
    end: AwareDatetime
    mode: BookingMode
    note: str = Field(default="", max_length=2000)
    samples: int | None = Field(default=None, ge=1, le=10_000)

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end 必须晚于 start (end must be after start)")
        return self


class BookingRead(BaseModel):
    id: int
    instrument_id: int
    org_id: int
    user_id: int
    start: datetime
    end: datetime
    mode: BookingMode
    status: str
    price_fen: int
    currency: str
    note: str
    reject_reason: str | None
    created_at: datetime


class BookingDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000)
