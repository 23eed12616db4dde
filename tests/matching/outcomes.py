"""Synthetic broker outcomes for learning-to-rank tests and the training benchmark (deterministic)."""

import random
from datetime import UTC, datetime, timedelta

from matching.learning import Outcome

STAGES = ("suggested", "shortlisted", "contacted", "negotiating", "won")


def synthetic_outcomes(
    demands: int, per_demand: int = 12, *, seed: int = 11, record_matters: bool = True
) -> list[Outcome]:
    """Outcomes whose stage follows text and kind fit — and, with `record_matters`, the provider's record,
    which the hand-set weights barely use (what a learned model should pick up)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    found = []
    for demand in range(demands):
        at = start + timedelta(hours=demand)
        for _ in range(per_demand):
            values: dict[str, float | None] = {
                "text": rng.random(),
                "field": rng.choice((0.0, 0.5, 1.0)),
                "kind": rng.choice((0.1, 0.4, 1.0)),
                "budget": rng.choice((None, 0.5, 0.8, 1.0)),
                "maturity": rng.choice((None, 0.25, 0.5, 0.75, 1.0)),
                "region": rng.choice((0.0, 0.4, 0.7, 1.0)),
                "availability": None,
                "outcomes": rng.random(),
            }
            merit = 0.5 * (values["text"] or 0) + 0.3 * (values["kind"] or 0) + 0.1 * (values["field"] or 0)
            if record_matters:
                merit = 0.4 * merit + 0.6 * (values["outcomes"] or 0)
            merit += rng.gauss(0, 0.05)
            if merit < 0.35:
                status, reason = rng.choice((("suggested", None), ("dismissed", "not_relevant")))
            elif merit < 0.5:
                status, reason = rng.choice((("shortlisted", None), ("dismissed", "price")))
            elif merit < 0.6:
                status, reason = rng.choice((("contacted", None), ("lost", "price")))
            elif merit < 0.7:
                status, reason = "negotiating", None
            else:
                status, reason = "won", None
            found.append(Outcome(demand, values, status, reason, at))
    return found
