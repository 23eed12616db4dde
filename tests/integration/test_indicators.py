"""The turnover indicator: every grouping sums exactly the registered contracts of its window."""

import os
from collections import defaultdict
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import pytest

from services.core.clock import CHINA_TZ
from tests.factories import create_contract, create_org, create_user, register_contract
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api, _run_cli

pytestmark = pytest.mark.integration

# A year no other test registers in: the window isolates this module's contracts exactly.
YEAR = 2019
WINDOW = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"}


@pytest.fixture(scope="module")
async def registered(stack, api_module):
    """Five registered contracts in 2019 (different months, types, fields, seller and buyer regions),
    one more registered in 2020, one signed but never registered, and one cancelled."""
    api, admin = api_module
    sellers = [
        await create_org(api, admin, verified=True, kind="university", region="500106"),
        await create_org(api, admin, verified=True, kind="institute", region="510100"),
    ]
    buyers = [
        await create_org(api, admin, verified=True, kind="enterprise", region="500107"),
        await create_org(api, admin, verified=True, kind="enterprise", region="500108"),
    ]
    seller_tokens = [(await create_user(api, admin, org_id=o["id"], role="provider"))[1] for o in sellers]
    buyer_tokens = [(await create_user(api, admin, org_id=o["id"], role="enterprise"))[1] for o in buyers]
    plan = [
        # (seller, buyer, type, field, total, tech, certified, registered at in Beijing time)
        (
            0,
            0,
            "development",
            "ai",
            10_000_000,
            9_000_000,
            None,
            datetime(YEAR, 1, 1, 0, 30, tzinfo=CHINA_TZ),
        ),
        (
            0,
            1,
            "transfer",
            "ic",
            20_000_000,
            20_000_000,
            15_000_000,
            datetime(YEAR, 1, 31, 23, 50, tzinfo=CHINA_TZ),
        ),
        (1, 0, "license", "ai", 30_000_000, 25_000_000, None, datetime(YEAR, 3, 15, 12, tzinfo=CHINA_TZ)),
        (
            1,
            1,
            "service",
            "materials",
            40_000_000,
            40_000_000,
            None,
            datetime(YEAR, 12, 31, 23, 59, tzinfo=CHINA_TZ),
        ),
        (0, 0, "consulting", "ic", 50_000_000, 10_000_000, None, datetime(YEAR, 7, 1, 8, tzinfo=CHINA_TZ)),
        (
            1,
            0,
            "license",
            "ai",
            99_000_000,
            99_000_000,
            None,
            datetime(YEAR + 1, 1, 1, 0, 1, tzinfo=CHINA_TZ),
        ),
    ]
    rows = []
    for seller, buyer, kind, field, total, tech, certified, at in plan:
        made = await create_contract(
            api,
            seller_tokens[seller],
            buyer_org_id=buyers[buyer]["id"],
            seller_org_id=sellers[seller]["id"],
            contract_type=kind,
            field=field,
            total_fen=total,
            tech_fen=tech,
            signed_at="2026-11-20",
            milestones=[{"name": "合同价款", "amount_fen": total}],
        )
        approve = {"certified_tech_fen": certified} if certified is not None else {}
        await register_contract(
            api, seller_tokens[seller], admin, made["id"], buyer=buyer_tokens[buyer], **approve
        )
        rows.append(
            (
                made["id"],
                sellers[seller]["region"],
                buyers[buyer]["region"],
                kind,
                field,
                total,
                tech,
                certified,
                at,
            )
        )
    # A contract that is signed but not registered does not count, whatever its dates.
    await create_contract(
        api, seller_tokens[0], buyer_org_id=buyers[0]["id"], seller_org_id=sellers[0]["id"], field="ai"
    )
    return rows


@pytest.fixture(scope="module")
async def api_module(stack):
    async with httpx.AsyncClient(base_url=stack.base, timeout=120) as client:
        api = Api(client)
        yield api, await api.token(ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture(scope="module")
async def dated(registered, stack, api_module):
    """Move the registrations to their planned instants (the registry's dates of a past year)."""
    api, admin = api_module
    await api.wait_indexed(admin)
    conn = await asyncpg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://"))
    try:
        for row in registered:
            await conn.execute(
                "UPDATE deals_contract SET registered_at = $2 WHERE id = $1",
                row[0],
                row[8],
            )
    finally:
        await conn.close()
    # Registration dates were changed behind the application's back: rebuild the roll-up from the contracts.
    _run_cli("indicators", "rebuild")
    return [r for r in registered if r[8].year == YEAR]


def _expected(rows: list[Any], key_of: Any) -> list[dict[str, Any]]:
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        total, tech, certified = r[5], r[6], r[7]
        entry = sums[key_of(r)]
        entry[0] += total
        entry[1] += certified if certified is not None else tech
        entry[2] += 1
    return [{"key": k, "total_fen": v[0], "tech_fen": v[1], "count": v[2]} for k, v in sorted(sums.items())]


@pytest.mark.parametrize(
    ("group_by", "key_of"),
    [
        ("month", lambda r: r[8].strftime("%Y-%m")),
        ("contract_type", lambda r: r[3]),
        ("field", lambda r: r[4]),
        ("region", lambda r: r[1]),
        ("buyer_region", lambda r: r[2]),
    ],
)
async def test_every_grouping_sums_the_registered_contracts_of_the_window(
    api_module, dated, group_by, key_of
):
    api, _ = api_module
    # when the indicator is read for the year, grouped one way
    report = await api.json(
        "GET", "/api/v1/indicators/tech-contract-turnover", params={**WINDOW, "group_by": group_by}
    )

    # then each group holds exactly its contracts (Beijing-time months; certified tech amounts win)
    series = [{k: row[k] for k in ("key", "total_fen", "tech_fen", "count")} for row in report["series"]]
    assert series == _expected(dated, key_of)
    assert report["total_fen"] == 150_000_000
    assert report["tech_fen"] == 9_000_000 + 15_000_000 + 25_000_000 + 40_000_000 + 10_000_000
    assert report["count"] == 5
    assert all(row["label"] for row in report["series"])
    assert report["basis"] == ("buyer (吸纳)" if group_by == "buyer_region" else "seller (输出)")


async def test_an_unknown_grouping_is_a_422_naming_the_parameter(api_module):
    api, _ = api_module
    response = await api.call(
        "GET", "/api/v1/indicators/tech-contract-turnover", params={"group_by": "colour"}, expect=422
    )
    assert response.json()["errors"][0]["loc"] == ["query", "group_by"]


async def test_the_rollup_kept_from_events_equals_a_rebuild(api_module, dated, db):
    # given every contract change so far applied by the worker from the outbox, and one more registered
    # contract then terminated (a change that must come out of the roll-up again)
    api, admin = api_module
    seller = await create_org(api, admin, kind="university", region="500106")
    buyer = await create_org(api, admin, kind="enterprise", region="500107")
    _, seller_token = await create_user(api, admin, org_id=seller["id"], role="provider")
    _, buyer_token = await create_user(api, admin, org_id=buyer["id"], role="enterprise")
    for terminate in (False, True):
        made = await create_contract(api, seller_token, buyer_org_id=buyer["id"], seller_org_id=seller["id"])
        await register_contract(api, seller_token, admin, made["id"], buyer=buyer_token)
        if terminate:
            await api.json(
                "POST", f"/api/v1/contracts/{made['id']}/terminate", token=admin, json={"reason": "解除"}
            )
    await api.wait_indexed(admin)
    query = (
        "SELECT day, contract_type, field, seller_region, buyer_region, origin, basis, total_fen, tech_fen, count "
        "FROM indicators_turnover_daily ORDER BY 1, 2, 3, 4, 5, 6, 7"
    )
    incremental = [tuple(r) for r in await db.fetch(query)]
    state = await db.fetchval("SELECT count(*) FROM indicators_contract_state")

    # when the roll-up is rebuilt from the contracts
    _run_cli("indicators", "rebuild")

    # then it is exactly what the events built
    assert [tuple(r) for r in await db.fetch(query)] == incremental
    assert await db.fetchval("SELECT count(*) FROM indicators_contract_state") == state
    assert state == await db.fetchval("SELECT count(*) FROM deals_contract WHERE status = 'registered'")


async def test_the_indicator_splits_what_came_through_the_marketplace_from_what_was_recorded_directly(
    api_module, dated, db
):
    # given one of the year's contracts born from a match (its origin set behind the application's back, as
    # the registry's history would be imported), and the roll-up rebuilt
    api, _ = api_module
    marketplace_id, total = dated[2][0], dated[2][5]
    await db.execute(
        "UPDATE deals_contract SET match_id = $2 WHERE id = $1",
        marketplace_id,
        9_000_000_000 + marketplace_id,
    )
    try:
        _run_cli("indicators", "rebuild")
        read = {
            origin: await api.json(
                "GET",
                "/api/v1/indicators/tech-contract-turnover",
                params={**WINDOW, "group_by": "contract_type", "origin": origin},
            )
            for origin in ("all", "marketplace", "direct")
        }

        # then the marketplace holds exactly that contract, direct the rest, and together they are the whole
        assert (read["marketplace"]["count"], read["marketplace"]["total_fen"]) == (1, total)
        assert [row["key"] for row in read["marketplace"]["series"]] == ["license"]
        assert (read["direct"]["count"], read["direct"]["total_fen"]) == (4, 150_000_000 - total)
        assert read["all"]["total_fen"] == read["marketplace"]["total_fen"] + read["direct"]["total_fen"]
        bogus = await api.call(
            "GET", "/api/v1/indicators/tech-contract-turnover", params={"origin": "elsewhere"}, expect=422
        )
        assert bogus.json()["errors"][0]["loc"] == ["query", "origin"]
    finally:
        await db.execute("UPDATE deals_contract SET match_id = NULL WHERE id = $1", marketplace_id)
        _run_cli("indicators", "rebuild")
