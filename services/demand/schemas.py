"""Public schemas of demands and matches."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from services.core.errors import LocalizedValueError
from services.reference.fields import TECH_FIELD_CODES
from services.reference.regions import is_valid_region_code
from services.reference.vocabulary import CloseReason as CloseReason
from services.reference.vocabulary import Confidentiality as Confidentiality
from services.reference.vocabulary import DemandKind
from services.reference.vocabulary import IpTerms as IpTerms
from services.reference.vocabulary import MatchStatus as MatchStatus


class NoteVisibility(StrEnum):
    INTERNAL = "internal"
    SHARED = "shared"


class Budget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_fen: int | None = Field(default=None, ge=0, le=10**15)
    max_fen: int | None = Field(default=None, ge=0, le=10**15)

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        if self.min_fen is not None and self.max_fen is not None and self.min_fen > self.max_fen:
            raise LocalizedValueError("预算上限不能低于下限", "min_fen must not exceed max_fen")
        return self


class DemandCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    description: str = Field(default="", max_length=20_000)
    fields: list[str] = Field(default_factory=list, max_length=11)
    keywords: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list, max_length=30
    )
    kind: DemandKind
    budget: Budget = Field(default_factory=Budget)
    deadline: date | None = None
    region: str | None = Field(default=None, pattern=r"^\d{6}$")
    problem: str = Field(default="", max_length=5000)
    requirements: str = Field(default="", max_length=5000)
    tried: str = Field(default="", max_length=5000)
    award_fen: int | None = Field(default=None, ge=0, le=10**15)
    ip_terms: IpTerms | None = None
    confidentiality: Confidentiality = Confidentiality.PUBLIC
    hide_org: bool = False

    @field_validator("fields")
    @classmethod
    def _check_fields(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in TECH_FIELD_CODES]
        if unknown:
            raise LocalizedValueError(
                f"未知的技术领域代码 {unknown}", "unknown field codes; see GET /api/v1/fields"
            )
        return list(dict.fromkeys(value))

    @field_validator("region")
    @classmethod
    def _check_region(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_region_code(value):
            raise LocalizedValueError("不是有效的行政区划代码", "not a valid GB/T 2260 region code")
        return value


class DemandPendingEdit(BaseModel):
    """An edit of a published demand waiting for review, as its own side and admins see it."""

    text: dict[str, Any] = Field(
        description="the new public text: title, description, problem, requirements, tried, keywords"
    )
    changes: dict[str, Any] = Field(description="every changed field as [published value, new value]")
    flags: list[str] = Field(
        description="contact details found in the new text (mobile, wechat, qq, email, url)"
    )
    submitted_at: datetime


class DemandRead(BaseModel):
    id: int
    status: str
    # None when the enterprise chose to hide its name from the public 需求大厅 (and the reader is not its own).
    org_id: int | None
    title: str
    description: str
    fields: list[str]
    keywords: list[str]
    kind: DemandKind
    budget: Budget
    deadline: date | None
    region: str | None
    created_at: datetime
    updated_at: datetime
    reject_reason: str | None = None
    problem: str = ""
    requirements: str = ""
    tried: str = ""
    award_fen: int | None = None
    ip_terms: IpTerms | None = None
    confidentiality: Confidentiality = Confidentiality.PUBLIC
    hide_org: bool = False
    broker_id: int | None = None
    pending_edit: DemandPendingEdit | None = None


class Reason(BaseModel):
    feature: str
    weight: float
    detail: str


class MatchRead(BaseModel):
    match_id: int
    type: str
    id: int
    title: str
    score: float
    reasons: list[Reason]
    status: MatchStatus
    demand_id: int
    # The latest note the reader may see (internal notes only for brokers and admins).
    note: str = ""
    updated_at: datetime | None = None
    close_reason: CloseReason | None = None
    broker_id: int | None = None
    origin: str = "matcher"
    interest_at: datetime | None = None
    idle_days: int = 0
    overdue: bool = False
    # In the broker queue: the demand the match answers, for the workbench's match cards.
    demand_title: str | None = None
    demand_fields: list[str] = Field(default_factory=list)


class MatchList(BaseModel):
    items: list[MatchRead]


class MatchStatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: MatchStatus
    note: str = Field(default="", max_length=5000)
    note_visibility: NoteVisibility = NoteVisibility.INTERNAL
    reason: CloseReason | None = None

    @model_validator(mode="after")
    def _reason_when_closing(self) -> Self:
        if self.status in (MatchStatus.LOST, MatchStatus.DISMISSED) and self.reason is None:
            raise LocalizedValueError(
                "流失或排除匹配时须选择原因 reason", "a reason is required for lost or dismissed"
            )
        return self


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: Annotated[str, StringConstraints(min_length=1, max_length=5000)]
    visibility: NoteVisibility = NoteVisibility.INTERNAL


class NoteRead(BaseModel):
    id: int
    match_id: int
    author_id: int
    visibility: NoteVisibility
    body: str
    created_at: datetime


class RevisionRead(BaseModel):
    id: int
    actor_id: int
    changes: dict[str, Any]
    created_at: datetime


class QueueParams(BaseModel):
    """The broker queue's filters and order."""

    demand_id: int | None = None
    field: str | None = None
    status: MatchStatus | None = None
    min_idle_days: int | None = Field(default=None, ge=0, le=3650)
    sort: str = Field(default="oldest", pattern="^(oldest|newest|score|idle|interest)$")


class DemandPage(BaseModel):
    total: int
    page: int
    size: int
    items: list[DemandRead]


ScoredCandidate = dict[str, Any]
