"""Score and explain demand↔supply matches (pure, deterministic)."""

from dataclasses import dataclass

from matching.features import (
    KIND_AFFINITY,
    MATURITY_RANK,
    CandidateFacts,
    DemandFacts,
    budget_fit,
    region_fit,
    shared_words,
)
from services.reference.fields import tech_field

WEIGHTS = {
    "text": 0.40,
    "field": 0.20,
    "kind": 0.15,
    "budget": 0.10,
    "maturity": 0.05,
    "region": 0.05,
    "track_record": 0.05,
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


def _field_label(code: str) -> str:
    found = tech_field(code)
    return found.label if found else code


def score_candidate(demand: DemandFacts, candidate: CandidateFacts, max_relevance: float) -> ScoredMatch:
    """One candidate's score in [0, 1] with the reasons, strongest first."""
    reasons: list[Reason] = []
    text = candidate.relevance / max_relevance if max_relevance > 0 else 0.0
    words = shared_words(demand, candidate)
    if words:
        reasons.append(
            Reason("keywords", round(WEIGHTS["text"] * text, 4), f"共同关键词：{'、'.join(words[:6])}")
        )
    elif text > 0:
        reasons.append(Reason("keywords", round(WEIGHTS["text"] * text, 4), "标题与描述文本相关"))
    common_fields = [f for f in demand.fields if f in candidate.fields]
    field_score = 1.0 if common_fields else 0.0
    if common_fields:
        labels = "、".join(_field_label(f) for f in common_fields)
        reasons.append(Reason("field", WEIGHTS["field"], f"同属技术领域：{labels}"))
    kind = KIND_AFFINITY.get(demand.kind, {}).get(candidate.type, 0.0)
    if kind >= 0.5:
        reasons.append(Reason("kind", round(WEIGHTS["kind"] * kind, 4), "供给类型适合该需求"))
    budget = budget_fit(demand, candidate)
    if budget is not None:
        detail = (
            "报价在预算范围内" if budget >= 1.0 else ("报价低于预算下限" if budget == 0.8 else "报价高于预算")
        )
        reasons.append(Reason("budget", round(WEIGHTS["budget"] * budget, 4), detail))
    maturity = 0.0
    if candidate.maturity:
        maturity = MATURITY_RANK.get(candidate.maturity, 0) / 4
        if maturity >= 0.75:
            reasons.append(
                Reason("maturity", round(WEIGHTS["maturity"] * maturity, 4), "成熟度高，可较快产业化")
            )
    region = region_fit(demand, candidate)
    if region >= 0.5:
        reasons.append(Reason("region", round(WEIGHTS["region"] * region, 4), "地理位置相近，便于对接"))
    record = min(candidate.track_record, 5) / 5
    if record > 0:
        reasons.append(
            Reason(
                "track_record",
                round(WEIGHTS["track_record"] * record, 4),
                f"已有 {candidate.track_record} 项成交记录",
            )
        )
    score = (
        WEIGHTS["text"] * text
        + WEIGHTS["field"] * field_score
        + WEIGHTS["kind"] * kind
        + WEIGHTS["budget"] * (budget if budget is not None else 0.5)
        + WEIGHTS["maturity"] * maturity
        + WEIGHTS["region"] * region
        + WEIGHTS["track_record"] * record
    )
    reasons.sort(key=lambda r: (-r.weight, r.feature))
    return ScoredMatch(candidate=candidate, score=round(score, 4), reasons=tuple(reasons))


def rank(demand: DemandFacts, candidates: list[CandidateFacts], limit: int) -> list[ScoredMatch]:
    """Score every candidate and return the best, ties broken by id for determinism."""
    max_relevance = max((c.relevance for c in candidates), default=0.0)
    scored = [score_candidate(demand, c, max_relevance) for c in candidates]
    scored.sort(key=lambda m: (-m.score, m.candidate.id))
    return scored[:limit]
