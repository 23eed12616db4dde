"""Public schemas and vocabularies of bookings."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.core.errors import LocalizedValueError
from services.reference.vocabulary import BookingStatus as BookingStatus
from services.reference.vocabulary import ServiceMode

# How a booked instrument is used: the shared ServiceMode vocabulary.
BookingMode = ServiceMode


# Statuses that hold the instrument's time (the database's exclusion constraint uses the same list).
LIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.APPROVED, BookingStatus.IN_PROGRESS)


class ClosureKind(StrEnum):
    HOLIDAY = "holiday"
    MAINTENANCE = "maintenance"
    CLOSED = "closed"


class TimeSpan(BaseModel):
    """A start and an end, both with a time zone, the end after the start."""

    model_config = ConfigDict(extra="forbid")

    start: AwareDatetime
    end: AwareDatetime

    @field_validator("end")
    @classmethod
    def _check_order(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("start")
        if start is not None and value <= start:
            raise LocalizedValueError("end 必须晚于 start", "end must be after start")
        return value


class BookingCreate(TimeSpan):
    instrument_id: int
    mode: BookingMode
    note: str = Field(default="", max_length=2000)
    samples: int | None = Field(default=None, ge=1, le=10_000)


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
    price_group: str | None = None
    expires_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_fee_fen: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    effective_hours: float | None = None


class BookingDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000)


class BookingFinish(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_hours: Decimal = Field(ge=0, le=24 * 90, decimal_places=2)


class ClosureCreate(TimeSpan):
    kind: ClosureKind = ClosureKind.MAINTENANCE
    note: str = Field(default="", max_length=200)


class ClosureRead(BaseModel):
    id: int
    instrument_id: int
    start: datetime
    end: datetime
    kind: ClosureKind
    note: str


class TrainingGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int
    expires_at: AwareDatetime


class TrainingRead(BaseModel):
    id: int
    instrument_id: int
    user_id: int
    granted_by_id: int
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    valid: bool


class Interval(BaseModel):
    start: datetime
    end: datetime


class TakenInterval(Interval):
    # Deliberately no booker, organisation or note: other bookers' identities are not shown.
    status: str


class ClosureInterval(Interval):
    kind: ClosureKind


class AvailabilityRead(BaseModel):
    instrument_id: int
    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to")
    open: list[Interval]
    free: list[Interval]
    taken: list[TakenInterval]
    closures: list[ClosureInterval]
