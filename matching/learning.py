"""Learning to rank from brokers' outcomes (pure: rows in, a model and its hold-out metrics out).

Each worked match is a labelled example of its demand's ranking: won > negotiating > contacted > shortlisted >
suggested, and lost or dismissed matches count by their reason — a deal lost on price was still the right
supply (it got to a conversation), one dismissed as not relevant was not. A LightGBM lambdarank model is
trained on the older demands and judged on the newest ones (a time split, as it would be used), against the
ranking in use. It replaces that ranking only if it ranks the held-out demands better.
"""

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import lightgbm
import numpy as np

from matching.features import Features
from matching.scoring import FEATURES, Scorer, weighted_score

COMMERCIAL_REASONS = frozenset({"too_early", "benefit_unclear", "price", "ip_unclear"})
STAGE_GRADES = {"suggested": 1, "shortlisted": 2, "contacted": 3, "negotiating": 4, "won": 5}
HOLDOUT_SHARE = 0.2
NDCG_K = 10
PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "ndcg_eval_at": [NDCG_K],
    "learning_rate": 0.08,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_pre_filter": False,
    "verbosity": -1,
    "num_threads": 1,
    "seed": 7,
}
ROUNDS = 150


@dataclass(frozen=True, slots=True)
class Outcome:
    """One worked (or untouched) match: its demand, feature values, where it ended and when."""

    demand_id: int
    features: dict[str, float | None]
    status: str
    close_reason: str | None
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class TrainingResult:
    payload: str
    metrics: dict[str, Any]
    adopt: bool


def grade(status: str, close_reason: str | None) -> int:
    """The relevance label of an outcome (0 = wrong supply … 5 = won)."""
    if status in STAGE_GRADES:
        return STAGE_GRADES[status]
    commercial = close_reason in COMMERCIAL_REASONS
    if status == "lost":
        return 3 if commercial else 0
    return 2 if commercial else 0  # dismissed


def matrix(rows: Sequence[dict[str, float | None]]) -> np.ndarray:
    """Feature rows as a float matrix in FEATURES order, unknown values as NaN (LightGBM's missing value)."""
    return np.array(
        [
            [math.nan if row.get(name) is None else float(row[name] or 0.0) for name in FEATURES]
            for row in rows
        ],
        dtype=np.float64,
    )


def ndcg(labels: Sequence[int], scores: Sequence[float], k: int = NDCG_K) -> float:
    """nDCG@k of one demand's matches ranked by `scores`; ties keep the given order."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    gains = [2 ** labels[i] - 1 for i in order[:k]]
    ideal = sorted((2**label - 1 for label in labels), reverse=True)[:k]
    dcg = sum(g / math.log2(r + 2) for r, g in enumerate(gains))
    best = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
    return dcg / best if best > 0 else 0.0


def _groups(outcomes: Sequence[Outcome]) -> list[list[Outcome]]:
    by_demand: dict[int, list[Outcome]] = {}
    for outcome in outcomes:
        by_demand.setdefault(outcome.demand_id, []).append(outcome)
    # A demand's place in time is its latest outcome: the model is judged on demands newer than it saw.
    return sorted(
        by_demand.values(), key=lambda group: (max(o.changed_at for o in group), group[0].demand_id)
    )


def _mean_ndcg(
    groups: Sequence[Sequence[Outcome]], score: Callable[[list[dict[str, float | None]]], list[float]]
) -> float:
    judged = [g for g in groups if any(grade(o.status, o.close_reason) for o in g)]
    if not judged:
        return 0.0
    return sum(
        ndcg([grade(o.status, o.close_reason) for o in g], score([o.features for o in g])) for g in judged
    ) / len(judged)


def hand_scores(rows: list[dict[str, float | None]]) -> list[float]:
    """The cold-start ranking: the hand-set weighted sum."""
    return [weighted_score(row) for row in rows]


def model_scorer(payload: str) -> Scorer:
    """A scorer from a saved model: raw lambdarank scores squashed into (0, 1) for display."""
    booster = lightgbm.Booster(model_str=payload)

    def score(features: Sequence[Features]) -> list[float]:
        if not features:
            return []
        raw = booster.predict(matrix([f.values for f in features]))
        return [1.0 / (1.0 + math.exp(-float(value))) for value in raw]

    return score


def train(
    outcomes: Sequence[Outcome],
    *,
    current: Callable[[list[dict[str, float | None]]], list[float]] = hand_scores,
    params: dict[str, Any] | None = None,
    rounds: int = ROUNDS,
) -> TrainingResult:
    """Train on the older demands, compare with `current` on the newest; adopt only a better model."""
    groups = [g for g in _groups(outcomes) if len(g) >= 2]
    cut = max(1, int(len(groups) * (1 - HOLDOUT_SHARE)))
    train_groups, holdout = groups[:cut], groups[cut:]
    if len(train_groups) < 5 or not holdout:
        raise ValueError(f"too few demands with outcomes to train and hold out ({len(groups)})")
    started = time.perf_counter()
    flat = [o for g in train_groups for o in g]
    dataset = lightgbm.Dataset(
        matrix([o.features for o in flat]),
        label=[grade(o.status, o.close_reason) for o in flat],
        group=[len(g) for g in train_groups],
        feature_name=list(FEATURES),
    )
    booster = lightgbm.train({**PARAMS, **(params or {})}, dataset, num_boost_round=rounds)
    seconds = time.perf_counter() - started

    def learned(rows: list[dict[str, float | None]]) -> list[float]:
        return [float(v) for v in booster.predict(matrix(rows))]

    new = _mean_ndcg(holdout, learned)
    baseline = _mean_ndcg(holdout, current)
    metrics = {
        "ndcg_at_10": round(new, 4),
        "current_ndcg_at_10": round(baseline, 4),
        "train_demands": len(train_groups),
        "holdout_demands": len(holdout),
        "train_outcomes": len(flat),
        "holdout_outcomes": sum(len(g) for g in holdout),
        "train_seconds": round(seconds, 2),
        "holdout_from": min(o.changed_at for g in holdout for o in g).isoformat(),
    }
    return TrainingResult(payload=booster.model_to_string(), metrics=metrics, adopt=new > baseline)
