"""Matching use-cases: compute, store and list a demand's ranked, explained matches."""

import asyncio
import json
from dataclasses import asdict, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from matching import learning
from matching.candidates import demand_facts, retrieve
from matching.features import AVAILABILITY_DAYS, CandidateFacts, DemandFacts, Features, outcomes_from_counts
from matching.scoring import Scorer, rank
from services.accounts.policies import Actor
from services.bookings import service as bookings_service
from services.bookings.calendar import BEIJING
from services.core import clock
from services.demand import service as demand_service
from services.demand.schemas import MatchList

MATCH_LIMIT = 50
_MODEL_CACHE: dict[str, Any] = {}


async def refresh_matches(*, demand_id: int) -> int:
    """Recompute and store the matches of a published demand; returns how many were stored."""
    demand = await demand_service.demand_for_matching(demand_id=demand_id)
    if demand is None or demand.status != "published":
        return 0
    facts = demand_facts(demand_service.demand_read(demand, full=True).model_dump())
    candidates = await with_provider_facts(facts, await retrieve(facts))
    ranked = rank(facts, candidates, MATCH_LIMIT, scorer=await _scorer())
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


async def with_provider_facts(demand: DemandFacts, candidates: list[CandidateFacts]) -> list[CandidateFacts]:
    """Candidates with what the database knows of them: how their earlier matches ended, and for instruments
    the completed bookings and the free hours of the booking calendar before the demand's deadline."""
    instruments = [c.id for c in candidates if c.type == "instrument" and c.availability == "available"]
    records, completed, free = await asyncio.gather(
        demand_service.track_records(listing_ids=[c.id for c in candidates]),
        bookings_service.completed_bookings(instrument_ids=instruments),
        bookings_service.free_hours(instrument_ids=instruments, until=availability_until(demand.deadline)),
    )
    return [
        replace(
            c,
            outcomes=outcomes_from_counts(records.get(c.id, {}), completed.get(c.id, 0)),
            free_hours=free.get(c.id),
        )
        for c in candidates
    ]


def availability_until(deadline: date | None) -> datetime:
    """The end of the window an instrument must be free in: the deadline's last minute (Beijing), or a month."""
    if deadline is None:
        return clock.now() + timedelta(days=AVAILABILITY_DAYS)
    return datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=BEIJING)


async def matches_for(*, actor: Actor, demand_id: int, listing_type: str | None, limit: int) -> MatchList:
    """A demand's matches, best first; computed on first request if the worker has not yet."""
    demand = await demand_service.check_match_access(actor=actor, demand_id=demand_id)
    if demand.matched_at is None and demand.status == "published":
        await refresh_matches(demand_id=demand_id)
    return await demand_service.list_matches(
        actor=actor, demand_id=demand_id, listing_type=listing_type, limit=limit
    )


async def _scorer() -> Scorer | None:
    """The adopted ranking model, if one beat the hand-set weights; None means the weights (cold start)."""
    adopted = await demand_service.adopted_ranking_model()
    if adopted is None:
        return None
    model_id, payload = adopted
    if _MODEL_CACHE.get("id") != model_id:
        _MODEL_CACHE.update(id=model_id, scorer=learning.model_scorer(payload))
    return _MODEL_CACHE["scorer"]  # type: ignore[no-any-return]


async def train_matcher(*, limit: int = 500_000) -> dict[str, Any]:
    """Train a ranking model on brokers' outcomes; adopt it only if it beats the ranking in use."""
    rows = await demand_service.ranking_outcomes(limit=limit)
    outcomes = [
        learning.Outcome(
            demand_id=row["demand_id"],
            features=row["features"],
            status=row["status"],
            close_reason=row["close_reason"],
            changed_at=row["changed_at"],
        )
        for row in rows
    ]
    current = await _scorer()

    def in_use(values: list[dict[str, float | None]]) -> list[float]:
        if current is None:
            return learning.hand_scores(values)
        return current([Features(values=v, facts={}) for v in values])

    result = learning.train(outcomes, current=in_use)
    model_id = await demand_service.record_ranking_model(
        algorithm="lightgbm-lambdarank", metrics=result.metrics, payload=result.payload, adopt=result.adopt
    )
    return {"model_id": model_id, "adopted": result.adopt, **result.metrics}
