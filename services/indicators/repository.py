"""The indicator's SQL: sums of registered contracts over a time window."""

from datetime import datetime
from typing import Any

from tortoise import connections

# Keys a series may be grouped by, as SQL over deals_contract.
GROUP_KEYS = {
    # Registration time is bucketed in Beijing time: the registry's calendar, not UTC's.
    "month": "to_char(registered_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')",
    # Counted under the type its rule set registers it as: pre-2026 licences are 技术转让.
    "contract_type": "COALESCE(legacy_type, contract_type)",
    "field": "field",
    "region": "seller_region",
    "buyer_region": "buyer_region",
}


# Where a contract began: through a match on the marketplace, or recorded directly.
ORIGINS = {"all": "TRUE", "marketplace": "match_id IS NOT NULL", "direct": "match_id IS NULL"}


async def registered_sums(
    group_by: str, start: datetime, end: datetime, origin: str = "all"
) -> list[dict[str, Any]]:
    """Per group: CNY total, technical amount and count of contracts registered in [start, end)."""
    # Amounts in CNY fen at the rate recorded at registration; the technical amount is the registry's
    # certified figure when it gave one (DOMAIN.md).
    rows: list[dict[str, Any]] = await connections.get("default").execute_query_dict(
        f"SELECT {GROUP_KEYS[group_by]} AS key, SUM(total_cny_fen)::bigint AS total_fen, "
        "SUM(tech_cny_fen)::bigint AS tech_fen, COUNT(*) AS count "
        "FROM deals_contract WHERE status = 'registered' AND registered_at >= $1 AND registered_at < $2 "
        f"AND {ORIGINS[origin]} GROUP BY 1 ORDER BY 1",
        [start, end],
    )
    return rows


async def registered_total(start: datetime, end: datetime) -> int:
    """Turnover of contracts registered in [start, end)."""
    rows = await connections.get("default").execute_query_dict(
        "SELECT COALESCE(SUM(total_cny_fen), 0)::bigint AS total FROM deals_contract WHERE status = 'registered' "
        "AND registered_at >= $1 AND registered_at < $2",
        [start, end],
    )
    return int(rows[0]["total"])
