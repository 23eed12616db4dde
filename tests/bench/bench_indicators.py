"""Indicator speed: 1,000,000 registered contracts, the turnover API (`GET /api/v1/indicators/…`, year grouped by
month, through a real `techmarket serve` over HTTP) against a raw `SUM … GROUP BY` over deals_contract for the
same year, sent on one database connection, in the same run.

    python -m tests.bench.bench_indicators [--contracts 1000000]   # its own database, kept for re-runs
    python -m tests.bench.run --only indicators                    # the same inside the bench's database

The contracts are seeded with one INSERT … SELECT over generate_series (heavy-tailed amounts, 5 types,
11 fields, 6 seller and 6 buyer regions, dates over 2026), then the roll-up is rebuilt the way
`techmarket indicators rebuild` does; both times are reported. Inside `make bench` (tests/bench/run.py) it
runs on the bench database and leaves its rows behind, marked by their registration numbers (`BENCH…`).
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CONTRACTS = 1_000_000
ROUNDS = 15
TARGET_RATIO = 0.05
API_PATH = "/api/v1/indicators/tech-contract-turnover"
YEAR = 2026
RAW_SQL = (
    "SELECT to_char(registered_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS key, SUM(total_fen)::bigint, "
    "SUM(COALESCE(certified_tech_fen, tech_fen))::bigint, COUNT(*) FROM deals_contract "
    "WHERE status = 'registered' AND registered_at >= $1 AND registered_at < $2 GROUP BY 1 ORDER BY 1"
)
SEED_SQL = """
INSERT INTO deals_contract (contract_type, legacy_type, rule_set, title, buyer_org_id, seller_org_id, field,
  total_fen, tech_fen, currency, signed_at, status, registration_no, registration_submitted_at, registered_at,
  seller_region, buyer_region, total_cny_fen, tech_cny_fen, buyer_confirmed_at, seller_confirmed_at,
  platform_fee_bp, broker_commission_fen, match_id, created_at, updated_at)
SELECT t.kind, t.kind, '2026', 'bench contract ' || g, $1, $2, f.code, a.total, a.total * 9 / 10, 'cny',
  DATE '2026-01-01' + (g % 330)::int, 'registered', 'BENCH' || g, r.at, r.at,
  (ARRAY['500106','500107','500108','510100','500112','500103'])[1 + g % 6],
  (ARRAY['500107','500106','110108','440305','500112','310115'])[1 + (g / 7) % 6],
  a.total, a.total * 9 / 10, r.at, r.at, 100, 0, NULL, now(), now()
FROM generate_series($3::bigint, $4::bigint) AS g
CROSS JOIN LATERAL (SELECT (ARRAY['development','transfer','license','consulting','service'])[1 + g % 5] AS kind) t
CROSS JOIN LATERAL (SELECT (ARRAY['ai','ic','software','quantum','biotech','clinical','medtech','materials','nev',
  'manufacturing','space'])[1 + (g * 7) % 11] AS code) f
CROSS JOIN LATERAL (SELECT (10000000 + (hashint8(g) % 1000000000 + 1000000000) % 1000000000
  / (1 + g % 17))::bigint AS total) a
CROSS JOIN LATERAL (SELECT TIMESTAMPTZ '2026-01-01 00:00:00+08' + ((g * 7919) % 28900000) * INTERVAL '1 second'
  AS at) r
"""


def _pg_url(database_url: str) -> str:
    return database_url.replace("postgres://", "postgresql://")


async def _ensure_database(database_url: str) -> None:
    url = _pg_url(database_url)
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    migrate = await asyncio.create_subprocess_exec(
        str(BIN / "techmarket"),
        "migrate",
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.DEVNULL,
    )
    assert await migrate.wait() == 0, "techmarket migrate failed"


async def _seed(conn: asyncpg.Connection, contracts: int) -> dict[str, float]:
    """Seed the marked contracts that are missing and rebuild the roll-up; seconds spent on each."""
    have = await conn.fetchval("SELECT count(*) FROM deals_contract WHERE registration_no LIKE 'BENCH%'")
    seed_s = rebuild_s = 0.0
    if have < contracts:
        orgs = []
        for uscc, kind, region in (
            ("915001070000BENCH1", "university", "500106"),
            ("915001070000BENCH2", "enterprise", "500107"),
        ):
            org = await conn.fetchval(
                "INSERT INTO accounts_organisation (name, uscc, kind, region, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, now(), now()) ON CONFLICT (uscc) DO UPDATE SET name = EXCLUDED.name "
                "RETURNING id",
                f"bench {kind}",
                uscc,
                kind,
                region,
            )
            orgs.append(org)
        began = time.perf_counter()
        async with conn.transaction():
            # A bulk load into the bench's private database: the two organisations exist (just upserted), so
            # the per-row foreign-key triggers are skipped; CHECK constraints and unique indexes still apply.
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("SET LOCAL synchronous_commit = off")
            await conn.execute(SEED_SQL, orgs[0], orgs[1], have + 1, contracts)
        await conn.execute("ANALYZE deals_contract")
        seed_s = time.perf_counter() - began
    counted = await conn.fetchval("SELECT count(*) FROM indicators_contract_state")
    if have < contracts or counted < contracts:
        began = time.perf_counter()
        from services.indicators.service import rebuild_rollup

        await rebuild_rollup()
        await conn.execute("ANALYZE indicators_turnover_daily")
        await conn.execute("ANALYZE indicators_turnover_slice")
        rebuild_s = time.perf_counter() - began
    return {"seed_s": seed_s, "rebuild_s": rebuild_s, "seeded": float(max(0, contracts - have))}


async def _median_ms(work: Any, rounds: int) -> float:
    await work()  # warm-up
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        await work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


async def bench_indicators(contracts: int = CONTRACTS, rounds: int = ROUNDS) -> dict[str, Any]:
    """Seed (or reuse) `contracts` registered contracts, then time the API over HTTP against the raw query."""
    from services.core.clock import CHINA_TZ
    from tests.bench.run import free_port, start_server, stop_server

    raw_conn = await asyncpg.connect(_pg_url(os.environ["DATABASE_URL"]))
    try:
        seeded = await _seed(raw_conn, contracts)
        start, end = datetime(YEAR, 1, 1, tzinfo=CHINA_TZ), datetime(YEAR + 1, 1, 1, tzinfo=CHINA_TZ)
        port = free_port()
        server = start_server(port)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as api:
                query = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "group_by": "month"}

                async def through_api() -> dict[str, Any]:
                    response = await api.get(API_PATH, params=query)
                    response.raise_for_status()
                    return dict(response.json())

                async def raw() -> list[asyncpg.Record]:
                    return list(await raw_conn.fetch(RAW_SQL, start, end))

                api_ms = await _median_ms(through_api, rounds)
                raw_ms = await _median_ms(raw, rounds)
                report = await through_api()
        finally:
            stop_server(server)
        raw_rows = await raw()
        # The two must agree on the money, month by month, before their speeds are compared.
        by_month = {s["key"]: (s["total_fen"], s["count"]) for s in report["series"]}
        assert by_month == {r[0]: (int(r[1]), int(r[3])) for r in raw_rows}, "roll-up and raw sum disagree"
        counted = await raw_conn.fetchval(
            "SELECT count(*) FROM deals_contract WHERE status = 'registered' AND registered_at >= $1 "
            "AND registered_at < $2",
            start,
            end,
        )
    finally:
        await raw_conn.close()
    return {
        "contracts": contracts,
        "registered_in_year": int(counted),
        "months": len(report["series"]),
        **seeded,
        "api_ms": round(api_ms, 3),
        "raw_ms": round(raw_ms, 3),
        "ratio": round(api_ms / raw_ms, 4),
        "target": TARGET_RATIO,
    }


async def _main() -> None:
    from services.core.db import close_database, open_database

    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=CONTRACTS)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_INDICATORS_DATABASE_URL",
            "postgres://postgres:postgres@127.0.0.1:5432/techmarket_bench_indicators",
        ),
    )
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    await _ensure_database(args.database_url)
    await open_database(args.database_url)
    try:
        result = await bench_indicators(contracts=args.contracts)
    finally:
        await close_database()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    sys.exit(0 if result["ratio"] <= result["target"] else 1)


if __name__ == "__main__":
    asyncio.run(_main())
