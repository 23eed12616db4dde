"""Score and explain demand↔supply matches (pure, deterministic).

The hand-set weights below are the cold-start ranking; a trained model (matching.learning) replaces the
weighted sum only when it beat it on held-out outcomes. Reasons are always written from `Features.facts`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from matching.features import (
    AVAILABILITY_DAYS,
    UNIT_LABELS,
    CandidateFacts,
    DemandFacts,
    Features,
    Outcomes,
    compute,
)
from services.reference.fields import field_label
from services.reference.regions import region_name
from services.reference.vocabulary import CLOSE_REASON_LABELS, DEMAND_KIND_LABELS

FEATURES = ("text", "field", "kind", "budget", "maturity", "region", "availability", "outcomes")
WEIGHTS: dict[str, float] = {
    "text": 0.50,
    "field": 0.10,
    "kind": 0.25,
    "budget": 0.05,
    "maturity": 0.03,
    "region": 0.03,
    "availability": 0.02,
    "outcomes": 0.02,
}
# A feature nobody knows (no price, no budget) neither helps nor hurts.
NEUTRAL = 0.5
TYPE_LABELS = {"achievement": "科技成果", "instrument": "科研仪器", "expert": "专家", "agency": "服务机构"}
MATURITY_LABELS = {
    "lab": "实验室阶段",
    "pilot": "小试/中试阶段",
    "trial": "小批量试生产阶段",
    "industrial": "产业化阶段",
}
# Reason names of the public API (the shared API contract) for the features that were renamed inside the matcher.
REASON_NAMES = {"text": "keywords", "outcomes": "track_record"}
REGION_RELATIONS = {
    "district": "同在{name}",
    "city": "同在{city}",
    "province": "同省",
    "chengyu": "同属成渝地区",
}


@dataclass(frozen=True, slots=True)
class Reason:
    feature: str
    weight: float
    detail: str


@dataclass(frozen=True, slots=True)
class ScoredMatch:
    candidate: CandidateFacts
    score: float
    reasons: tuple[Reason, ...]
    features: Features


def money(fen: int) -> str:
    """Fen as people say it: 150万元, 2,700元."""
    if fen >= 1_000_000:
        return f"{fen / 1_000_000:.2f}".rstrip("0").rstrip(".") + "万元"
    return f"{fen // 100:,}元" if fen % 100 == 0 else f"{fen / 100:,.2f}元"


def _budget_range(facts: dict[str, object]) -> str:
    low, high = facts.get("budget_min_fen"), facts.get("budget_max_fen")
    if isinstance(low, int) and isinstance(high, int) and low > 0:
        return f"{money(low)}–{money(high)}"
    if isinstance(high, int):
        return f"不超过{money(high)}"
    return f"不低于{money(low)}" if isinstance(low, int) else ""


def budget_detail(facts: dict[str, object]) -> str | None:
    """The budget reason, in the listing's own price unit."""
    relation = facts.get("relation")
    price_min, price_max = facts.get("price_min_fen"), facts.get("price_max_fen")
    if not isinstance(price_min, int) or not isinstance(price_max, int):
        return None
    price = money(price_min) if price_min == price_max else f"{money(price_min)}–{money(price_max)}"
    if relation == "units":
        unit = UNIT_LABELS.get(str(facts.get("unit")), "次")
        budget_max = facts.get("budget_max_fen")
        if not isinstance(budget_max, int):
            return None
        return f"按{unit}收费 {money(price_min)}/{unit}起，预算上限{money(budget_max)}约可支付 {facts.get('units')} {unit}"
    if relation == "within":
        return f"报价 {price} 与预算（{_budget_range(facts)}）相符"
    if relation == "over":
        budget_max = facts.get("budget_max_fen")
        if not isinstance(budget_max, int):
            return None
        return f"报价 {money(price_min)}起，超出预算上限{money(budget_max)}约 {facts.get('over_percent')}%"
    if relation == "under":
        budget_min = facts.get("budget_min_fen")
        if not isinstance(budget_min, int):
            return None
        return f"报价最高 {money(price_max)}，低于预算下限{money(budget_min)}"
    return None


def availability_detail(facts: dict[str, Any]) -> str | None:
    """The availability reason: the instrument's free hours before the deadline, from its booking calendar."""
    status = facts.get("availability")
    if status == "maintenance":
        return "仪器维护中，可能在截止前恢复"
    if status != "available":
        return None
    deadline = facts.get("deadline")
    window = f"需求截止 {deadline} 前" if deadline else f"未来 {AVAILABILITY_DAYS} 天内"
    free = facts.get("free_hours")
    if free is None:
        return f"仪器当前可预约{f'，需求截止 {deadline}' if deadline else ''}"
    if free <= 0:
        return f"{window}预约日历已满，无空闲时段"
    return f"{window}预约日历尚有约 {free:g} 小时空闲"


def record_detail(outcomes: Outcomes) -> str | None:
    """The provider's record: wins and completed bookings, and matches lost or dismissed by reason."""
    record = []
    if outcomes.won:
        record.append(f"已促成 {outcomes.won} 项成交")
    if outcomes.completed_bookings:
        record.append(f"完成预约 {outcomes.completed_bookings} 次")
    closed = outcomes.lost + outcomes.dismissed
    if closed:
        by_reason = "、".join(f"{CLOSE_REASON_LABELS.get(r, r)} {n}" for r, n in outcomes.reasons)
        record.append(f"{closed} 次匹配未成交（{by_reason}）")
    return "，".join(record) or None


def explain(features: Features, weights: dict[str, float], region_code: str | None) -> list[Reason]:
    """The reasons of a match, each generated from the facts its feature was computed from."""
    values, facts = features.values, features.facts
    reasons: list[Reason] = []

    def add(feature: str, detail: str) -> None:
        value = values.get(feature)
        weight = round(weights.get(feature, 0.0) * (value or 0.0), 4)
        reasons.append(Reason(REASON_NAMES.get(feature, feature), weight, detail))

    words: list[str] = facts["words"]
    measured: list[str] = facts.get("measured") or []
    said = [f"共同关键词：{'、'.join(words[:5])}"] if words else []
    if measured:
        # The table behind the words (search.measures): what an instrument kind measures, what a topic or an
        # offering is asked for.
        label = "该类仪器可测" if facts.get("type") == "instrument" else "该方向常用于"
        said.append(f"{label}：{'、'.join(measured[:5])}")
    if said:
        add("text", "；".join(said))
    elif (values["text"] or 0.0) >= 0.5:
        add("text", "需求描述与该资源的标题和简介高度相关")
    if facts["fields"]:
        add("field", f"同属技术领域：{'、'.join(field_label(code) for code in facts['fields'])}")
    if (values["kind"] or 0.0) >= 0.7:
        kind_label = DEMAND_KIND_LABELS.get(facts["kind"], facts["kind"])
        add("kind", f"{TYPE_LABELS.get(facts['type'], facts['type'])}适合“{kind_label}”类需求")
    detail = budget_detail(facts["budget"]) if facts["budget"] else None
    if detail:
        add("budget", detail)
    if facts["maturity"] in ("trial", "industrial"):
        add("maturity", f"成熟度：{MATURITY_LABELS[facts['maturity']]}")
    relation = facts["region"]
    if relation in REGION_RELATIONS and region_code:
        name = region_name(region_code) or ""
        city = region_name(f"{region_code[:4]}00") or region_name(f"{region_code[:2]}0000") or ""
        add("region", REGION_RELATIONS[relation].format(name=name, city=city))
    detail = availability_detail(facts)
    if detail:
        add("availability", detail)
    detail = record_detail(facts["outcomes"])
    if detail:
        add("outcomes", detail)
    reasons.sort(key=lambda r: (-r.weight, r.feature))
    return reasons


def weighted_score(values: dict[str, float | None], weights: dict[str, float] = WEIGHTS) -> float:
    """The hand-set ranking: a weighted sum, unknown features counted as neutral."""
    return sum(
        weight * (NEUTRAL if values.get(name) is None else values[name] or 0.0)
        for name, weight in weights.items()
    )


Scorer = Callable[[Sequence[Features]], list[float]]


def rank(
    demand: DemandFacts,
    candidates: list[CandidateFacts],
    limit: int,
    *,
    scorer: Scorer | None = None,
) -> list[ScoredMatch]:
    """Score every candidate and return the best, ties broken by id for determinism.

    Text relevance is normalised per demand over the candidates of all types (the demand's best scores 1), not
    per type: a type whose best candidate is weak must not be lifted to the top (dev recall@10 0.83 → 0.97).
    """
    best = max((c.relevance for c in candidates), default=0.0)
    features = [compute(demand, c, best) for c in candidates]
    scores = scorer(features) if scorer is not None else [weighted_score(f.values) for f in features]
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], candidates[i].id))[:limit]
    # Reasons are written for the matches that are kept only.
    return [
        ScoredMatch(
            candidate=candidates[i],
            score=round(scores[i], 4),
            reasons=tuple(explain(features[i], WEIGHTS, candidates[i].region)),
            features=features[i],
        )
        for i in order
    ]
