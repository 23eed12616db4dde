"""Matching use-cases: compute, store and list a demand's ranked, explained matches."""

import json
from dataclasses import asdict, replace

from matching.candidates import demand_facts, retrieve
from matching.features import Outcomes
from matching.scoring import rank
from services.accounts.policies import Actor
from services.demand import service as demand_service
from services.demand.schemas import MatchList

MATCH_LIMIT = 50


async def refresh_matches(*, demand_id: int) -> int:
    """Recompute and store the matches of a published demand; returns how many were stored."""
    demand = await demand_service.demand_for_matching(demand_id=demand_id)
    if demand is None or demand.status != "published":
        return 0
    facts = demand_facts(demand_service.demand_read(demand, full=True).model_dump())
    candidates = await retrieve(facts)
    records = await demand_service.track_records(listing_ids=[c.id for c in candidates])
    candidates = [replace(c, outcomes=Outcomes(won=records.get(c.id, 0))) for c in candidates]
    ranked = rank(facts, candidates, MATCH_LIMIT)
    rows = [
        {
            "listing_id": m.candidate.id,
            "listing_type": m.candidate.type,
            "title": m.candidate.title[:200],
            "score": m.score,
            "reasons": json.dumps([asdict(r) for r in m.reasons], ensure_ascii=False),
            "features": json.dumps(m.features.values),
        }
        for m in ranked
    ]
    await demand_service.save_matches(demand_id=demand_id, rows=rows)
    return len(rows)


async def matches_for(*, actor: Actor, demand_id: int, listing_type: str | None, limit: int) -> MatchList:
    """A demand's matches, best first; computed on first request if the worker has not yet."""
    demand = await demand_service.check_match_access(actor=actor, demand_id=demand_id)
    if demand.matched_at is None and demand.status == "published":
        await refresh_matches(demand_id=demand_id)
    return await demand_service.list_matches(
        actor=actor, demand_id=demand_id, listing_type=listing_type, limit=limit
    )
