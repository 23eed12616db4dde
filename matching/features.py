"""Features of a demand↔listing pair (pure)."""

from dataclasses import dataclass, field
from typing import Any

# Which supply answers which kind of demand best.
KIND_AFFINITY: dict[str, dict[str, float]] = {
    "tech_problem": {"achievement": 1.0, "expert": 0.8, "agency": 0.4, "instrument": 0.2},
    "challenge": {"achievement": 1.0, "expert": 0.9, "agency": 0.3, "instrument": 0.1},
    "instrument": {"instrument": 1.0, "agency": 0.6, "expert": 0.2, "achievement": 0.1},
    "testing": {"agency": 1.0, "instrument": 0.9, "expert": 0.3, "achievement": 0.1},
    "consulting": {"expert": 1.0, "agency": 0.8, "achievement": 0.3, "instrument": 0.1},
    "ip": {"agency": 1.0, "expert": 0.5, "achievement": 0.3, "instrument": 0.0},
    "finance": {"agency": 1.0, "expert": 0.3, "achievement": 0.2, "instrument": 0.0},
}
MATURITY_RANK = {"lab": 1, "pilot": 2, "trial": 3, "industrial": 4}


@dataclass(frozen=True, slots=True)
class DemandFacts:
    id: int
    title: str
    kind: str
    fields: tuple[str, ...]
    words: frozenset[str]
    budget_min_fen: int | None
    budget_max_fen: int | None
    region: str | None


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    id: int
    type: str
    title: str
    fields: tuple[str, ...]
    words: frozenset[str]
    price_min_fen: int | None
    price_max_fen: int | None
    region: str | None
    maturity: str | None
    relevance: float
    track_record: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def shared_words(demand: DemandFacts, candidate: CandidateFacts) -> list[str]:
    """Meaningful words both sides use (two characters or more)."""
    return sorted(w for w in demand.words & candidate.words if len(w) >= 2)


def budget_fit(demand: DemandFacts, candidate: CandidateFacts) -> float | None:
    """1.0 when the price range overlaps the budget, falling off with the gap; None when unknown."""
    if candidate.price_min_fen is None or (demand.budget_min_fen is None and demand.budget_max_fen is None):
        return None
    budget_max = demand.budget_max_fen if demand.budget_max_fen is not None else 10**15
    budget_min = demand.budget_min_fen or 0
    price_min = candidate.price_min_fen
    price_max = candidate.price_max_fen if candidate.price_max_fen is not None else price_min
    if price_min <= budget_max and price_max >= budget_min:
        return 1.0
    if price_min > budget_max:
        return max(0.0, 1.0 - (price_min - budget_max) / max(budget_max, 1))
    return 0.8


def region_fit(demand: DemandFacts, candidate: CandidateFacts) -> float:
    """Same district 1.0, same city 0.7, same province 0.5, 成渝 0.4, elsewhere 0.2."""
    if not demand.region or not candidate.region:
        return 0.0
    if demand.region == candidate.region:
        return 1.0
    if demand.region[:4] == candidate.region[:4]:
        return 0.7
    if demand.region[:2] == candidate.region[:2]:
        return 0.5
    if {demand.region[:2], candidate.region[:2]} <= {"50", "51"}:
        return 0.4
    return 0.2
