"""The zone's indicator targets (十四五 plan of 重庆高新区)."""

from dataclasses import dataclass
from typing import Final

# --- The zone's indicator targets ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorTarget:
    """One row of the zone's 十四五 indicator table; money in fen, counts as plain integers."""

    code: str
    label: str
    unit: str
    baseline_year: int | None
    baseline: int | None
    target_year: int
    target: int


# 重庆高新区“十四五”科技创新发展规划: the table gives 技术合同交易额 5 → 20 亿元 (the text reports 5.1
# for 2020; the table's 5 is the official baseline). Agencies and brokers come from 专栏9's text, which
# gives no baseline.
TURNOVER_BASELINE_YEAR: Final = 2020
TURNOVER_BASELINE_FEN: Final = 50_000_000_000
TURNOVER_TARGET_YEAR: Final = 2025
TURNOVER_TARGET_FEN: Final = 200_000_000_000

INDICATOR_TARGETS: Final[tuple[IndicatorTarget, ...]] = (
    IndicatorTarget(
        "tech_contract_turnover",
        "技术合同交易额",
        "fen",
        TURNOVER_BASELINE_YEAR,
        TURNOVER_BASELINE_FEN,
        TURNOVER_TARGET_YEAR,
        TURNOVER_TARGET_FEN,
    ),
    IndicatorTarget("service_agencies", "引培科技服务机构", "家", None, None, 2025, 100),
    IndicatorTarget("tech_brokers", "技术经纪人", "名", None, None, 2025, 100),
)


def turnover_target_fen(year: int) -> int:
    """Tech-contract turnover target for a year, in fen: linear from the 2020 baseline to the 2025 target."""
    if year <= TURNOVER_BASELINE_YEAR:
        return TURNOVER_BASELINE_FEN
    # The plan ends in 2025 and sets nothing later; holding its figure shows progress against a target that
    # was actually set, where extrapolating would invent one. Replace with the 十五五 figures once published.
    if year >= TURNOVER_TARGET_YEAR:
        return TURNOVER_TARGET_FEN
    elapsed, span = year - TURNOVER_BASELINE_YEAR, TURNOVER_TARGET_YEAR - TURNOVER_BASELINE_YEAR
    return TURNOVER_BASELINE_FEN + (TURNOVER_TARGET_FEN - TURNOVER_BASELINE_FEN) * elapsed // span
