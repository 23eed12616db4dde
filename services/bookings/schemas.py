"""Public schemas and vocabularies of bookings."""

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class BookingMode(StrEnum):
    SELF = "self"
    COMMISSIONED = "commissioned"


class BookingStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class BookingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instrument_id: int
    start: AwareDatetime
    end: AwareDatetime
    mode: BookingMode
    note: str = Field(default="", max_length=2000)
    samples: int | None = Field(default=None, ge=1, le=10_000)

    @field_validator("end")
    @classmethod
    def _check_order(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("start")
        if start is not None and value <= start:
            raise ValueError("end 必须晚于 start (end must be after start)")
        return value


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
