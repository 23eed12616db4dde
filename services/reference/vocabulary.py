"""The platform's shared vocabularies: each one an enum of its API values with its Chinese labels.

Defined once here; schemas, models, search, matching and the portal import them. Pure: no business rules.
The label maps are keyed by the enum members, typed `Mapping[str, str]` so a plain value looks up too.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class ListingType(StrEnum):
    """The four kinds of supply in the catalogue."""

    ACHIEVEMENT = "achievement"
    INSTRUMENT = "instrument"
    EXPERT = "expert"
    AGENCY = "agency"


LISTING_TYPE_LABELS: Final[Mapping[str, str]] = {
    ListingType.ACHIEVEMENT: "科技成果",
    ListingType.INSTRUMENT: "科研仪器",
    ListingType.EXPERT: "专家",
    ListingType.AGENCY: "科技服务机构",
}


class ListingStatus(StrEnum):
    """The life-cycle states of a listing."""

    DRAFT = "draft"
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    ARCHIVED = "archived"


LISTING_STATUS_LABELS: Final[Mapping[str, str]] = {
    ListingStatus.DRAFT: "草稿",
    ListingStatus.PENDING: "待审核",
    ListingStatus.PUBLISHED: "已发布",
    ListingStatus.REJECTED: "已驳回",
    ListingStatus.ARCHIVED: "已归档",
}


class OrgKind(StrEnum):
    """Kinds of organisation."""

    ENTERPRISE = "enterprise"
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    HOSPITAL = "hospital"
    AGENCY = "agency"
    GOVERNMENT = "government"
    OTHER = "other"


ORG_KIND_LABELS: Final[Mapping[str, str]] = {
    OrgKind.ENTERPRISE: "企业",
    OrgKind.UNIVERSITY: "高等院校",
    OrgKind.INSTITUTE: "科研院所",
    OrgKind.HOSPITAL: "医疗机构",
    OrgKind.AGENCY: "科技服务机构",
    OrgKind.GOVERNMENT: "政府部门",
    OrgKind.OTHER: "其他",
}


class Role(StrEnum):
    """Roles of a user account."""

    ENTERPRISE = "enterprise"
    PROVIDER = "provider"
    EXPERT = "expert"
    BROKER = "broker"
    ADMIN = "admin"


ROLE_LABELS: Final[Mapping[str, str]] = {
    Role.ENTERPRISE: "企业用户",
    Role.PROVIDER: "服务提供方",
    Role.EXPERT: "专家",
    Role.BROKER: "技术经纪人",
    Role.ADMIN: "管理员",
}


class IpKind(StrEnum):
    """Kinds of intellectual property an achievement carries."""

    INVENTION = "invention"
    UTILITY = "utility"
    DESIGN = "design"
    SOFTWARE = "software"
    SECRET = "secret"


IP_KIND_LABELS: Final[Mapping[str, str]] = {
    IpKind.INVENTION: "发明专利",
    IpKind.UTILITY: "实用新型专利",
    IpKind.DESIGN: "外观设计专利",
    IpKind.SOFTWARE: "软件著作权",
    IpKind.SECRET: "技术秘密",
}


class TransferMode(StrEnum):
    """How an achievement is offered."""

    TRANSFER = "transfer"
    LICENSE = "license"
    EQUITY = "equity"
    CO_DEVELOP = "co_develop"
    SERVICE = "service"


TRANSFER_MODE_LABELS: Final[Mapping[str, str]] = {
    TransferMode.TRANSFER: "转让",
    TransferMode.LICENSE: "许可",
    TransferMode.EQUITY: "作价投资",
    TransferMode.CO_DEVELOP: "合作开发",
    TransferMode.SERVICE: "技术服务",
}


class PriceMode(StrEnum):
    """How a price is given."""

    FIXED = "fixed"
    RANGE = "range"
    NEGOTIABLE = "negotiable"


PRICE_MODE_LABELS: Final[Mapping[str, str]] = {
    PriceMode.FIXED: "一口价",
    PriceMode.RANGE: "价格区间",
    PriceMode.NEGOTIABLE: "面议",
}


class Maturity(StrEnum):
    """Market maturity of an achievement (see services/reference/maturity.py for TRL bands)."""

    LAB = "lab"
    PILOT = "pilot"
    TRIAL = "trial"
    INDUSTRIAL = "industrial"


MATURITY_LABELS: Final[Mapping[str, str]] = {
    Maturity.LAB: "实验室",
    Maturity.PILOT: "小试/中试",
    Maturity.TRIAL: "小批量/试生产",
    Maturity.INDUSTRIAL: "产业化",
}


class AgencyType(StrEnum):
    """What a service agency offers."""

    TESTING = "testing"
    IP = "ip"
    TECH_TRANSFER = "tech_transfer"
    CONSULTING = "consulting"
    FINANCE = "finance"
    INCUBATION = "incubation"
    LEGAL = "legal"
    DESIGN = "design"


AGENCY_TYPE_LABELS: Final[Mapping[str, str]] = {
    AgencyType.TESTING: "检验检测",
    AgencyType.IP: "知识产权",
    AgencyType.TECH_TRANSFER: "技术转移",
    AgencyType.CONSULTING: "科技咨询",
    AgencyType.FINANCE: "科技金融",
    AgencyType.INCUBATION: "创业孵化",
    AgencyType.LEGAL: "法律服务",
    AgencyType.DESIGN: "研发设计",
}


class DemandKind(StrEnum):
    """Kinds of enterprise demand."""

    TECH_PROBLEM = "tech_problem"
    CHALLENGE = "challenge"
    INSTRUMENT = "instrument"
    TESTING = "testing"
    CONSULTING = "consulting"
    IP = "ip"
    FINANCE = "finance"


DEMAND_KIND_LABELS: Final[Mapping[str, str]] = {
    DemandKind.TECH_PROBLEM: "技术难题",
    DemandKind.CHALLENGE: "揭榜挂帅",
    DemandKind.INSTRUMENT: "仪器共享",
    DemandKind.TESTING: "检验检测",
    DemandKind.CONSULTING: "技术咨询",
    DemandKind.IP: "知识产权",
    DemandKind.FINANCE: "科技金融",
}


class ExpertService(StrEnum):
    """What an expert offers."""

    CONSULTING = "consulting"
    REVIEW = "review"
    TRAINING = "training"
    CO_DEVELOP = "co_develop"


EXPERT_SERVICE_LABELS: Final[Mapping[str, str]] = {
    ExpertService.CONSULTING: "技术咨询",
    ExpertService.REVIEW: "评审评价",
    ExpertService.TRAINING: "培训讲座",
    ExpertService.CO_DEVELOP: "合作研发",
}


class ServiceMode(StrEnum):
    """How an instrument is used: by the customer or by the lab on a sample."""

    SELF = "self"
    COMMISSIONED = "commissioned"


SERVICE_MODE_LABELS: Final[Mapping[str, str]] = {
    ServiceMode.SELF: "自主上机",
    ServiceMode.COMMISSIONED: "送样检测/委托测试",
}


class FeeUnit(StrEnum):
    """Units of an instrument fee."""

    HOUR = "hour"
    SAMPLE = "sample"
    DAY = "day"


FEE_UNIT_LABELS: Final[Mapping[str, str]] = {
    FeeUnit.HOUR: "元/小时",
    FeeUnit.SAMPLE: "元/样",
    FeeUnit.DAY: "元/天",
}


class InstrumentAvailability(StrEnum):
    """Whether an instrument can be booked."""

    AVAILABLE = "available"
    MAINTENANCE = "maintenance"
    RETIRED = "retired"


INSTRUMENT_AVAILABILITY_LABELS: Final[Mapping[str, str]] = {
    InstrumentAvailability.AVAILABLE: "可预约",
    InstrumentAvailability.MAINTENANCE: "维护中",
    InstrumentAvailability.RETIRED: "已停用",
}


class ContractType(StrEnum):
    """Our technology-contract types (how each is registered: services/reference/contracts.py)."""

    DEVELOPMENT = "development"
    TRANSFER = "transfer"
    LICENSE = "license"
    CONSULTING = "consulting"
    SERVICE = "service"


CONTRACT_TYPE_LABELS: Final[Mapping[str, str]] = {
    ContractType.DEVELOPMENT: "技术开发",
    ContractType.TRANSFER: "技术转让",
    ContractType.LICENSE: "技术许可",
    ContractType.CONSULTING: "技术咨询",
    ContractType.SERVICE: "技术服务",
}
