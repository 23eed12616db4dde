"""Demo history of the broker's work: an approved broker profile, and the seeded demands' matches worked over
the past months (for the workbench and for train-matcher). Plain writes through the repositories: none of this
is a step a user takes, so none of it belongs in the services."""

import random
from datetime import timedelta

from services.brokers import repository as brokers_repository
from services.brokers.schemas import BrokerStatus
from services.core import clock
from services.core.db import transaction
from services.demand import repository as demand_repository


async def approved_broker_profile(
    *, user_id: int, org_id: int, fields: list[str], certificate_no: str
) -> int:
    """An approved broker profile for a seeded broker (so demands are assigned to them by field)."""
    async with transaction() as conn:
        profile = await brokers_repository.upsert_application(
            user_id,
            {
                "org_id": org_id,
                "certificate_no": certificate_no,
                "title": "技术经纪人",
                "tech_fields": fields,
                "status": BrokerStatus.APPROVED.value,
                "decided_at": clock.now(),
            },
            conn,
        )
    return int(profile.id)


async def worked_match_histories(*, broker_id: int, seed: int = 7, days: int = 180) -> int:
    """The published demands' matches worked by a broker over the past `days`; better-ranked matches get
    further, as they do. Returns how many matches moved."""
    rng = random.Random(seed)
    now = clock.now()
    moved = 0
    async with transaction() as conn:
        for demand_id in await demand_repository.published_demand_ids(conn):
            await demand_repository.set_demand_broker(demand_id, broker_id, conn)
            matches = await demand_repository.list_matches(demand_id, None, 12)
            for rank_no, match in enumerate(matches):
                status, reason = stage_of(rng, rank_no)
                if status == "suggested":
                    continue
                at = now - timedelta(days=rng.randrange(3, days), hours=rng.randrange(24))
                await demand_repository.write_match_outcome(match.id, broker_id, status, reason, at, conn)
                moved += 1
    return moved


def stage_of(rng: random.Random, rank_no: int) -> tuple[str, str | None]:
    """A plausible pipeline stage (and close reason) of the match ranked `rank_no` (0 = best)."""
    roll = rng.random() + rank_no * 0.06
    if roll < 0.08:
        return "won", None
    if roll < 0.18:
        return "negotiating", None
    if roll < 0.3:
        return rng.choice((("contacted", None), ("lost", rng.choice(("price", "too_early", "ip_unclear")))))
    if roll < 0.45:
        return "shortlisted", None
    if roll < 0.75:
        return "dismissed", rng.choice(("not_relevant", "not_relevant", "benefit_unclear", "price"))
    return "suggested", None
