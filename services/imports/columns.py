"""The spreadsheet columns of each listing type: names, Chinese labels, aliases, coded values and limits.

Pure data and lookups, shared by parsing (files into create bodies) and templates (create bodies into rows).
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from services.reference.fields import TECH_FIELDS
from services.reference.vocabulary import (
    AGENCY_TYPE_LABELS,
    EXPERT_SERVICE_LABELS,
    FEE_UNIT_LABELS,
    INSTRUMENT_AVAILABILITY_LABELS,
    IP_KIND_LABELS,
    MATURITY_LABELS,
    PRICE_GROUP_LABELS,
    PRICE_MODE_LABELS,
    SERVICE_MODE_LABELS,
    TRANSFER_MODE_LABELS,
    ListingType,
)

MAX_BYTES: Final = 20 * 1024 * 1024
MAX_ROWS: Final = 50_000
MAX_COLUMNS: Final = 200
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE: Final = "text/csv; charset=utf-8"
LIST_SEPARATOR: Final = re.compile(r"[;；]")
PAIR_SEPARATOR: Final = re.compile(r"[:：]")
OFFERING_SEPARATOR: Final = "|"
GROUPS: Final = ("price", "location", "booking", "consent", "contact")


class ImportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    LIST = "list"
    CHOICES = "choices"
    CATEGORY = "category"
    IP = "ip"
    FEES = "fees"
    OFFERINGS = "offerings"
    HOURS = "hours"


FORMAT_NOTES: Final[Mapping[Kind, str]] = {
    Kind.TEXT: "文本",
    Kind.INTEGER: "整数（不能有小数；金额单位为分）",
    Kind.BOOLEAN: "是/否（true/false、1/0）",
    Kind.CHOICE: "代码或中文名称之一",
    Kind.LIST: "多个值用分号 ; 分隔",
    Kind.CHOICES: "代码或中文名称，多个用分号 ; 分隔",
    Kind.CATEGORY: "4位国家大型仪器分类代码，如 0101",
    Kind.IP: "类型:申请号，多项用 ; 分隔；类型为 invention/utility/design/software/secret（或 发明/实用新型/"
    "外观设计/软件著作权/技术秘密），技术秘密可只写类型。如 invention:202110123456.7;secret",
    Kind.FEES: "单位:价格(分)[:价格组]，多项用 ; 分隔；单位为 hour/sample/day（或 小时/样/天），价格组为 own/academic/"
    "enterprise（或 校内/校外/企业），不写即通用价。如 hour:40000;hour:10000:校内;sample:20000",
    Kind.HOURS: "星期 开始-结束（北京时间），多段用 ; 分隔；星期 1–7 为周一至周日，可写区间。如 1-5 09:00-17:00;6 09:00-12:00",
    Kind.OFFERINGS: "名称|描述|计价方式|最低价(分)|最高价(分)，多项用 ; 分隔；计价方式为 fixed/range/negotiable"
    "（或 一口价/价格区间/面议），后三项可省略（面议）。名称和描述中不能含 ; 或 |。如 导热系数测试|激光闪射法|fixed|80000|80000",
}


def _value_aliases(*tables: Mapping[str, str]) -> dict[str, str]:
    """Chinese label (and each part of a label like 小试/中试) → code, plus each code itself."""
    aliases: dict[str, str] = {}
    for table in tables:
        for code, label in table.items():
            aliases[code.lower()] = code
            aliases[normalise(label)] = code
            for part in label.split("/"):
                aliases.setdefault(normalise(part), code)
    return aliases


def normalise(text: str) -> str:
    """Compare headers and coded values loosely: NFKC (full-width → ASCII), no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


FIELD_VALUES: Final = _value_aliases(
    {f.code: f.label for f in TECH_FIELDS}, {f.code: f.label_en for f in TECH_FIELDS}
)
MATURITY_VALUES: Final = _value_aliases(
    MATURITY_LABELS,
    {"lab": "实验室阶段", "pilot": "中试阶段", "trial": "试生产", "industrial": "量产"},
)
TRANSFER_VALUES: Final = _value_aliases(TRANSFER_MODE_LABELS, {"equity": "作价入股"})
PRICE_VALUES: Final = _value_aliases(PRICE_MODE_LABELS, {"fixed": "固定价", "range": "区间"})
SERVICE_MODE_VALUES: Final = _value_aliases(SERVICE_MODE_LABELS, {"self": "自主操作", "commissioned": "送样"})
AVAILABILITY_VALUES: Final = _value_aliases(INSTRUMENT_AVAILABILITY_LABELS, {"available": "可用"})
EXPERT_SERVICE_VALUES: Final = _value_aliases(
    EXPERT_SERVICE_LABELS, {"consulting": "咨询", "training": "培训"}
)
AGENCY_TYPE_VALUES: Final = _value_aliases(AGENCY_TYPE_LABELS, {"testing": "检测"})
IP_VALUES: Final = _value_aliases(
    IP_KIND_LABELS, {"invention": "发明", "utility": "实用新型", "design": "外观设计", "software": "软著"}
)
PRICE_GROUP_VALUES: Final = _value_aliases(PRICE_GROUP_LABELS)
FEE_UNIT_VALUES: Final = _value_aliases(
    {"hour": "小时", "sample": "样", "day": "天"},
    {"hour": "时", "sample": "样品", "day": "日"},
    FEE_UNIT_LABELS,
)


@dataclass(frozen=True, slots=True)
class Column:
    """One spreadsheet column: its JSON name (nested objects flattened with `_`), Chinese label and parsing."""

    name: str
    label: str
    kind: Kind = Kind.TEXT
    example: str = ""
    aliases: tuple[str, ...] = ()
    values: Mapping[str, str] | None = None

    @property
    def path(self) -> tuple[str, ...]:
        for group in GROUPS:
            if self.name.startswith(f"{group}_"):
                return group, self.name[len(group) + 1 :]
        return (self.name,)


def _common(*, summary: str, description: str, fields: str, keywords: str) -> tuple[Column, ...]:
    return (
        Column("summary", "摘要", example=summary, aliases=("简要介绍", "概要")),
        Column("description", "详细描述", example=description, aliases=("描述", "详细介绍", "详细说明")),
        Column("fields", "技术领域", Kind.CHOICES, fields, ("领域", "所属领域"), FIELD_VALUES),
        Column("keywords", "关键词", Kind.LIST, keywords, ("关键字",)),
        Column("region", "行政区划代码", example="500106", aliases=("行政区划", "地区代码", "区划代码")),
    )


EXTERNAL_REF: Final = Column("external_ref", "外部编号", aliases=("外部引用", "编号", "原系统编号"))

COLUMNS: Final[Mapping[ListingType, tuple[Column, ...]]] = {
    ListingType.ACHIEVEMENT: (
        Column("external_ref", "外部编号", example="TPL-ACH-0001", aliases=EXTERNAL_REF.aliases),
        Column("title", "成果名称", example="石墨烯导热膜制备技术", aliases=("名称", "成果标题", "项目名称")),
        *_common(
            summary="高导热石墨烯膜的低成本制备工艺",
            description="面向电子器件散热，导热系数≥1500 W/(m·K)。",
            fields="materials;nev",
            keywords="石墨烯;导热膜",
        ),
        Column("maturity", "成熟度", Kind.CHOICE, "pilot", ("成熟阶段", "技术成熟度"), MATURITY_VALUES),
        Column("trl", "技术就绪度", Kind.INTEGER, "6", ("TRL", "技术就绪水平")),
        Column("ip", "知识产权", Kind.IP, "invention:202110123456.7;secret", ("专利",), IP_VALUES),
        Column(
            "transfer_modes", "转化方式", Kind.CHOICES, "license;transfer", ("合作方式",), TRANSFER_VALUES
        ),
        Column("price_mode", "报价方式", Kind.CHOICE, "range", ("价格方式", "计价方式"), PRICE_VALUES),
        Column("price_min_fen", "最低价(分)", Kind.INTEGER, "50000000", ("价格下限(分)",)),
        Column("price_max_fen", "最高价(分)", Kind.INTEGER, "120000000", ("价格上限(分)",)),
        Column("inventors", "发明人", Kind.LIST, "张三;李四", ("完成人", "成果完成人")),
    ),
    ListingType.INSTRUMENT: (
        Column("external_ref", "外部编号", example="TPL-INS-0001", aliases=EXTERNAL_REF.aliases),
        Column("name", "仪器名称", example="场发射扫描电子显微镜", aliases=("名称", "设备名称")),
        Column("title", "展示标题", aliases=("标题",)),
        *_common(
            summary="高分辨形貌观察与能谱分析",
            description="配备能谱仪，可进行微区成分分析。",
            fields="materials",
            keywords="扫描电镜;SEM",
        ),
        Column("model", "型号", example="Sigma 300", aliases=("规格型号", "仪器型号")),
        Column("manufacturer", "生产厂商", example="ZEISS", aliases=("厂商", "制造商", "生产厂家")),
        Column("category", "仪器分类代码", Kind.CATEGORY, "0101", ("分类代码", "仪器分类")),
        Column("original_value_fen", "原值(分)", Kind.INTEGER, "350000000", ("仪器原值(分)",)),
        Column("location_campus", "校区", example="虎溪校区", aliases=("所在校区",)),
        Column("location_building", "楼宇", example="材料楼", aliases=("楼栋", "所在楼宇")),
        Column("location_room", "房间", example="101", aliases=("房间号",)),
        Column(
            "service_modes", "服务方式", Kind.CHOICES, "self;commissioned", ("共享方式",), SERVICE_MODE_VALUES
        ),
        Column("fees", "收费标准", Kind.FEES, "hour:40000;sample:20000", ("收费",), FEE_UNIT_VALUES),
        Column("booking_min_notice_hours", "最短提前预约(小时)", Kind.INTEGER, "24", ("提前预约(小时)",)),
        Column("booking_max_hours", "单次最长(小时)", Kind.INTEGER, "8", ("单次最长预约(小时)",)),
        Column("booking_needs_training", "需培训", Kind.BOOLEAN, "是", ("是否需要培训", "需要培训")),
        Column("booking_opening_hours", "开放时间", Kind.HOURS, "1-5 09:00-17:00", ("开放时段",)),
        Column("booking_long_runs", "允许长时运行", Kind.BOOLEAN, "否", ("长时运行",)),
        Column("booking_response_hours", "审批时限(小时)", Kind.INTEGER, "48", ("响应时限(小时)",)),
        Column("booking_cancel_free_hours", "免费取消提前(小时)", Kind.INTEGER, "24", ("免费取消(小时)",)),
        Column("booking_cancel_fee_percent", "逾期取消费(%)", Kind.INTEGER, "50", ("取消费比例",)),
        Column("booking_no_show_limit", "爽约上限(次/90天)", Kind.INTEGER, "3", ("爽约上限",)),
        Column(
            "availability", "仪器状态", Kind.CHOICE, "available", ("状态", "可用状态"), AVAILABILITY_VALUES
        ),
    ),
    ListingType.EXPERT: (
        Column("external_ref", "外部编号", example="TPL-EXP-0001", aliases=EXTERNAL_REF.aliases),
        Column("name", "姓名", example="王建国", aliases=("专家姓名",)),
        Column("title", "职称", example="教授", aliases=("专业技术职称",)),
        Column("institution", "单位", example="重庆大学", aliases=("工作单位", "所在单位")),
        *_common(
            summary="石墨烯热管理材料",
            description="",
            fields="materials",
            keywords="石墨烯;热管理",
        ),
        Column("bio", "个人简介", example="长期从事石墨烯热管理材料研究。", aliases=("简介", "专家简介")),
        Column(
            "services", "服务类型", Kind.CHOICES, "consulting;review", ("服务内容",), EXPERT_SERVICE_VALUES
        ),
        Column("rate_fen_per_hour", "咨询费(分/小时)", Kind.INTEGER, "100000", ("时薪(分)",)),
        Column("consent_publish", "同意公开", Kind.BOOLEAN, "是", ("同意公开信息",)),
        Column("consent_contact", "同意联系", Kind.BOOLEAN, "否", ("同意提供联系方式",)),
        Column("contact_phone", "联系电话", example="13800000000", aliases=("电话", "手机")),
        Column("contact_email", "电子邮箱", example="expert@example.cn", aliases=("邮箱", "email")),
    ),
    ListingType.AGENCY: (
        Column("external_ref", "外部编号", example="TPL-AGE-0001", aliases=EXTERNAL_REF.aliases),
        Column("name", "机构名称", example="西部材料检测中心", aliases=("名称",)),
        Column("title", "展示标题", aliases=("标题",)),
        *_common(
            summary="材料热物性与力学性能检测",
            description="具备CMA资质的第三方检测机构。",
            fields="materials",
            keywords="检测;导热",
        ),
        Column(
            "agency_types", "机构类型", Kind.CHOICES, "testing;consulting", ("服务类别",), AGENCY_TYPE_VALUES
        ),
        Column("qualifications", "资质", Kind.LIST, "CMA;CNAS", ("资质认证",)),
        Column(
            "offerings",
            "服务项目",
            Kind.OFFERINGS,
            "导热系数测试|激光闪射法|fixed|80000|80000;力学性能测试|拉伸与弯曲|negotiable",
            values=PRICE_VALUES,
        ),
    ),
}


def _header_index(listing_type: ListingType) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in COLUMNS[listing_type]:
        for key in (column.name, column.label, *column.aliases):
            index.setdefault(normalise(key), column)
    return index


HEADERS: Final[Mapping[ListingType, dict[str, Column]]] = {t: _header_index(t) for t in ListingType}


def column_label(listing_type: ListingType, name: str) -> str:
    return next((c.label for c in COLUMNS[listing_type] if c.name == name), name)
