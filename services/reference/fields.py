"""Technology fields: our field codes and the national 技术领域 they are counted under."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

# --- Technology fields -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NationalField:
    """One 技术领域 of the national technical-market statistics."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class TechField:
    """One of our technology-field codes, with the national 技术领域 it is counted under."""

    code: str
    label: str
    label_en: str
    national_field: str
    key: bool


NATIONAL_FIELDS: Final[tuple[NationalField, ...]] = (
    NationalField("electronic_information", "电子信息技术"),
    NationalField("advanced_manufacturing", "先进制造技术"),
    NationalField("aerospace", "航空航天技术"),
    NationalField("modern_transport", "现代交通"),
    NationalField("agricultural_technology", "农业技术"),
    NationalField("new_energy_efficiency", "新能源与高效节能"),
    NationalField("nuclear_applications", "核应用技术"),
    NationalField("new_materials", "新材料及其应用"),
    NationalField("biomedicine_devices", "生物、医药和医疗器械技术"),
    NationalField("environment_resources", "环境保护与资源综合利用技术"),
    NationalField("urban_social_development", "城市建设与社会发展"),
)

# The eleven key fields are 专栏1 of the zone's 十四五 plan, in its order. The national mapping is our own
# reading (no official crosswalk exists); nev → 现代交通 rather than 先进制造 is the least certain one.
TECH_FIELDS: Final[tuple[TechField, ...]] = (
    TechField("ai", "新一代人工智能", "New-generation AI", "electronic_information", True),
    TechField("ic", "集成电路", "Integrated circuits", "electronic_information", True),
    TechField("software", "软件和信息技术", "Software and IT", "electronic_information", True),
    TechField("quantum", "量子信息", "Quantum information", "electronic_information", True),
    TechField("biotech", "基因与生物技术", "Genomics and biotechnology", "biomedicine_devices", True),
    TechField("clinical", "临床医学与健康", "Clinical medicine and health", "biomedicine_devices", True),
    TechField(
        "medtech",
        "高端医疗装备与创新药",
        "High-end medical equipment and innovative drugs",
        "biomedicine_devices",
        True,
    ),
    TechField("materials", "高端新材料", "Advanced materials", "new_materials", True),
    TechField(
        "nev",
        "新能源汽车与智能网联汽车",
        "New-energy and intelligent connected vehicles",
        "modern_transport",
        True,
    ),
    TechField(
        "manufacturing",
        "智能制造与机器人",
        "Intelligent manufacturing and robotics",
        "advanced_manufacturing",
        True,
    ),
    TechField("space", "深空探测", "Deep-space exploration", "aerospace", True),
    TechField("energy", "新能源与节能", "New energy and energy efficiency", "new_energy_efficiency", False),
    TechField("environment", "生态环保", "Environmental protection", "environment_resources", False),
    TechField("agriculture", "现代农业", "Modern agriculture", "agricultural_technology", False),
)

TECH_FIELD_CODES: Final[frozenset[str]] = frozenset(field.code for field in TECH_FIELDS)
KEY_TECH_FIELD_CODES: Final[tuple[str, ...]] = tuple(field.code for field in TECH_FIELDS if field.key)

_TECH_FIELDS_BY_CODE: Final[Mapping[str, TechField]] = {field.code: field for field in TECH_FIELDS}
_NATIONAL_FIELDS_BY_CODE: Final[Mapping[str, NationalField]] = {
    field.code: field for field in NATIONAL_FIELDS
}


def tech_field(code: str) -> TechField | None:
    """The technology field with this code, or None."""
    return _TECH_FIELDS_BY_CODE.get(code)


def field_label(code: str) -> str:
    """The Chinese label of a field code; the code itself when it is unknown."""
    found = _TECH_FIELDS_BY_CODE.get(code)
    return found.label if found else code


def national_field_for(field_code: str) -> NationalField | None:
    """The national 技术领域 that one of our field codes is counted under, or None for an unknown code."""
    field = _TECH_FIELDS_BY_CODE.get(field_code)
    return None if field is None else _NATIONAL_FIELDS_BY_CODE[field.national_field]
