"""Chinese labels of the API's enumerations."""

from collections.abc import Mapping
from typing import Final

# --- Labels of the API's enumerations --------------------------------------------------------------------

LISTING_TYPES: Final[Mapping[str, str]] = {
    "achievement": "科技成果",
    "instrument": "科研仪器",
    "expert": "专家",
    "agency": "科技服务机构",
}

LISTING_STATUSES: Final[Mapping[str, str]] = {
    "draft": "草稿",
    "pending": "待审核",
    "published": "已发布",
    "rejected": "已驳回",
    "archived": "已归档",
}

ORG_KINDS: Final[Mapping[str, str]] = {
    "enterprise": "企业",
    "university": "高等院校",
    "institute": "科研院所",
    "hospital": "医疗机构",
    "agency": "科技服务机构",
    "government": "政府部门",
    "other": "其他",
}

IP_KINDS: Final[Mapping[str, str]] = {
    "invention": "发明专利",
    "utility": "实用新型专利",
    "design": "外观设计专利",
    "software": "软件著作权",
    "secret": "技术秘密",
}

TRANSFER_MODES: Final[Mapping[str, str]] = {
    "transfer": "转让",
    "license": "许可",
    "equity": "作价投资",
    "co_develop": "合作开发",
    "service": "技术服务",
}

PRICE_MODES: Final[Mapping[str, str]] = {
    "fixed": "一口价",
    "range": "价格区间",
    "negotiable": "面议",
}

AGENCY_TYPES: Final[Mapping[str, str]] = {
    "testing": "检验检测",
    "ip": "知识产权",
    "tech_transfer": "技术转移",
    "consulting": "科技咨询",
    "finance": "科技金融",
    "incubation": "创业孵化",
    "legal": "法律服务",
    "design": "研发设计",
}

DEMAND_KINDS: Final[Mapping[str, str]] = {
    "tech_problem": "技术难题",
    "challenge": "揭榜挂帅",
    "instrument": "仪器共享",
    "testing": "检验检测",
    "consulting": "技术咨询",
    "ip": "知识产权",
    "finance": "科技金融",
}

EXPERT_SERVICES: Final[Mapping[str, str]] = {
    "consulting": "技术咨询",
    "review": "评审评价",
    "training": "培训讲座",
    "co_develop": "合作研发",
}

SERVICE_MODES: Final[Mapping[str, str]] = {
    "self": "自主上机",
    "commissioned": "送样检测/委托测试",
}

FEE_UNITS: Final[Mapping[str, str]] = {
    "hour": "元/小时",
    "sample": "元/样",
    "day": "元/天",
}

INSTRUMENT_AVAILABILITY: Final[Mapping[str, str]] = {
    "available": "可预约",
    "maintenance": "维护中",
    "retired": "已停用",
}
