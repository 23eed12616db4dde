"""Public schemas and vocabularies of contracts, payments and registration."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, TypeVar

from iso4217 import Currency
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from services.core.clock import CHINA_TZ
from services.core.errors import LocalizedValueError
from services.reference.contracts import contract_rule_set
from services.reference.fields import TECH_FIELD_CODES
from services.reference.vocabulary import ContractStatus as ContractStatus
from services.reference.vocabulary import ContractType

_M = TypeVar("_M", bound=BaseModel)


Fen = Annotated[int, Field(gt=0, le=10**15)]


class MilestoneStatus(StrEnum):
    UNPAID = "unpaid"
    PROCESSING = "processing"
    PAID = "paid"
    REFUNDED = "refunded"


class RefundStatus(StrEnum):
    """A refund asked of the payment provider: requested, then submitted (its id kept) or failed."""

    REQUESTED = "requested"
    SUBMITTED = "submitted"
    FAILED = "failed"


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


# The registry accepts contracts signed since the 1999 合同法; none can be signed in the future.
EARLIEST_SIGNING = date(1999, 1, 1)


# Minor-unit exponent of every ISO 4217 currency that has one (fen for CNY: 2; yen: 0; dinar: 3).
CURRENCY_EXPONENTS = {c.code.lower(): c.exponent for c in Currency if c.exponent is not None}


def _currency(value: str) -> str:
    if value.lower() not in CURRENCY_EXPONENTS:
        raise LocalizedValueError(f"未知的 ISO 4217 币种代码 {value}", "unknown currency code")
    return value.lower()


CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$"), AfterValidator(_currency)]


class RoyaltyPeriod(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"


class RoyaltyTerm(BaseModel):
    """提成: basis points of the licensee's reported sales per period, optionally with a minimum per period."""

    model_config = ConfigDict(extra="forbid")

    rate_bp: Annotated[int, Field(ge=1, le=10_000)]
    period: RoyaltyPeriod
    minimum_fen: Annotated[int, Field(ge=0, le=10**15)] | None = None


class RoyaltyStatementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period_start: date
    period_end: date
    sales_fen: Annotated[int, Field(ge=0, le=10**15)]


class RoyaltyStatementRead(BaseModel):
    id: int
    contract_id: int
    period_start: date
    period_end: date
    sales_fen: int
    due_fen: int
    currency: str
    # Paid through this milestone of the contract (POST …/royalty-statements/{id}/pay); none when nothing is due.
    milestone_id: int | None
    filed_by_id: int
    created_at: datetime


class ContractCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    contract_type: ContractType
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    # From a match, the parties are the match's: give them only to restate them.
    buyer_org_id: int | None = None
    seller_org_id: int | None = None
    broker_id: int | None = None
    match_id: int | None = None
    field: str
    total_fen: Fen
    # Declared technical amount; when omitted it is total − Σ non-technical items.
    tech_fen: Annotated[int, Field(ge=0, le=10**15)] | None = None
    currency: CurrencyCode = "cny"
    signed_at: date
    # Validated after the type and signing date: the rule set of that date lists the sub-types.
    subtype: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    milestones: list[MilestoneIn] = Field(min_length=1, max_length=50)
    non_technical_items: list[NonTechnicalItemIn] = Field(default_factory=list, max_length=100)
    broker_commission_fen: Annotated[int, Field(ge=0, le=10**15)] = 0
    # Only a licence or transfer carries a royalty term.
    royalty: RoyaltyTerm | None = None

    # Field validators (each sees the fields declared before it) so every error's loc names its field.
    @field_validator("seller_org_id")
    @classmethod
    def _check_parties(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and value == info.data.get("buyer_org_id"):
            raise LocalizedValueError("买方与卖方不能是同一机构", "buyer and seller must differ")
        return value

    @field_validator("field")
    @classmethod
    def _check_field(cls, value: str) -> str:
        if value not in TECH_FIELD_CODES:
            raise LocalizedValueError(f"未知的技术领域代码 {value}", "unknown field code")
        return value

    @field_validator("tech_fen")
    @classmethod
    def _check_tech(cls, value: int | None, info: ValidationInfo) -> int | None:
        total = info.data.get("total_fen")
        if value is not None and total is not None and value > total:
            raise LocalizedValueError("tech_fen 不能大于 total_fen", "tech_fen must not exceed total_fen")
        return value

    @field_validator("signed_at")
    @classmethod
    def _check_signed(cls, value: date) -> date:
        if value < EARLIEST_SIGNING:
            raise LocalizedValueError("签订日期不能早于 1999-01-01", "signed before 1999")
        if value > datetime.now(CHINA_TZ).date():
            raise LocalizedValueError("签订日期不能晚于今天", "signed in the future")
        return value

    @field_validator("subtype")
    @classmethod
    def _check_subtype(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind, signed = info.data.get("contract_type"), info.data.get("signed_at")
        if value is None or kind is None or signed is None:
            return value
        allowed = contract_rule_set(signed).types[kind.value].subtypes
        if value not in allowed:
            raise LocalizedValueError(
                f"签订日适用的登记规则中 {kind.value} 没有子类型 {value}，可选 {sorted(allowed)}",
                "unknown subtype",
            )
        return value

    @field_validator("milestones")
    @classmethod
    def _check_milestones(cls, value: list[MilestoneIn], info: ValidationInfo) -> list[MilestoneIn]:
        total = info.data.get("total_fen")
        if total is not None and sum(m.amount_fen for m in value) != total:
            raise LocalizedValueError(
                "各里程碑金额之和必须等于 total_fen", "milestone amounts must sum to total_fen"
            )
        return value

    @field_validator("non_technical_items")
    @classmethod
    def _check_deductions(
        cls, value: list[NonTechnicalItemIn], info: ValidationInfo
    ) -> list[NonTechnicalItemIn]:
        total, tech = info.data.get("total_fen"), info.data.get("tech_fen")
        deducted = sum(i.amount_fen for i in value)
        if total is not None and deducted > total:
            raise LocalizedValueError(
                "非技术性费用之和超过 total_fen", "non-technical items exceed the total"
            )
        if value and total is not None and tech is not None and deducted != total - tech:
            raise LocalizedValueError(
                "tech_fen 必须等于 total_fen − 非技术性费用之和", "tech_fen must equal total minus the items"
            )
        return value

    @field_validator("broker_commission_fen")
    @classmethod
    def _check_commission(cls, value: int, info: ValidationInfo) -> int:
        total = info.data.get("total_fen")
        if value and total is not None and value > total:
            raise LocalizedValueError("经纪佣金不能超过合同总额", "commission exceeds the total")
        return value

    @field_validator("royalty")
    @classmethod
    def _check_royalty(cls, value: RoyaltyTerm | None, info: ValidationInfo) -> RoyaltyTerm | None:
        kind = info.data.get("contract_type")
        if value is not None and kind not in (ContractType.LICENSE, ContractType.TRANSFER):
            raise LocalizedValueError(
                "只有许可或转让合同可以约定提成", "only a licence or transfer has royalties"
            )
        return value


class NonTechnicalItemRead(BaseModel):
    name: str
    amount_fen: int


class ExchangeRate(BaseModel):
    """CNY per one unit of the contract's currency on a date, from a named source (e.g. 中国外汇交易中心)."""

    model_config = ConfigDict(extra="forbid")

    rate: Annotated[Decimal, Field(gt=0, le=100_000, max_digits=20, decimal_places=10)]
    date: date
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class MilestoneRead(BaseModel):
    id: int
    seq: int
    name: str
    due: date | None
    amount_fen: int
    # The part a 创新券 pays (a contract made from a service order): the buyer is charged amount_fen - voucher_fen.
    voucher_fen: int = 0
    status: str
    paid_at: datetime | None


class ContractRead(BaseModel):
    id: int
    contract_type: ContractType
    subtype: str | None
    # The type it is registered and counted under by its rule set (pre-2026 licences: transfer).
    registered_type: str
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
    counted_tech_fen: int
    non_technical_items: list[NonTechnicalItemRead]
    currency: str
    exchange_rate: ExchangeRate | None
    total_cny_fen: int | None
    tech_cny_fen: int | None
    signed_at: date
    buyer_confirmed_at: datetime | None
    seller_confirmed_at: datetime | None
    platform_fee_bp: int
    broker_commission_fen: int
    status: str
    registration_no: str | None
    registered_at: datetime | None
    registration_reject_reason: str | None
    milestones: list[MilestoneRead]
    paid_fen: int
    royalty: RoyaltyTerm | None = None
    created_at: datetime


class PaymentStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    methods: list[str] = Field(default_factory=lambda: ["card", "alipay", "wechat_pay"])


class PayoutAccountSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_ref: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^acct_[0-9A-Za-z]{6,64}$")]


class RefundStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_fen: Fen


class PaymentRead(BaseModel):
    # Read from the Payment row, whose key is `id`.
    payment_id: int = Field(validation_alias=AliasChoices("payment_id", "id"))
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
    exchange_rate: ExchangeRate | None = None


class ContractTerminate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class RegistrationReject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
