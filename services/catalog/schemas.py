"""Public schemas of the four listing types (the shared API contract), with their validation rules."""

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from services.core.errors import LocalizedValueError
from services.reference.categories import INSTRUMENT_CATEGORY_CODES
from services.reference.fields import TECH_FIELD_CODES
from services.reference.identifiers import normalise_patent_number, patent_kind_from_number, patent_problem
from services.reference.maturity import maturity_trl_problem
from services.reference.regions import is_valid_region_code
from services.reference.vocabulary import (
    AgencyType,
    ExpertService,
    FeeUnit,
    InstrumentAvailability,
    IpKind,
    ListingType,
    Maturity,
    PriceMode,
    ServiceMode,
    TransferMode,
)
from services.reference.vocabulary import PriceGroup as PriceGroup

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Fen = Annotated[int, Field(ge=0, le=10**15)]
MAX_TEXT = 20_000


RESOURCE_TYPES: dict[str, ListingType] = {
    "achievements": ListingType.ACHIEVEMENT,
    "instruments": ListingType.INSTRUMENT,
    "experts": ListingType.EXPERT,
    "agencies": ListingType.AGENCY,
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ListingCommon(Strict):
    summary: str = Field(default="", max_length=2000)
    description: str = Field(default="", max_length=MAX_TEXT)
    fields: list[str] = Field(default_factory=list, max_length=11)
    keywords: list[ShortText] = Field(default_factory=list, max_length=30)
    region: str | None = Field(default=None, pattern=r"^\d{6}$")
    external_ref: ShortText | None = None

    @field_validator("fields")
    @classmethod
    def _check_fields(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in TECH_FIELD_CODES]
        if unknown:
            raise LocalizedValueError(
                f"未知的技术领域代码 {unknown}", "unknown field codes; see GET /api/v1/fields"
            )
        return list(dict.fromkeys(value))

    @field_validator("keywords")
    @classmethod
    def _dedupe_keywords(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(k for k in value if k))

    @field_validator("region")
    @classmethod
    def _check_region(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_region_code(value):
            raise LocalizedValueError("不是有效的行政区划代码", "not a valid GB/T 2260 region code")
        return value


class Price(Strict):
    mode: PriceMode
    min_fen: Fen | None = None
    max_fen: Fen | None = None

    @model_validator(mode="after")
    def _check_range(self) -> Self:
        if self.mode == PriceMode.NEGOTIABLE:
            return self
        if self.min_fen is None or self.max_fen is None:
            raise LocalizedValueError(
                "fixed 与 range 价格需要 min_fen 和 max_fen", "min_fen and max_fen required"
            )
        if self.min_fen > self.max_fen:
            raise LocalizedValueError("min_fen 不能大于 max_fen", "min_fen must not exceed max_fen")
        if self.mode == PriceMode.FIXED and self.min_fen != self.max_fen:
            raise LocalizedValueError(
                "固定价格 min_fen 须等于 max_fen", "fixed price: min_fen must equal max_fen"
            )
        return self


class IpRight(Strict):
    kind: IpKind
    number: ShortText | None = None

    @model_validator(mode="after")
    def _check_number(self) -> Self:
        if self.kind in (IpKind.INVENTION, IpKind.UTILITY, IpKind.DESIGN):
            if not self.number:
                raise LocalizedValueError("专利需要申请号", "patent number required")
            problem = patent_problem(self.number)
            if problem:
                raise LocalizedValueError.of(problem)
            self.number = normalise_patent_number(self.number)
            implied = patent_kind_from_number(self.number)
            if implied is not None and implied != self.kind.value:
                raise LocalizedValueError(
                    f"申请号类型为 {implied}，与 kind={self.kind.value} 不符", "number/kind mismatch"
                )
        return self


class AchievementCreate(ListingCommon):
    title: Text200
    maturity: Maturity
    trl: int = Field(ge=1, le=9)
    ip: list[IpRight] = Field(default_factory=list, max_length=50)
    transfer_modes: list[TransferMode] = Field(default_factory=list)
    price: Price = Field(default_factory=lambda: Price(mode=PriceMode.NEGOTIABLE))
    inventors: list[ShortText] = Field(default_factory=list, max_length=50)

    @field_validator("trl")
    @classmethod
    def _check_trl(cls, value: int, info: ValidationInfo) -> int:
        # A field validator (not a model one) so the error's loc names `trl`; maturity is validated first.
        maturity = info.data.get("maturity")
        problem = maturity_trl_problem(maturity.value, value) if maturity is not None else None
        if problem:
            raise LocalizedValueError.of(problem)
        return value


class Location(Strict):
    campus: str = Field(default="", max_length=100)
    building: str = Field(default="", max_length=100)
    room: str = Field(default="", max_length=50)


class Fee(Strict):
    unit: FeeUnit
    price_fen: Fen
    # A fee without a group is the price for every group that has no fee of its own for the unit.
    group: PriceGroup | None = None


class OpeningPeriod(Strict):
    """One weekly opening period in Beijing time; weekday 1 is Monday (ISO)."""

    weekday: int = Field(ge=1, le=7)
    open: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    close: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        if self.close <= self.open:
            raise LocalizedValueError("close 必须晚于 open", "close must be after open")
        return self


class BookingRules(Strict):
    min_notice_hours: int = Field(default=24, ge=0, le=24 * 90)
    # Long runs (battery cycling, dilution refrigerators) may last up to 90 days where the owner allows.
    max_hours: int = Field(default=8, ge=1, le=24 * 90)
    needs_training: bool = False
    # Absent: open around the clock. Present: bookings start and end inside these periods.
    opening_hours: list[OpeningPeriod] | None = Field(default=None, max_length=70)
    # Unattended runs may continue through closed hours (only start and end must be in opening hours).
    long_runs: bool = False
    response_hours: int = Field(default=48, ge=1, le=24 * 14)
    cancel_free_hours: int = Field(default=24, ge=0, le=24 * 30)
    cancel_fee_percent: int = Field(default=50, ge=0, le=100)
    no_show_limit: int = Field(default=3, ge=1, le=100)


class InstrumentCreate(ListingCommon):
    title: Text200 | None = None
    name: Text200
    model: ShortText = ""
    manufacturer: ShortText = ""
    category: str = Field(pattern=r"^\d{4}$")
    original_value_fen: Fen | None = None
    location: Location = Field(default_factory=Location)
    service_modes: list[ServiceMode] = Field(min_length=1)
    fees: list[Fee] = Field(default_factory=list, max_length=20)
    booking: BookingRules = Field(default_factory=BookingRules)
    availability: InstrumentAvailability = InstrumentAvailability.AVAILABLE

    @field_validator("category")
    @classmethod
    def _check_category(cls, value: str) -> str:
        if value not in INSTRUMENT_CATEGORY_CODES:
            raise LocalizedValueError(
                "不是国家大型仪器分类代码", "unknown category; see GET /api/v1/instrument-categories"
            )
        return value


class Consent(Strict):
    publish: bool = False
    contact: bool = False


class Contact(Strict):
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9\- ]{5,20}$")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)


class ExpertCreate(ListingCommon):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    title: ShortText = ""
    institution: ShortText = ""
    bio: str = Field(default="", max_length=MAX_TEXT)
    services: list[ExpertService] = Field(default_factory=list)
    rate_fen_per_hour: Fen | None = None
    consent: Consent = Field(default_factory=Consent)
    contact: Contact | None = None


class Offering(Strict):
    name: Text200
    description: str = Field(default="", max_length=5000)
    price: Price = Field(default_factory=lambda: Price(mode=PriceMode.NEGOTIABLE))


class AgencyCreate(ListingCommon):
    title: Text200 | None = None
    name: Text200
    agency_types: list[AgencyType] = Field(min_length=1)
    qualifications: list[ShortText] = Field(default_factory=list, max_length=30)
    offerings: list[Offering] = Field(default_factory=list, max_length=50)


CREATE_SCHEMAS: dict[ListingType, type[ListingCommon]] = {
    ListingType.ACHIEVEMENT: AchievementCreate,
    ListingType.INSTRUMENT: InstrumentCreate,
    ListingType.EXPERT: ExpertCreate,
    ListingType.AGENCY: AgencyCreate,
}


class Quality(BaseModel):
    score: int
    missing: list[str]


class RejectRequest(Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


ListingRead = dict[str, Any]


class ListingPage(BaseModel):
    total: int
    page: int
    size: int
    items: list[dict[str, Any]]


class RevisionRead(BaseModel):
    version: int
    action: str
    actor_id: int | None
    changes: dict[str, Any]
    created_at: datetime


class PersonLink(Strict):
    """Link an expert profile to its person's account (an expert account of the same organisation), or unlink."""

    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)


class ConsentRecordRead(BaseModel):
    publish: bool
    contact: bool
    text_version: str
    recorded_at: datetime
    by_self: bool  # given by the expert, not by their organisation on their behalf


class ExpertProfileRead(BaseModel):
    """The expert's own view of their profile: the listing (with their contact) and every consent given."""

    listing: dict[str, Any]
    consent_text_version: str
    consents: list[ConsentRecordRead]
