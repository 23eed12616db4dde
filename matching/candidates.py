"""Candidate retrieval for a demand, through the search engine."""

from matching.features import CandidateFacts, DemandFacts
from search import service as search_service
from search.analysis import segment
from services.demand.models import Demand


def demand_facts(demand: Demand) -> DemandFacts:
    """What the scorer needs of a demand."""
    text = f"{demand.title} {' '.join(demand.keywords or [])} {demand.description}"
    return DemandFacts(
        id=demand.id,
        title=demand.title,
        kind=demand.kind,
        fields=tuple(demand.tech_fields or []),
        words=frozenset(segment(text).split()),
        budget_min_fen=demand.budget_min_fen,
        budget_max_fen=demand.budget_max_fen,
        region=demand.region,
    )


async def retrieve(demand: Demand, types: list[str] | None, size: int = 100) -> list[CandidateFacts]:
    """Published supply sharing words with the demand."""
    text = f"{demand.title} {' '.join(demand.keywords or [])} {demand.description}"
    hits = await search_service.candidates(text, list(demand.tech_fields or []), types, size)
    found = []
    for hit in hits:
        display = hit["display"]
        found.append(
            CandidateFacts(
                id=int(display["id"]),
                type=str(display["type"]),
                title=str(display.get("title") or ""),
                fields=tuple(display.get("fields") or []),
                words=frozenset(hit["words"]),
                price_min_fen=display.get("price_min_fen"),
                price_max_fen=display.get("price_max_fen"),
                region=display.get("region"),
                maturity=display.get("maturity"),
                relevance=hit["score"],
            )
        )
    return found
