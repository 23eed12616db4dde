"""The platform's shared vocabularies: each one an enum of its API values with its Chinese labels.

Defined once here; schemas, models, search, matching and the portal import them. Pure: no business rules.
Each member carries its label (`ListingType.INSTRUMENT.label`); the `*_LABELS` maps also look up by plain value.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Final, Self


class Vocabulary(StrEnum):
    """An API value with its Chinese label: `ListingType.INSTRUMENT.label == "科研仪器"`."""

    _value_: str
    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


def labels_of(vocabulary: type[Vocabulary]) -> Mapping[str, str]:
    """Value → label of every member (keys are the members; a plain value looks up too)."""
    return {member: member.label for member in vocabulary}


class ListingType(Vocabulary):
    """The four kinds of supply in the catalogue."""

    ACHIEVEMENT = "achievement", "科技成果"
    INSTRUMENT = "instrument", "科研仪器"
    EXPERT = "expert", "专家"
    AGENCY = "agency", "科技服务机构"


LISTING_TYPE_LABELS: Final = labels_of(ListingType)


class ListingStatus(Vocabulary):
    """The life-cycle states of a listing."""

    DRAFT = "draft", "草稿"
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已发布"
    REJECTED = "rejected", "已驳回"
    ARCHIVED = "archived", "已归档"


LISTING_STATUS_LABELS: Final = labels_of(ListingStatus)


class OrgKind(Vocabulary):
    """Kinds of organisation."""

    ENTERPRISE = "enterprise", "企业"
    UNIVERSITY = "university", "高等院校"
    INSTITUTE = "institute", "科研院所"
    HOSPITAL = "hospital", "医疗机构"
    AGENCY = "agency", "科技服务机构"
    GOVERNMENT = "government", "政府部门"
    OTHER = "other", "其他"


ORG_KIND_LABELS: Final = labels_of(OrgKind)


class Role(Vocabulary):
    """Roles of a user account."""

    ENTERPRISE = "enterprise", "企业用户"
    PROVIDER = "provider", "服务提供方"
    EXPERT = "expert", "专家"
    BROKER = "broker", "技术经纪人"
    ADMIN = "admin", "管理员"


ROLE_LABELS: Final = labels_of(Role)


class IpKind(Vocabulary):
    """Kinds of intellectual property an achievement carries."""

    INVENTION = "invention", "发明专利"
    UTILITY = "utility", "实用新型专利"
    DESIGN = "design", "外观设计专利"
    SOFTWARE = "software", "软件著作权"
    SECRET = "secret", "技术秘密"


IP_KIND_LABELS: Final = labels_of(IpKind)


class TransferMode(Vocabulary):
    """How an achievement is offered."""

    TRANSFER = "transfer", "转让"
    LICENSE = "license", "许可"
    EQUITY = "equity", "作价投资"
    CO_DEVELOP = "co_develop", "合作开发"
    SERVICE = "service", "技术服务"


TRANSFER_MODE_LABELS: Final = labels_of(TransferMode)


class PriceMode(Vocabulary):
    """How a price is given."""

    FIXED = "fixed", "一口价"
    RANGE = "range", "价格区间"
    NEGOTIABLE = "negotiable", "面议"


PRICE_MODE_LABELS: Final = labels_of(PriceMode)


class Maturity(Vocabulary):
    """Market maturity of an achievement (see services/reference/maturity.py for TRL bands)."""

    LAB = "lab", "实验室"
    PILOT = "pilot", "小试/中试"
    TRIAL = "trial", "小批量/试生产"
    INDUSTRIAL = "industrial", "产业化"


MATURITY_LABELS: Final = labels_of(Maturity)


class AgencyType(Vocabulary):
    """What a service agency offers."""

    TESTING = "testing", "检验检测"
    IP = "ip", "知识产权"
    TECH_TRANSFER = "tech_transfer", "技术转移"
    CONSULTING = "consulting", "科技咨询"
    FINANCE = "finance", "科技金融"
    INCUBATION = "incubation", "创业孵化"
    LEGAL = "legal", "法律服务"
    DESIGN = "design", "研发设计"


AGENCY_TYPE_LABELS: Final = labels_of(AgencyType)


class DemandKind(Vocabulary):
    """Kinds of enterprise demand."""

    TECH_PROBLEM = "tech_problem", "技术难题"
    CHALLENGE = "challenge", "揭榜挂帅"
    INSTRUMENT = "instrument", "仪器共享"
    TESTING = "testing", "检验检测"
    CONSULTING = "consulting", "技术咨询"
    IP = "ip", "知识产权"
    FINANCE = "finance", "科技金融"


DEMAND_KIND_LABELS: Final = labels_of(DemandKind)


class ExpertService(Vocabulary):
    """What an expert offers."""

    CONSULTING = "consulting", "技术咨询"
    REVIEW = "review", "评审评价"
    TRAINING = "training", "培训讲座"
    CO_DEVELOP = "co_develop", "合作研发"


EXPERT_SERVICE_LABELS: Final = labels_of(ExpertService)


class ServiceMode(Vocabulary):
    """How an instrument is used: by the customer or by the lab on a sample."""

    SELF = "self", "自主上机"
    COMMISSIONED = "commissioned", "送样检测/委托测试"


SERVICE_MODE_LABELS: Final = labels_of(ServiceMode)


class FeeUnit(Vocabulary):
    """Units of an instrument fee."""

    HOUR = "hour", "元/小时"
    SAMPLE = "sample", "元/样"
    DAY = "day", "元/天"


FEE_UNIT_LABELS: Final = labels_of(FeeUnit)


class InstrumentAvailability(Vocabulary):
    """Whether an instrument can be booked."""

    AVAILABLE = "available", "可预约"
    MAINTENANCE = "maintenance", "维护中"
    RETIRED = "retired", "已停用"


INSTRUMENT_AVAILABILITY_LABELS: Final = labels_of(InstrumentAvailability)


class ContractType(Vocabulary):
    """Our technology-contract types (how each is registered: services/reference/contracts.py)."""

    DEVELOPMENT = "development", "技术开发"
    TRANSFER = "transfer", "技术转让"
    LICENSE = "license", "技术许可"
    CONSULTING = "consulting", "技术咨询"
    SERVICE = "service", "技术服务"


CONTRACT_TYPE_LABELS: Final = labels_of(ContractType)


class MatchStatus(Vocabulary):
    """A broker's pipeline stage of one demand↔supply match."""

    SUGGESTED = "suggested", "系统推荐"
    SHORTLISTED = "shortlisted", "已入围"
    CONTACTED = "contacted", "已联系"
    NEGOTIATING = "negotiating", "洽谈中"
    WON = "won", "已成交"
    LOST = "lost", "未成交"
    DISMISSED = "dismissed", "已排除"


MATCH_STATUS_LABELS: Final = labels_of(MatchStatus)
# The stages a match is still being worked in: the broker's queue and the SLA look at these.
OPEN_MATCH_STATUSES: Final = (
    MatchStatus.SUGGESTED,
    MatchStatus.SHORTLISTED,
    MatchStatus.CONTACTED,
    MatchStatus.NEGOTIATING,
)


class CloseReason(Vocabulary):
    """Why a match was lost or dismissed; reaches the lister anonymised and aggregated, and teaches matching."""

    TOO_EARLY = "too_early", "技术尚早"
    BENEFIT_UNCLEAR = "benefit_unclear", "收益不明确"
    PRICE = "price", "价格"
    IP_UNCLEAR = "ip_unclear", "知识产权不清晰"
    NOT_RELEVANT = "not_relevant", "不相关"
    OTHER = "other", "其他"


CLOSE_REASON_LABELS: Final = labels_of(CloseReason)


class IpTerms(Vocabulary):
    """Who owns the IP a 揭榜挂帅 challenge produces."""

    BUYER_OWNS = "buyer_owns", "归发榜企业"
    SHARED = "shared", "双方共有"
    SOLVER_LICENSES = "solver_licenses", "归揭榜方，许可发榜企业使用"
    NEGOTIABLE = "negotiable", "协商确定"


IP_TERMS_LABELS: Final = labels_of(IpTerms)


class Confidentiality(Vocabulary):
    """How much of a demand the public sees."""

    PUBLIC = "public", "公开"
    SUMMARY_ONLY = "summary_only", "仅公开摘要"
    NDA = "nda", "需签保密协议后查看详情"


CONFIDENTIALITY_LABELS: Final = labels_of(Confidentiality)


class ContractStatus(Vocabulary):
    """A technology contract from signing through 认定登记."""

    SIGNED = "signed", "已签订"
    REGISTRATION_PENDING = "registration_pending", "待认定登记"
    REGISTERED = "registered", "已登记"
    REGISTRATION_REJECTED = "registration_rejected", "登记被驳回"
    CANCELLED = "cancelled", "已取消"
    TERMINATED = "terminated", "登记已撤销"


CONTRACT_STATUS_LABELS: Final = labels_of(ContractStatus)


class BookingStatus(Vocabulary):
    """An instrument booking's life-cycle."""

    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已拒绝"
    CANCELLED = "cancelled", "已取消"
    COMPLETED = "completed", "已完成"
    EXPIRED = "expired", "已过期（未及时审批）"
    IN_PROGRESS = "in_progress", "使用中"
    NO_SHOW = "no_show", "未到场"


BOOKING_STATUS_LABELS: Final = labels_of(BookingStatus)


class EnquiryStatus(Vocabulary):
    """An enquiry to an expert: open until the expert's organisation answers it, once."""

    OPEN = "open", "待回复"
    REPLIED = "replied", "已回复"


ENQUIRY_STATUS_LABELS: Final = labels_of(EnquiryStatus)


class PriceGroup(Vocabulary):
    """Who pays which instrument price (校内/校外/企业): the booker's organisation relative to the owner."""

    OWN = "own", "校内"
    ACADEMIC = "academic", "校外"
    ENTERPRISE = "enterprise", "企业"


PRICE_GROUP_LABELS: Final = labels_of(PriceGroup)


def sql_in(vocabulary: type[StrEnum]) -> str:
    """The values as an SQL IN list, in declaration order: `('a','b')` (CHECK constraints of the models)."""
    return "(" + ",".join(f"'{member.value}'" for member in vocabulary) + ")"
