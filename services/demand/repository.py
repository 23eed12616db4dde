"""Queries of demands and matches."""

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from services.core import clock
from services.demand.models import Demand, Match, MatchEvent


async def get_demand(demand_id: int, connection: BaseDBAsyncClient | None = None) -> Demand | None:
    query = Demand.filter(id=demand_id)
    if connection is not None:
        query = query.using_db(connection)
    return await query.first()


async def create_demand(*, connection: BaseDBAsyncClient, **columns: Any) -> Demand:
    return await Demand.create(using_db=connection, **columns)


async def save_demand(demand: Demand, connection: BaseDBAsyncClient) -> None:
    await demand.save(using_db=connection)


async def org_has_demand_titled(org_id: int, title: str) -> bool:
    return await Demand.exists(org_id=org_id, title=title)


async def mark_matched(demand_id: int, connection: BaseDBAsyncClient) -> None:
    await Demand.filter(id=demand_id).using_db(connection).update(matched_at=clock.now())


async def save_match(match: Match, connection: BaseDBAsyncClient) -> None:
    await match.save(using_db=connection)


async def lock_demand(demand_id: int, connection: BaseDBAsyncClient) -> Demand | None:
    return await Demand.filter(id=demand_id).using_db(connection).select_for_update().first()


async def page_demands(
    *, status: str | None, org_id: int | None, offset: int, limit: int
) -> tuple[int, list[Demand]]:
    query = Demand.all()
    if status:
        query = query.filter(status=status)
    if org_id is not None:
        query = query.filter(org_id=org_id)
    return await query.count(), await query.order_by("-id").offset(offset).limit(limit)


async def list_matches(demand_id: int, listing_type: str | None, limit: int) -> list[Match]:
    query = Match.filter(demand_id=demand_id).exclude(status="dismissed")
    if listing_type:
        query = query.filter(listing_type__in=listing_type.split(","))
    return await query.order_by("-score", "id").limit(limit)


async def upsert_matches(demand_id: int, rows: list[dict[str, Any]], connection: BaseDBAsyncClient) -> None:
    """Insert or refresh suggestions; a match a broker already works keeps its status and note."""
    # Untouched suggestions that no longer rank (archived supply, changed demand) are withdrawn.
    await connection.execute_query(
        "DELETE FROM demand_match WHERE demand_id = $1 AND status = 'suggested' AND NOT (listing_id = ANY($2::bigint[]))",
        [demand_id, [row["listing_id"] for row in rows]],
    )
    if not rows:
        return
    values: list[Any] = []
    placeholders = []
    for i, row in enumerate(rows):
        base = i * 6
        placeholders.append(
            f"(${base + 1}, ${base + 2}, ${base + 3}, ${base + 4}, ${base + 5}, ${base + 6}::jsonb, 'suggested', '', now(), now())"
        )
        values += [
            demand_id,
            row["listing_id"],
            row["listing_type"],
            row["title"],
            row["score"],
            row["reasons"],
        ]
    sql = (
        "INSERT INTO demand_match (demand_id, listing_id, listing_type, title, score, reasons, status, note, "
        "created_at, updated_at) VALUES "
        + ", ".join(placeholders)
        + " ON CONFLICT (demand_id, listing_id) DO UPDATE "
        "SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, title = EXCLUDED.title, updated_at = now()"
    )
    await connection.execute_query(sql, values)


async def get_match(match_id: int, connection: BaseDBAsyncClient | None = None) -> Match | None:
    if connection is not None:
        return await Match.filter(id=match_id).using_db(connection).select_for_update().first()
    return await Match.get_or_none(id=match_id)


async def add_match_event(
    *,
    match_id: int,
    actor_id: int,
    from_status: str,
    to_status: str,
    note: str,
    connection: BaseDBAsyncClient,
) -> None:
    await MatchEvent.create(
        match_id=match_id,
        actor_id=actor_id,
        from_status=from_status,
        to_status=to_status,
        note=note,
        using_db=connection,
    )


async def broker_queue(
    broker_id: int, offset: int, limit: int, demand_id: int | None = None
) -> tuple[int, list[Match]]:
    """Open matches of published demands, the broker's own and the unclaimed ones, oldest first."""
    query = Match.filter(
        Q(broker_id=broker_id) | Q(broker_id__isnull=True),
        status__in=["suggested", "shortlisted", "contacted", "negotiating"],
        demand__status="published",
    )
    if demand_id is not None:
        query = query.filter(demand_id=demand_id)
    return await query.count(), await query.order_by("created_at", "id").offset(offset).limit(limit)


async def mark_stale_for_fields(field_codes: list[str]) -> int:
    """Published demands in these fields need their matches recomputed."""
    if not field_codes:
        return 0
    from tortoise import connections

    conn = connections.get("default")
    result = await conn.execute_query(
        "UPDATE demand_demand SET matched_at = NULL WHERE status = 'published' AND matched_at IS NOT NULL "
        "AND fields ?| $1::text[]",
        [field_codes],
    )
    return int(result[0] or 0)


async def stale_published_demands(limit: int) -> list[int]:
    rows = (
        await Demand.filter(status="published", matched_at__isnull=True)
        .order_by("id")
        .limit(limit)
        .values_list("id", flat=True)
    )
    return [int(r) for r in rows]  # type: ignore[call-overload]


async def won_counts(listing_ids: list[int]) -> dict[int, int]:
    """How many matches each listing has won (its track record)."""
    if not listing_ids:
        return {}
    from tortoise import connections

    rows = await connections.get("default").execute_query_dict(
        "SELECT listing_id, COUNT(*) AS won FROM demand_match WHERE status = 'won' "
        "AND listing_id = ANY($1::bigint[]) GROUP BY listing_id",
        [listing_ids],
    )
    return {int(r["listing_id"]): int(r["won"]) for r in rows}


async def match_facts(match_id: int) -> dict[str, Any] | None:
    """What a contract needs from a match: its status, the two organisations and who worked it."""
    rows = await Match.filter(id=match_id).values(
        "id",
        "status",
        "broker_id",
        "listing_id",
        "listing_type",
        "demand_id",
        "demand__org_id",
        "listing__org_id",
    )
    if not rows:
        return None
    workers: list[Any] = list(
        await MatchEvent.filter(match_id=match_id).distinct().values_list("actor_id", flat=True)
    )
    row = rows[0]
    return {
        "id": int(row["id"]),
        "status": row["status"],
        "broker_id": row["broker_id"],
        "listing_id": int(row["listing_id"]),
        "listing_type": row["listing_type"],
        "demand_id": int(row["demand_id"]),
        "buyer_org_id": int(row["demand__org_id"]),
        "seller_org_id": int(row["listing__org_id"]),
        "worked_by": sorted({int(a) for a in workers if a is not None}),
    }


async def match_history(match_id: int) -> list[dict[str, Any]]:
    """A match's status changes, oldest first."""
    return list(
        await MatchEvent.filter(match_id=match_id)
        .order_by("id")
        .values("actor_id", "from_status", "to_status", "note", "created_at")
    )
