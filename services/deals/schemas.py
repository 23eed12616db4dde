"""Public schemas and vocabularies of contracts, payments and registration."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from services.catalog.service import validate_json_body, validation_errors
from services.core.errors import Invalid
from services.reference.fields import TECH_FIELD_CODES

_M = TypeVar("_M", bound=BaseModel)


def parse_body(model: type[_M], body: Any) -> _M:
    """Validate a decoded JSON body against a schema, naming every bad field."""
    if not isinstance(body, dict):
        raise Invalid.field(["body"], "需要 JSON 对象 (a JSON object is required)")
    try:
        return validate_json_body(model, body)
    except ValidationError as exc:
        raise validation_errors(exc, ["body"]) from exc


Fen = Annotated[int, Field(gt=0, le=10**15)]


class ContractType(StrEnum):
    DEVELOPMENT = "development"
    TRANSFER = "transfer"
    LICENSE = "license"
    CONSULTING = "consulting"
    SERVICE = "service"


class ContractStatus(StrEnum):
    SIGNED = "signed"
    REGISTRATION_PENDING = "registration_pending"
    REGISTERED = "registered"
    REGISTRATION_REJECTED = "registration_rejected"
    CANCELLED = "cancelled"


class MilestoneStatus(StrEnum):
    UNPAID = "unpaid"
    PROCESSING = "processing"
    PAID = "paid"


class PaymentStatus(StrEnum):
    CREATED = "created"
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class PaymentMethod(StrEnum):
    CARD = "card"
    ALIPAY = "alipay"
    WECHAT_PAY = "wechat_pay"


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

    # Field validators (each sees the fields declared before it) so every error's loc names its field.
    @field_validator("seller_org_id")
    @classmethod
    def _check_parties(cls, value: int, info: ValidationInfo) -> int:
        if value == info.data.get("buyer_org_id"):
            raise ValueError("买方与卖方不能是同一机构 (buyer and seller must differ)")
        return value

    @field_validator("field")
    @classmethod
    def _check_field(cls, value: str) -> str:
        if value not in TECH_FIELD_CODES:
            raise ValueError(f"未知的技术领域代码 {value} (unknown field code)")
        return value

    @field_validator("tech_fen")
    @classmethod
    def _check_tech(cls, value: int, info: ValidationInfo) -> int:
        total = info.data.get("total_fen")
        if total is not None and value > total:
            raise ValueError("tech_fen 不能大于 total_fen (tech_fen must not exceed total_fen)")
        return value

    @field_validator("milestones")
    @classmethod
    def _check_milestones(cls, value: list[MilestoneIn], info: ValidationInfo) -> list[MilestoneIn]:
        total = info.data.get("total_fen")
        if total is not None and sum(m.amount_fen for m in value) != total:
            raise ValueError("各里程碑金额之和必须等于 total_fen (milestone amounts must sum to total_fen)")
        return value

    @field_validator("non_technical_items")
    @classmethod
    def _check_deductions(
        cls, value: list[NonTechnicalItemIn], info: ValidationInfo
    ) -> list[NonTechnicalItemIn]:
        total, tech = info.data.get("total_fen"), info.data.get("tech_fen")
        if total is not None and tech is not None and sum(i.amount_fen for i in value) > total - tech:
            raise ValueError(
                "非技术性费用之和超过 total_fen − tech_fen (non-technical items exceed the difference)"
            )
        return value


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
