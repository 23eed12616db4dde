"""`techmarket train-matcher` end to end on a private stack: brokers' outcomes in the database → a model recorded
in demand_ranking_model with its hold-out figures → adopted only when it ranks the held-out demands better than
the ranking in use, and then the one the matcher scores with; a model that is no better leaves the ranking in
use (the hand-set weights, or the adopted model) untouched."""

import json
import math
import random
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from matching.learning import matrix
from matching.scoring import FEATURES, weighted_score
from tests.factories import create_listing, create_org, create_user, publish_listing
from tests.integration.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Api,
    Processes,
    _run_cli,
    drop_private_stack,
    private_env,
    private_stack,
)
from tests.integration.test_workbench import CHALLENGE

pytestmark = pytest.mark.integration

DEMANDS = 40  # 32 train, 8 held out (the newest)
PER_DEMAND = 6
# Best first: the statuses a broker's six matches of one demand ended in (grades 5, 4, 3, 2, 1, 0).
LADDER = [
    ("won", None),
    ("negotiating", None),
    ("contacted", None),
    ("shortlisted", None),
    ("suggested", None),
]
LADDER.append(("dismissed", "not_relevant"))


@pytest.fixture(scope="module")
def own_stack() -> Iterator[Processes]:
    """A database of its own: the suite's other matches must not enter the training set."""
    processes = private_stack(private_env("train"), "-train", worker=True)
    try:
        yield processes
    finally:
        drop_private_stack(processes)


def _features(rng: random.Random) -> dict[str, float]:
    return {name: round(rng.random(), 4) for name in FEATURES}


async def _outcome_rows(
    db: asyncpg.Connection, demand_id: int, listing_ids: list[int]
) -> list[dict[str, Any]]:
    """Forty worked demands, one a day, each with six matches whose features are known (the real demand is the
    template; the copies are archived, so nothing else matches them)."""
    columns = await db.fetchval(
        "SELECT string_agg(quote_ident(column_name), ', ') FROM information_schema.columns "
        "WHERE table_name = 'demand_demand' AND column_name NOT IN ('id', 'status', 'title')"
    )
    ids = [
        r["id"]
        for r in await db.fetch(
            f"INSERT INTO demand_demand (status, title, {columns}) "
            f"SELECT 'archived', title || ' #' || n, {columns} FROM demand_demand, generate_series(1, $2) n "
            "WHERE id = $1 ORDER BY n RETURNING id",
            demand_id,
            DEMANDS,
        )
    ]
    rng = random.Random(11)
    rows = []
    for day, copy_id in enumerate(sorted(ids)):
        for listing_id in listing_ids:
            features = _features(rng)
            match_id = await db.fetchval(
                "INSERT INTO demand_match (demand_id, listing_id, listing_type, title, score, reasons, status, "
                "note, features, origin, created_at, updated_at, status_changed_at) VALUES ($1, $2, "
                "'achievement', 'copy', 0, '[]'::jsonb, 'suggested', '', $3::jsonb, 'matcher', now(), now(), "
                "now() - make_interval(days => $4)) RETURNING id",
                copy_id,
                listing_id,
                json.dumps(features),
                100 - day,
            )
            rows.append({"id": match_id, "demand_id": copy_id, "features": features})
    return rows


async def _label(db: asyncpg.Connection, rows: list[dict[str, Any]], key: Any) -> None:
    """Each demand's matches end on the ladder in the order of `key` (best first)."""
    by_demand: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_demand.setdefault(row["demand_id"], []).append(row)
    for group in by_demand.values():
        for (status, reason), row in zip(LADDER, sorted(group, key=key), strict=True):
            await db.execute(
                "UPDATE demand_match SET status = $2, close_reason = $3 WHERE id = $1",
                row["id"],
                status,
                reason,
            )


async def _models(db: asyncpg.Connection) -> list[asyncpg.Record]:
    return list(await db.fetch("SELECT id, adopted, metrics, payload FROM demand_ranking_model ORDER BY id"))


async def _rescored(
    api: Api, admin: str, db: asyncpg.Connection, demand_id: int
) -> tuple[float, dict[str, Any]]:
    """Have the worker recompute the real demand's matches; its match's stored score and features."""
    await db.execute("UPDATE demand_demand SET matched_at = NULL WHERE id = $1", demand_id)
    await api.wait_indexed(admin)
    row = await db.fetchrow("SELECT score, features FROM demand_match WHERE demand_id = $1", demand_id)
    return float(row["score"]), json.loads(row["features"])


def _model_score(payload: str, features: dict[str, Any]) -> float:
    import lightgbm

    raw = float(lightgbm.Booster(model_str=payload).predict(matrix([features]))[0])
    return round(1.0 / (1.0 + math.exp(-raw)), 4)


async def test_train_matcher_adopts_only_a_better_model_and_the_matcher_then_scores_with_it(
    own_stack: Processes,
) -> None:
    env = own_stack.env
    db = await asyncpg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://"))
    try:
        await _train_and_check(own_stack, db)
    finally:
        await db.close()


async def _train_and_check(own_stack: Processes, db: asyncpg.Connection) -> None:
    env = own_stack.env
    async with httpx.AsyncClient(base_url=own_stack.base, timeout=60) as client:
        api = Api(client)
        admin = await api.token(ADMIN_EMAIL, ADMIN_PASSWORD)
        # given a real published demand matched (by the worker) to a real published achievement
        uni = await create_org(api, admin)
        _, provider = await create_user(api, admin, org_id=uni["id"], role="provider")
        listing = await create_listing(api, provider, "achievement")
        await publish_listing(api, provider, admin, "achievement", listing["id"])
        ent = await create_org(api, admin, kind="enterprise", region="500107")
        _, buyer = await create_user(api, admin, org_id=ent["id"], role="enterprise")
        demand = await api.json("POST", "/api/v1/demands", token=buyer, expect=201, json=CHALLENGE)
        await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=buyer)
        await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin)
        score, features = await _rescored(api, admin, db, demand["id"])
        assert score == round(weighted_score(features), 4)  # cold start: the hand-set weights
        # and brokers' outcomes on forty older demands, six matches each
        listings = [listing["id"]] + [
            (await create_listing(api, provider, "achievement"))["id"] for _ in range(PER_DEMAND - 1)
        ]
        rows = await _outcome_rows(db, demand["id"], listings)

        # when brokers' outcomes agree with the hand-set weights exactly, and the matcher is trained
        await _label(db, rows, key=lambda r: -weighted_score(r["features"]))
        _run_cli("train-matcher", env=env)

        # then the model is recorded with its hold-out figures but not adopted: it cannot beat a perfect ranking
        models = await _models(db)
        assert len(models) == 1
        first = json.loads(models[0]["metrics"])
        assert models[0]["adopted"] is False
        assert first["current_ndcg_at_10"] == 1.0
        assert first["ndcg_at_10"] <= first["current_ndcg_at_10"]
        assert (first["train_demands"], first["holdout_demands"]) == (32, 8)
        assert (first["train_outcomes"], first["holdout_outcomes"]) == (32 * PER_DEMAND, 8 * PER_DEMAND)
        # and the matcher still scores with the weights
        score, features = await _rescored(api, admin, db, demand["id"])
        assert score == round(weighted_score(features), 4)

        # when brokers' outcomes say the opposite of the weights' main feature (less text match won), retrained
        await _label(db, rows, key=lambda r: r["features"]["text"])
        _run_cli("train-matcher", env=env)

        # then the new model beat the weights on the held-out demands and is the one adopted
        models = await _models(db)
        second = json.loads(models[1]["metrics"])
        assert [m["adopted"] for m in models] == [False, True]
        assert second["ndcg_at_10"] > second["current_ndcg_at_10"]
        # and the matcher now scores with it: the stored score is the adopted model's, not the weights'
        score, features = await _rescored(api, admin, db, demand["id"])
        assert score == _model_score(models[1]["payload"], features)
        assert score != round(weighted_score(features), 4)

        # when it is trained again on the same outcomes, the new model is no better than the one in use
        _run_cli("train-matcher", env=env)

        # then it is recorded, not adopted, and the adopted model stays the one the matcher uses
        models = await _models(db)
        third = json.loads(models[2]["metrics"])
        assert [m["adopted"] for m in models] == [False, True, False]
        assert third["ndcg_at_10"] == third["current_ndcg_at_10"]
        again, features = await _rescored(api, admin, db, demand["id"])
        assert again == _model_score(models[1]["payload"], features) == score
