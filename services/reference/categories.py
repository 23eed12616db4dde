"""Large research instruments: the 15 categories of the national survey and their sub-categories."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

# --- Large research instruments --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstrumentSubcategory:
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class InstrumentCategory:
    code: str
    label: str
    subcategories: tuple[InstrumentSubcategory, ...]


# Source: the 2014 national large-instrument survey tables as found in public code, not an official page
# (domain-rules.md §5): re-check against the 国家网络管理平台 field list before launch. Codes are positions
# (category 01–15, sub-category 01–nn in listed order), so inserting an entry renumbers its successors;
# append instead. 其他仪器 has no published sub-list: its single "其他" entry is our assumption.
# fmt: off
_INSTRUMENT_TABLE: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("分析仪器", ("电子光学", "质谱", "X射线", "光谱", "色谱", "波谱", "电化学", "显微镜及图象分析", "热分析",
                  "生化分离分析", "环境与农业分析", "样品前处理及制备", "其他")),
    ("物理性能测试仪器", ("力学性能测试", "大地测量", "光电测量", "声学振动", "颗粒度测量", "探伤", "其他")),
    ("计量仪器", ("长度", "热学", "力学", "电磁学", "时间频率", "声学", "光学", "电离辐射", "电子学",
                  "其他")),
    ("电子测量仪器", ("通用电子测量", "射频和微波", "通讯测量", "网络分析", "大规模集成电路测试", "其他")),
    ("海洋仪器", ("海洋水文", "多要素水文气象", "海洋生物调查", "海水物理量", "海洋遥感/遥测", "海洋采样",
                  "其他")),
    ("地球探测仪器", ("电法", "电磁法", "磁法", "重力", "地震", "地球物理测井", "岩石矿物测试", "其他")),
    ("大气探测仪器", ("气象台站观测", "高空气象探测", "特殊大气探测", "主动/被动大气遥感", "高层大气/电离层",
                      "对地观测", "其他")),
    ("天文仪器", ("天体测量", "地面/空间天文望远镜", "其他")),
    ("医学诊断仪器", ("临床检验分析", "影像诊断", "电子诊察", "其他")),
    ("核仪器", ("核辐射探测", "活化分析", "离子束分析", "核效应分析", "中子散射及衍射", "其他")),
    ("特种检测仪器", ("射线", "超声", "电磁", "声发射", "光电检测", "其他")),
    ("工艺实验设备", ("汽车", "化工/制药", "电子", "加工", "纺织", "食品", "其他")),
    ("计算机及其配套设备", ("计算机", "服务器", "软件", "数据采集及工作站", "其他")),
    ("激光器", ("激光器", "其他")),
    ("其他仪器", ("其他",)),
)
# fmt: on

INSTRUMENT_CATEGORIES: Final[tuple[InstrumentCategory, ...]] = tuple(
    InstrumentCategory(
        code=f"{category_index:02d}",
        label=category_label,
        subcategories=tuple(
            InstrumentSubcategory(code=f"{category_index:02d}{sub_index:02d}", label=sub_label)
            for sub_index, sub_label in enumerate(sub_labels, start=1)
        ),
    )
    for category_index, (category_label, sub_labels) in enumerate(_INSTRUMENT_TABLE, start=1)
)

_INSTRUMENT_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    sub.code: (category.label, sub.label)
    for category in INSTRUMENT_CATEGORIES
    for sub in category.subcategories
}
INSTRUMENT_CATEGORY_CODES: Final[frozenset[str]] = frozenset(_INSTRUMENT_LABELS)


def instrument_category(code: str) -> tuple[str, str] | None:
    """(category label, sub-category label) of a 4-digit instrument code, or None if unknown."""
    return _INSTRUMENT_LABELS.get(code)
