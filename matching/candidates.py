"""Candidate retrieval for a demand, through the search engine, and the facts of each candidate."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from matching.features import SUPPLY_TYPES, CandidateFacts, DemandFacts
from matching.vocabulary import expansion
from search import service as search_service
from search.analysis import segment
from search.measures import measure_words

PER_TYPE = 40
# The parts of a demand that say what is needed, in the order a broker reads them.
TEXT_PARTS = ("title", "keywords", "problem", "requirements", "description", "tried")


def demand_text(demand: Mapping[str, Any]) -> str:
    """A demand's words for retrieval: title, keywords, problem, requirements, description, what was tried."""
    parts = []
    for key in TEXT_PARTS:
        value = demand.get(key)
        if isinstance(value, list):
            value = " ".join(str(v) for v in value)
        if value:
            parts.append(str(value))
    return " ".join(parts)


def demand_facts(demand: Mapping[str, Any]) -> DemandFacts:
    """What the scorer needs of a demand, from its public fields (`DemandRead` dump or create body)."""
    text = demand_text(demand)
    budget = demand.get("budget") or {}
    deadline = demand.get("deadline")
    if isinstance(deadline, str):
        deadline = date.fromisoformat(deadline)
    return DemandFacts(
        id=int(demand.get("id") or 0),
        title=str(demand.get("title") or ""),
        kind=str(demand.get("kind") or ""),
        fields=tuple(demand.get("fields") or []),
        words=frozenset(segment(text).split()),
        budget_min_fen=budget.get("min_fen"),
        budget_max_fen=budget.get("max_fen"),
        region=demand.get("region"),
        deadline=deadline,
        text=text,
        expansion=expansion(text),
    )


def _price(display: Mapping[str, Any]) -> tuple[int | None, int | None, str]:
    """A listing's price and the unit it is quoted in: experts by the hour, instruments by their cheapest fee."""
    listing_type = display.get("type")
    if listing_type == "expert":
        rate = display.get("rate_fen_per_hour")
        return rate, rate, "hour"
    if listing_type == "instrument":
        fees = [f for f in display.get("fees") or [] if isinstance(f.get("price_fen"), int)]
        if not fees:
            return None, None, "hour"
        cheapest = min(fees, key=lambda f: f["price_fen"])
        return cheapest["price_fen"], cheapest["price_fen"], str(cheapest.get("unit") or "hour")
    return display.get("price_min_fen"), display.get("price_max_fen"), "project"


def candidate_facts(display: Mapping[str, Any], words: set[str], relevance: float) -> CandidateFacts:
    """The facts of one candidate, from the search hit (no database round trip)."""
    price_min, price_max, unit = _price(display)
    return CandidateFacts(
        id=int(display["id"]),
        type=str(display["type"]),
        title=str(display.get("title") or ""),
        fields=tuple(display.get("fields") or []),
        words=frozenset(words),
        price_min_fen=price_min,
        price_max_fen=price_max,
        region=display.get("region"),
        maturity=display.get("maturity"),
        relevance=relevance,
        price_unit=unit,
        availability=display.get("availability"),
        measures=measure_words(display),
    )


async def retrieve(
    demand: DemandFacts,
    types: list[str] | None = None,
    per_type: int = PER_TYPE,
    *,
    prefix: str | None = None,
) -> list[CandidateFacts]:
    """Published supply sharing words with the demand, the best of each supply type."""
    hits = await search_service.match_candidates(
        demand.text,
        list(demand.fields),
        types or list(SUPPLY_TYPES),
        per_type,
        prefix=prefix,
        extra=demand.expansion,
    )
    return [candidate_facts(hit["display"], hit["words"], hit["score"]) for hit in hits]
