"""Facts of a demand and a listing, and the features of the pair (pure).

Every feature is computed from facts that are kept next to it (`Features.facts`), so the reasons shown to
people (`matching.scoring`) are generated from exactly what the score used, never from a second guess.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.reference.vocabulary import ListingType

# Which supply answers which kind of demand best.
KIND_AFFINITY: dict[str, dict[str, float]] = {
    "tech_problem": {"achievement": 1.0, "expert": 0.8, "agency": 0.4, "instrument": 0.3},
    "challenge": {"achievement": 1.0, "expert": 0.9, "agency": 0.3, "instrument": 0.1},
    "instrument": {"instrument": 1.0, "agency": 0.7, "expert": 0.4, "achievement": 0.1},
    "testing": {"instrument": 1.0, "agency": 1.0, "expert": 0.4, "achievement": 0.1},
    "consulting": {"agency": 1.0, "expert": 1.0, "achievement": 0.3, "instrument": 0.1},
    "ip": {"agency": 1.0, "expert": 0.5, "achievement": 0.2, "instrument": 0.0},
    "finance": {"agency": 1.0, "expert": 0.3, "achievement": 0.1, "instrument": 0.0},
}
SUPPLY_TYPES = tuple(ListingType)
MATURITY_RANK = {"lab": 1, "pilot": 2, "trial": 3, "industrial": 4}
# Units a listing's price is quoted in: a project sum, or a unit rate that a budget buys a number of.
UNIT_LABELS = {"project": "项目", "hour": "小时", "sample": "样", "day": "天"}
# Words both sides use that say nothing about the need (and so never appear as a reason).
NOISE_WORDS = frozenset(
    [
        "基于",
        "公司",
        "企业",
        "技术",
        "需要",
        "希望",
        "我们",
        "我司",
        "服务",
        "提供",
        "开展",
        "进行",
        "相关",
        "方面",
        "研究",
        "研发",
        "开发",
        "合作",
        "项目",
        "产品",
        "应用",
        "方案",
        "系统",
        "平台",
        "能力",
        "领域",
        "行业",
        "中心",
        "有限公司",
        "重庆",
        "重庆市",
        "可以",
        "可",
        "用于",
        "以及",
        "主要",
        "实现",
        "具有",
        "一种",
        "方法",
        "工艺",
        "设备",
        "材料",
        "检测",
        "测试",
        "分析",
        "支持",
        "要求",
        "目前",
        "已经",
        "团队",
        "专家",
        "机构",
        "高校",
        "大学",
        "学院",
    ]
)
_HAN = re.compile(r"[\u4e00-\u9fff]")


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
    deadline: date | None = None
    text: str = ""
    # Technical words the demand's everyday wording stands for (matching.vocabulary), for retrieval only.
    expansion: str = ""


# Close reasons that say the match itself was wrong; the others (price, too early, IP, benefit) are about terms.
WRONG_MATCH_REASONS = frozenset({"not_relevant"})


@dataclass(frozen=True, slots=True)
class Outcomes:
    """What happened to a listing's earlier matches and bookings: won, lost and dismissed (with their close
    reasons, ``{"price": 2}``), and completed bookings of an instrument."""

    won: int = 0
    lost: int = 0
    dismissed: int = 0
    completed_bookings: int = 0
    reasons: tuple[tuple[str, int], ...] = ()

    @property
    def wrong_match(self) -> int:
        """Lost or dismissed as not relevant: the broker judged the match itself wrong."""
        return sum(n for reason, n in self.reasons if reason in WRONG_MATCH_REASONS)


def outcomes_from_counts(counts: dict[str, int], completed_bookings: int = 0) -> Outcomes:
    """Outcomes from stored counts keyed ``won``, ``lost:<reason>``, ``dismissed:<reason>``."""
    reasons: dict[str, int] = {}
    totals = {"lost": 0, "dismissed": 0}
    for key, n in counts.items():
        status, _, reason = key.partition(":")
        if status in totals:
            totals[status] += n
            reasons[reason or "other"] = reasons.get(reason or "other", 0) + n
    return Outcomes(
        won=counts.get("won", 0),
        lost=totals["lost"],
        dismissed=totals["dismissed"],
        completed_bookings=completed_bookings,
        reasons=tuple(sorted(reasons.items())),
    )


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
    price_unit: str = "project"
    availability: str | None = None
    outcomes: Outcomes = field(default_factory=Outcomes)
    text: str = ""
    # Hours the instrument is open and unbooked between now and the demand's deadline (its booking calendar).
    free_hours: float | None = None
    # What the instrument's kind measures, what the topic or offering is asked for (search.measures): words its
    # listing need not say.
    measures: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Features:
    """Feature values in [0, 1] (None when unknown) and the facts each was computed from."""

    values: dict[str, float | None]
    facts: dict[str, Any]


def meaningful_words(words: frozenset[str] | set[str]) -> list[str]:
    """Words worth naming: Chinese of two characters or more, or Latin of three letters or more, no filler,
    and no fragment of a longer shared word (元器 inside 元器件)."""
    kept = [
        word
        for word in words
        if word not in NOISE_WORDS
        and ((len(word) >= 2 and _HAN.search(word)) or (len(word) >= 3 and word.isascii() and word.isalnum()))
        and not word.isdigit()
    ]
    maximal = [word for word in kept if not any(word != other and word in other for other in kept)]
    return sorted(maximal, key=lambda word: (-len(word), word))


def shared_words(demand: DemandFacts, candidate: CandidateFacts) -> list[str]:
    """Meaningful words the demand and the listing's title or keywords both use."""
    return meaningful_words(demand.words & candidate.words)


def measured_words(demand: DemandFacts, candidate: CandidateFacts, shared: list[str]) -> list[str]:
    """Meaningful words of the demand that the candidate's table terms name (what its instrument kind measures,
    what its topic is asked for) and its title and keywords do not say (``shared``, named as shared keywords)."""
    named = demand.words & candidate.measures
    return [word for word in meaningful_words(named) if word not in shared] if named else []


def budget_fit(demand: DemandFacts, candidate: CandidateFacts) -> tuple[float | None, dict[str, Any]]:
    """How the listing's price sits against the budget, in the listing's own unit; None when either is unknown.

    A project price is compared with the budget range. A unit rate (per hour, sample or day) is not a project
    price: the budget is turned into how many units it buys, which is what a buyer can compare.
    """
    budget_min = demand.budget_min_fen
    budget_max = demand.budget_max_fen
    if candidate.price_min_fen is None or (budget_min is None and budget_max is None):
        return None, {}
    price_min = candidate.price_min_fen
    price_max = candidate.price_max_fen if candidate.price_max_fen is not None else price_min
    facts: dict[str, Any] = {
        "unit": candidate.price_unit,
        "price_min_fen": price_min,
        "price_max_fen": price_max,
        "budget_min_fen": budget_min,
        "budget_max_fen": budget_max,
    }
    if candidate.price_unit != "project":
        if not budget_max or price_min <= 0:
            return None, {}
        units = budget_max // price_min
        facts.update(relation="units", units=units)
        # A budget that buys a working week of hours (or a batch of samples) is ample for a unit-priced service.
        return min(1.0, units / 40), facts
    if budget_max is not None and price_min > budget_max:
        over = (price_min - budget_max) / max(budget_max, 1)
        facts.update(relation="over", over_percent=round(over * 100))
        return max(0.0, 1.0 - over), facts
    if budget_min is not None and price_max < budget_min:
        facts.update(relation="under")
        return 0.8, facts
    facts.update(relation="within")
    return 1.0, facts


def region_fit(demand: DemandFacts, candidate: CandidateFacts) -> tuple[float, str | None]:
    """Same district 1.0, same city 0.7, same province 0.5, 成渝 0.4, elsewhere 0.2; with the relation."""
    if not demand.region or not candidate.region:
        return 0.0, None
    if demand.region == candidate.region:
        return 1.0, "district"
    if demand.region[:4] == candidate.region[:4]:
        return 0.7, "city"
    if demand.region[:2] == candidate.region[:2]:
        return 0.5, "province"
    if {demand.region[:2], candidate.region[:2]} <= {"50", "51"}:
        return 0.4, "chengyu"
    return 0.2, "far"


def outcome_score(outcomes: Outcomes) -> float:
    """The provider's record in [0, 1], 0.5 with none: wins and completed bookings count up; matches lost or
    dismissed as not relevant count down fully, those that ended on terms (price, too early, IP) half."""
    good = outcomes.won * 2 + outcomes.completed_bookings * 0.5
    closed = outcomes.lost + outcomes.dismissed
    bad = outcomes.wrong_match + (closed - outcomes.wrong_match) * 0.5
    if good + bad == 0:
        return 0.5
    return (good + 1) / (good + bad + 2)


# Without a deadline, availability is read over the coming month.
AVAILABILITY_DAYS = 30
# Free hours before the deadline that count as fully available: a working day to run the samples.
FREE_HOURS_ENOUGH = 8.0


def availability_fit(candidate: CandidateFacts) -> float | None:
    """An instrument's availability before the demand's deadline in [0, 1]; None for other supply or unknown.

    Retired never; in maintenance 0.3 (it may be back); available, by the free hours of its booking calendar
    before the deadline (a working day or more is 1.0, none is 0.0), or 0.5 when the calendar was not read.
    """
    if candidate.type != "instrument" or not candidate.availability:
        return None
    if candidate.availability != "available":
        return {"maintenance": 0.3, "retired": 0.0}.get(candidate.availability, 0.5)
    if candidate.free_hours is None:
        return 0.5
    return min(1.0, candidate.free_hours / FREE_HOURS_ENOUGH)


def compute(
    demand: DemandFacts, candidate: CandidateFacts, max_relevance: float, *, today: date | None = None
) -> Features:
    """Every feature of one demand↔listing pair, with the facts behind it."""
    text = candidate.relevance / max_relevance if max_relevance > 0 else 0.0
    common_fields = [f for f in demand.fields if f in candidate.fields]
    field_overlap = len(common_fields) / len(demand.fields) if demand.fields else 0.0
    kind = KIND_AFFINITY.get(demand.kind, {}).get(candidate.type, 0.0)
    budget, budget_facts = budget_fit(demand, candidate)
    maturity = MATURITY_RANK.get(candidate.maturity or "", 0) / 4 if candidate.maturity else None
    region, region_relation = region_fit(demand, candidate)
    available = availability_fit(candidate)
    values: dict[str, float | None] = {
        "text": round(text, 6),
        "field": field_overlap,
        "kind": kind,
        "budget": budget,
        "maturity": maturity,
        "region": region,
        "availability": available,
        "outcomes": outcome_score(candidate.outcomes),
    }
    shared = shared_words(demand, candidate)
    facts: dict[str, Any] = {
        "words": shared,
        "measured": measured_words(demand, candidate, shared),
        "fields": common_fields,
        "type": candidate.type,
        "kind": demand.kind,
        "budget": budget_facts,
        "maturity": candidate.maturity,
        "region": region_relation,
        "availability": candidate.availability,
        "free_hours": candidate.free_hours,
        "deadline": demand.deadline.isoformat() if demand.deadline else None,
        "outcomes": candidate.outcomes,
    }
    return Features(values=values, facts=facts)
