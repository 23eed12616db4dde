"""Achievements: technology readiness levels (TRL) and their agreement with the maturity label (docs/domain.md §4)."""

from collections.abc import Mapping
from typing import Final

from services.core.errors import Problem
from services.reference.vocabulary import MATURITY_LABELS, Maturity

# --- Achievements: maturity ------------------------------------------------------------------------------

# No standard ties the market labels to TRL and sources disagree (实验室 1–4, 小试 4–5, 中试 6–7, 试生产 7–8,
# 产业化 9 in one; 中试/量产 7–9 in another), so the bands are loose and overlap; widen rather than narrow.
MATURITY_TRL_BANDS: Final[Mapping[str, tuple[int, int]]] = {
    Maturity.LAB: (1, 4),
    Maturity.PILOT: (4, 7),
    Maturity.TRIAL: (6, 8),
    Maturity.INDUSTRIAL: (8, 9),
}

TRL_LEVELS: Final[Mapping[int, str]] = {
    1: "基本原理清晰",
    2: "技术概念和应用设想明确",
    3: "关键功能可行性验证",
    4: "部件/功能模块实验室环境验证",
    5: "部件在相关环境验证",
    6: "系统/子系统样机在相关环境演示",
    7: "样机在实际使用环境演示",
    8: "实际系统完成并通过试验验证",
    9: "实际系统通过任务运行考验",
}


def maturity_trl_problem(maturity: str, trl: int) -> Problem | None:
    """Whether the market maturity label and the TRL (1–9) contradict each other, or None if they agree."""
    band = MATURITY_TRL_BANDS.get(maturity)
    if band is None:
        return Problem(
            f"未知的成熟度“{maturity}”", f"unknown maturity '{maturity}' ({', '.join(MATURITY_TRL_BANDS)})"
        )
    if not 1 <= trl <= 9:
        return Problem(f"技术就绪水平应为1–9，当前为{trl}", f"TRL must be 1-9, got {trl}")
    lowest, highest = band
    if not lowest <= trl <= highest:
        return Problem(
            f"成熟度“{MATURITY_LABELS[Maturity(maturity)]}”通常对应技术就绪水平{lowest}–{highest}，当前为{trl}",
            f"maturity '{maturity}' spans TRL {lowest}-{highest}, got {trl}",
        )
    return None
