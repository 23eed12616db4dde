"""Public schemas and vocabularies of 创新券."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from services.core.errors import LocalizedValueError
from services.reference.vocabulary import OrgKind


class ServiceCategory(StrEnum):
    INSTRUMENT_BOOKING = "instrument_booking"
    TEST_REQUEST = "test_request"
    SERVICE_ORDER = "service_order"


class VoucherStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"


class RedemptionStatus(StrEnum):
    RESERVED = "reserved"
    REDEEMED = "redeemed"
    RELEASED = "released"


Fen = Annotated[int, Field(gt=0, le=10**13)]


class ProgrammeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    budget_fen: Fen
    face_value_fen: Fen
    eligible_org_kinds: list[OrgKind] = Field(min_length=1)
    service_categories: list[ServiceCategory] = Field(min_length=1)
    # National instrument classification prefixes (2 or 4 digits); empty: every category.
    instrument_categories: list[Annotated[str, StringConstraints(pattern=r"^\d{2}(\d{2})?$")]] = Field(
        default_factory=list, max_length=200
    )
    valid_from: date
    valid_to: date

    @field_validator("face_value_fen")
    @classmethod
    def _within_budget(cls, value: int, info: ValidationInfo) -> int:
        budget = info.data.get("budget_fen")
        if budget is not None and value > budget:
            raise LocalizedValueError("面值不能超过预算", "face value exceeds the budget")
        return value

    @field_validator("valid_to")
    @classmethod
    def _order(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("valid_from")
        if start is not None and value < start:
            raise LocalizedValueError("valid_to 不能早于 valid_from", "valid_to before valid_from")
        return value


class ProgrammeRead(BaseModel):
    id: int
    name: str
    budget_fen: int
    committed_fen: int
    redeemed_fen: int
    remaining_fen: int
    face_value_fen: int
    eligible_org_kinds: list[str]
    service_categories: list[str]
    instrument_categories: list[str]
    valid_from: date
    valid_to: date


class VoucherRead(BaseModel):
    id: int
    programme_id: int
    org_id: int
    status: VoucherStatus
    face_value_fen: int
    balance_fen: int
    created_at: datetime


class VoucherUse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    voucher_id: int


class OrderVoucherUse(BaseModel):
    """A voucher on a service order: on one milestone (`milestone_seq`), or on its unpaid milestones in order."""

    model_config = ConfigDict(extra="forbid")

    voucher_id: int
    milestone_seq: Annotated[int, Field(ge=1, le=1000)] | None = None


class RedemptionRead(BaseModel):
    id: int
    voucher_id: int
    booking_id: int | None
    test_request_id: int | None = None
    service_order_id: int | None = None
    price_fen: int
    voucher_fen: int
    payable_fen: int
    status: RedemptionStatus


class VoucherPart(BaseModel):
    """The voucher part of one bill as the bill's two parties see it (the bill's own price is on the bill)."""

    voucher_id: int
    face_value_fen: int
    voucher_fen: int
    status: RedemptionStatus
