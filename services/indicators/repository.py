"""The indicator's SQL: the daily roll-up of registered contracts, kept from contract changes and rebuilt."""

from collections import defaultdict
from datetime import date
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

# Groupings of the API and the roll-up column each one reads; `month` reads the day totals.
GROUP_KEYS = {
    "month": None,
    "contract_type": "contract_type",
    "field": "field",
    "region": "seller_region",
    "buyer_region": "buyer_region",
}
# Where a contract began: through a match on the marketplace, or recorded directly.
ORIGINS = {"all": "TRUE", "marketplace": "origin = 'marketplace'", "direct": "origin = 'direct'"}
DIMENSIONS = ("day", "contract_type", "field", "seller_region", "buyer_region", "origin", "basis")
# One serialising lock for every writer of the roll-up (worker lanes and rebuild).
_ROLLUP_LOCK = 820_260_001

# A registered contract's contribution: registration day in Beijing time (the registry's calendar), the type
# its rule set registers it as (pre-2026 licences count as 技术转让), CNY amounts at the recorded rate.
CONTRIBUTION_SQL = (
    "SELECT id AS contract_id, (registered_at AT TIME ZONE 'Asia/Shanghai')::date AS day, "
    "COALESCE(legacy_type, contract_type) AS contract_type, field, seller_region, buyer_region, "
    "CASE WHEN match_id IS NULL THEN 'direct' ELSE 'marketplace' END AS origin, "
    "CASE WHEN currency = 'cny' THEN 'cny' ELSE 'converted' END AS basis, "
    "total_cny_fen AS total_fen, tech_cny_fen AS tech_fen "
    "FROM deals_contract WHERE status = 'registered' AND total_cny_fen IS NOT NULL"
)


# The API reads one grouping at a time, so it reads narrow slices of the roll-up (one per grouping, plus the
# day totals under `all`): a year is a few thousand rows whatever the number of contracts.
SLICES = {"all": None, **{name: column for name, column in GROUP_KEYS.items() if column}}


async def registered_sums(group_by: str, start: date, end: date, origin: str = "all") -> list[dict[str, Any]]:
    """Per group: CNY total, technical amount and count of contracts registered on days in [start, end)."""
    dimension, key = ("all", "to_char(day, 'YYYY-MM')") if group_by == "month" else (group_by, "key")
    rows: list[dict[str, Any]] = await connections.get("default").execute_query_dict(
        f"SELECT {key} AS key, SUM(total_fen)::bigint AS total_fen, SUM(tech_fen)::bigint AS tech_fen, "
        "SUM(count)::bigint AS count FROM indicators_turnover_slice "
        f"WHERE dimension = $3 AND day >= $1 AND day < $2 AND {ORIGINS[origin]} "
        "GROUP BY 1 HAVING SUM(count) > 0 ORDER BY 1",
        [start, end, dimension],
    )
    return rows


async def registered_total(start: date, end: date) -> int:
    """Turnover of contracts registered on days in [start, end)."""
    rows = await connections.get("default").execute_query_dict(
        "SELECT COALESCE(SUM(total_fen), 0)::bigint AS total FROM indicators_turnover_slice "
        "WHERE dimension = 'all' AND day >= $1 AND day < $2",
        [start, end],
    )
    return int(rows[0]["total"])


async def apply_contract_changes(contract_ids: list[int], connection: BaseDBAsyncClient) -> int:
    """Replace what the roll-up holds for these contracts by what they contribute now; returns rows touched.

    Reads the contracts' current state, so events applied twice, late or out of order give the same result.
    """
    if not contract_ids:
        return 0
    await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [_ROLLUP_LOCK])
    old = await connection.execute_query_dict(
        "DELETE FROM indicators_contract_state WHERE contract_id = ANY($1::bigint[]) RETURNING *",
        [contract_ids],
    )
    new = await connection.execute_query_dict(
        f"SELECT * FROM ({CONTRIBUTION_SQL}) c WHERE contract_id = ANY($1::bigint[])", [contract_ids]
    )
    deltas: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    for rows, sign in ((old, -1), (new, 1)):
        for row in rows:
            delta = deltas[tuple(row[d] for d in DIMENSIONS)]
            delta[0] += sign * int(row["total_fen"])
            delta[1] += sign * int(row["tech_fen"])
            delta[2] += sign
    slice_deltas: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    for rows, sign in ((old, -1), (new, 1)):
        for row in rows:
            for dimension, column in SLICES.items():
                delta = slice_deltas[(row["day"], dimension, row[column] if column else "", row["origin"])]
                delta[0] += sign * int(row["total_fen"])
                delta[1] += sign * int(row["tech_fen"])
                delta[2] += sign
    await _upsert_slices({k: v for k, v in slice_deltas.items() if v != [0, 0, 0]}, connection)
    changed = {key: value for key, value in deltas.items() if value != [0, 0, 0]}
    if new:
        columns = (*DIMENSIONS, "total_fen", "tech_fen")
        await connection.execute_query(
            f"INSERT INTO indicators_contract_state (contract_id, {', '.join(columns)}) "
            "SELECT * FROM unnest($1::bigint[], $2::date[], $3::text[], $4::text[], $5::text[], $6::text[], "
            "$7::text[], $8::text[], $9::bigint[], $10::bigint[])",
            [[int(r["contract_id"]) for r in new], *([r[c] for r in new] for c in columns)],
        )
    if changed:
        keys = sorted(changed, key=str)
        await connection.execute_query(
            f"INSERT INTO indicators_turnover_daily ({', '.join(DIMENSIONS)}, total_fen, tech_fen, count) "
            "SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
            "$7::text[], $8::bigint[], $9::bigint[], $10::int[]) "
            f"ON CONFLICT ({', '.join(DIMENSIONS)}) DO UPDATE SET "
            "total_fen = indicators_turnover_daily.total_fen + EXCLUDED.total_fen, "
            "tech_fen = indicators_turnover_daily.tech_fen + EXCLUDED.tech_fen, "
            "count = indicators_turnover_daily.count + EXCLUDED.count",
            [
                *([key[i] for key in keys] for i in range(len(DIMENSIONS))),
                [changed[key][0] for key in keys],
                [changed[key][1] for key in keys],
                [changed[key][2] for key in keys],
            ],
        )
        await connection.execute_query("DELETE FROM indicators_turnover_daily WHERE count = 0")
    return len(changed)


async def _upsert_slices(deltas: dict[tuple[Any, ...], list[int]], connection: BaseDBAsyncClient) -> None:
    if not deltas:
        return
    keys = sorted(deltas, key=str)
    await connection.execute_query(
        "INSERT INTO indicators_turnover_slice (day, dimension, key, origin, total_fen, tech_fen, count) "
        "SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::int[]) "
        "ON CONFLICT (dimension, day, key, origin) DO UPDATE SET "
        "total_fen = indicators_turnover_slice.total_fen + EXCLUDED.total_fen, "
        "tech_fen = indicators_turnover_slice.tech_fen + EXCLUDED.tech_fen, "
        "count = indicators_turnover_slice.count + EXCLUDED.count",
        [
            *([key[i] for key in keys] for i in range(4)),
            *([deltas[key][i] for key in keys] for i in range(3)),
        ],
    )
    await connection.execute_query("DELETE FROM indicators_turnover_slice WHERE count = 0")


async def rebuild(connection: BaseDBAsyncClient) -> int:
    """Recompute the roll-up from deals_contract; returns the number of roll-up rows."""
    await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [_ROLLUP_LOCK])
    await connection.execute_query(
        "TRUNCATE indicators_contract_state, indicators_turnover_daily, indicators_turnover_slice"
    )
    await connection.execute_query(f"INSERT INTO indicators_contract_state {CONTRIBUTION_SQL}")
    await connection.execute_query(
        f"INSERT INTO indicators_turnover_daily ({', '.join(DIMENSIONS)}, total_fen, tech_fen, count) "
        f"SELECT {', '.join(DIMENSIONS)}, SUM(total_fen), SUM(tech_fen), COUNT(*) FROM indicators_contract_state "
        f"GROUP BY {', '.join(DIMENSIONS)}"
    )
    for dimension, column in SLICES.items():
        key = column or "''"
        await connection.execute_query(
            "INSERT INTO indicators_turnover_slice (day, dimension, key, origin, total_fen, tech_fen, count) "
            f"SELECT day, $1, {key}, origin, SUM(total_fen), SUM(tech_fen), COUNT(*) "
            "FROM indicators_contract_state GROUP BY 1, 3, 4",
            [dimension],
        )
    rows = await connection.execute_query_dict("SELECT count(*) AS n FROM indicators_turnover_daily")
    return int(rows[0]["n"])
