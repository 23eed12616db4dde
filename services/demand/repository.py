"""Queries of demands and matches."""

import json
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from services.core import clock
from services.demand.models import Demand, DemandRevision, Match, MatchEvent, MatchNote, RankingModel
from services.reference.vocabulary import OPEN_MATCH_STATUSES


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


async def page_review_queue(*, offset: int, limit: int) -> tuple[int, list[Demand]]:
    """Demands submitted for review and published ones with a held edit, oldest submission first."""
    query = Demand.filter(Q(status="pending") | Q(status="published", pending_edit__not_isnull=True))
    return await query.count(), await query.order_by("submitted_at", "id").offset(offset).limit(limit)


async def list_matches(demand_id: int, listing_type: str | None, limit: int) -> list[Match]:
    query = Match.filter(demand_id=demand_id).exclude(status="dismissed")
    if listing_type:
        query = query.filter(listing_type__in=listing_type.split(","))
    return await query.order_by("-score", "id").limit(limit)


async def upsert_matches(demand_id: int, rows: list[dict[str, Any]], connection: BaseDBAsyncClient) -> int:
    """Insert or refresh suggestions; a match a broker already works keeps its status and note."""
    # Untouched suggestions that no longer rank (archived supply, changed demand) are withdrawn.
    await connection.execute_query(
        "DELETE FROM demand_match WHERE demand_id = $1 AND status = 'suggested' AND NOT (listing_id = ANY($2::bigint[]))",
        [demand_id, [row["listing_id"] for row in rows]],
    )
    if not rows:
        return 0
    values: list[Any] = []
    placeholders = []
    for i, row in enumerate(rows):
        base = i * 8
        placeholders.append(
            f"(${base + 1}, ${base + 2}, ${base + 3}, ${base + 4}, ${base + 5}, ${base + 6}::jsonb, 'suggested', '', "
            f"${base + 7}::jsonb, ${base + 8}::bigint, 'matcher', now(), now())"
        )
        values += [
            demand_id,
            row["listing_id"],
            row["listing_type"],
            row["title"],
            row["score"],
            row["reasons"],
            row["features"],
            row.get("broker_id"),
        ]
    sql = (
        "INSERT INTO demand_match (demand_id, listing_id, listing_type, title, score, reasons, status, note, "
        "features, broker_id, origin, created_at, updated_at) VALUES "
        + ", ".join(placeholders)
        + " ON CONFLICT (demand_id, listing_id) DO UPDATE "
        "SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, title = EXCLUDED.title, "
        "features = EXCLUDED.features, updated_at = now() RETURNING (xmax = 0) AS inserted"
    )
    result = await connection.execute_query_dict(sql, values)
    return sum(1 for r in result if r["inserted"])


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


OPEN_STATUSES = OPEN_MATCH_STATUSES
QUEUE_ORDER = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "score": ("-score", "id"),
    "idle": ("last_activity_at", "created_at", "id"),
    "interest": ("-interest_at", "created_at", "id"),
}


async def broker_queue(
    broker_id: int,
    offset: int,
    limit: int,
    *,
    demand_id: int | None = None,
    field: str | None = None,
    status: str | None = None,
    idle_before: Any = None,
    sort: str = "oldest",
) -> tuple[int, list[Match]]:
    """Open matches of published demands, the broker's own and the unclaimed ones, filtered and ordered."""
    query = Match.filter(
        Q(broker_id=broker_id) | Q(broker_id__isnull=True),
        status__in=[status] if status else list(OPEN_STATUSES),
        demand__status="published",
    )
    if demand_id is not None:
        query = query.filter(demand_id=demand_id)
    if field:
        ids = (
            await Demand.filter(status="published")
            .filter(id__in=await query.values_list("demand_id", flat=True))
            .values_list("id", "tech_fields")
        )
        query = query.filter(demand_id__in=[i for i, codes in ids if field in (codes or [])])
    if idle_before is not None:
        query = query.filter(
            Q(last_activity_at__lt=idle_before) | Q(last_activity_at__isnull=True, created_at__lt=idle_before)
        )
    if sort == "interest":
        query = query.filter(interest_at__isnull=False)
    return await query.count(), await query.order_by(*QUEUE_ORDER[sort]).offset(offset).limit(limit)


async def pick_broker(field_codes: list[str], connection: BaseDBAsyncClient) -> int | None:
    """The broker for a demand: an active broker whose APPROVED profile covers one of its fields, with the
    fewest open (published) demands; when no approved profile covers them, the least loaded approved broker.
    Pending, rejected and revoked profiles never receive demands."""
    rows = await connection.execute_query_dict(
        "SELECT u.id FROM brokers_profile p JOIN accounts_user u ON u.id = p.user_id "
        "LEFT JOIN demand_demand d ON d.broker_id = u.id AND d.status = 'published' "
        "WHERE p.status = 'approved' AND u.role = 'broker' AND u.is_active "
        "GROUP BY u.id, p.fields "
        "ORDER BY (p.fields ?| $1::text[]) DESC, count(d.id), u.id LIMIT 1",
        [field_codes],
    )
    return int(rows[0]["id"]) if rows else None


async def assign_matches(
    demand_id: int, broker_id: int, previous_id: int | None, connection: BaseDBAsyncClient
) -> None:
    """Unclaimed and the previous broker's open matches go to the new broker."""
    owners = (
        Q(broker_id__isnull=True) | Q(broker_id=previous_id) if previous_id else Q(broker_id__isnull=True)
    )
    query = Match.filter(owners, demand_id=demand_id, status__in=list(OPEN_STATUSES))
    await query.using_db(connection).update(broker_id=broker_id)


async def add_note(
    *, match_id: int, author_id: int, visibility: str, body: str, connection: BaseDBAsyncClient
) -> MatchNote:
    return await MatchNote.create(
        match_id=match_id, author_id=author_id, visibility=visibility, body=body, using_db=connection
    )


async def notes_of(match_ids: list[int], visibilities: tuple[str, ...]) -> list[MatchNote]:
    if not match_ids:
        return []
    return await MatchNote.filter(match_id__in=match_ids, visibility__in=visibilities).order_by("id")


async def events_of(match_id: int) -> list[MatchEvent]:
    return await MatchEvent.filter(match_id=match_id).order_by("id")


async def add_revision(
    *, demand_id: int, actor_id: int, changes: dict[str, Any], connection: BaseDBAsyncClient
) -> None:
    await DemandRevision.create(demand_id=demand_id, actor_id=actor_id, changes=changes, using_db=connection)


async def revisions_of(demand_id: int) -> list[DemandRevision]:
    return await DemandRevision.filter(demand_id=demand_id).order_by("id")


async def matches_of_listing(listing_id: int, limit: int) -> list[Match]:
    """Matches of one listing to open (published) demands, best first."""
    return (
        await Match.filter(listing_id=listing_id, demand__status="published")
        .exclude(status__in=["dismissed", "lost"])
        .order_by("-score", "id")
        .limit(limit)
    )


async def demands_by_ids(ids: list[int]) -> dict[int, Demand]:
    return {d.id: d for d in await Demand.filter(id__in=ids)}


async def close_reasons_of(listing_id: int) -> dict[str, int]:
    """Lost and dismissed matches of a listing by reason (counts only: anonymous)."""
    from tortoise import connections

    rows = await connections.get("default").execute_query_dict(
        "SELECT coalesce(close_reason, 'other') AS reason, count(*) AS n FROM demand_match "
        "WHERE listing_id = $1 AND status IN ('lost', 'dismissed') GROUP BY 1",
        [listing_id],
    )
    return {str(r["reason"]): int(r["n"]) for r in rows}


async def overdue_matches(idle_before: Any, limit: int) -> list[Match]:
    """Open, assigned matches untouched since `idle_before` and not reminded since."""
    return (
        await Match.filter(
            status__in=list(OPEN_STATUSES), broker_id__isnull=False, demand__status="published"
        )
        .filter(
            Q(last_activity_at__lt=idle_before) | Q(last_activity_at__isnull=True, created_at__lt=idle_before)
        )
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=idle_before))
        .order_by("id")
        .limit(limit)
    )


async def mark_reminded(match_ids: list[int], connection: BaseDBAsyncClient) -> None:
    await Match.filter(id__in=match_ids).using_db(connection).update(reminded_at=clock.now())


async def training_rows(limit: int) -> list[dict[str, Any]]:
    """Matches with stored features and the time of their last change, oldest first (learning to rank)."""
    from tortoise import connections

    rows: list[dict[str, Any]] = await connections.get("default").execute_query_dict(
        "SELECT demand_id, features, status, close_reason, coalesce(status_changed_at, created_at) AS changed_at "
        "FROM demand_match WHERE features <> '{}'::jsonb ORDER BY changed_at, id LIMIT $1",
        [limit],
    )
    for row in rows:
        if isinstance(row["features"], str):
            row["features"] = json.loads(row["features"])
    return rows


async def save_ranking_model(
    *, algorithm: str, metrics: dict[str, Any], payload: str, adopt: bool
) -> RankingModel:
    from tortoise.transactions import in_transaction

    async with in_transaction() as conn:
        if adopt:
            await RankingModel.filter(adopted=True).using_db(conn).update(adopted=False)
        return await RankingModel.create(
            algorithm=algorithm, metrics=metrics, payload=payload, adopted=adopt, using_db=conn
        )


async def adopted_ranking_model() -> RankingModel | None:
    return await RankingModel.filter(adopted=True).order_by("-id").first()


async def mark_stale_for_fields(field_codes: list[str], connection: BaseDBAsyncClient) -> int:
    """Published demands in these fields need their matches recomputed."""
    if not field_codes:
        return 0
    result = await connection.execute_query(
        "UPDATE demand_demand SET matched_at = NULL WHERE status = 'published' AND matched_at IS NOT NULL "
        "AND fields ?| $1::text[]",
        [field_codes],
    )
    return int(result[0] or 0)


async def mark_stale(demand_ids: list[int], connection: BaseDBAsyncClient) -> None:
    """These demands' matches are to be recomputed (the worker's pending marker)."""
    if demand_ids:
        await Demand.filter(id__in=demand_ids).using_db(connection).update(matched_at=None)


async def count_stale_published_demands() -> int:
    return await Demand.filter(status="published", matched_at__isnull=True).count()


async def stale_published_demands(limit: int) -> list[int]:
    rows = (
        await Demand.filter(status="published", matched_at__isnull=True)
        .order_by("id")
        .limit(limit)
        .values_list("id", flat=True)
    )
    return [int(r) for r in rows]  # type: ignore[call-overload]


async def outcome_counts(listing_ids: list[int]) -> dict[int, dict[str, int]]:
    """How each listing's closed matches ended: won, and lost or dismissed by reason (``lost:price``…)."""
    if not listing_ids:
        return {}
    from tortoise import connections

    rows = await connections.get("default").execute_query_dict(
        "SELECT listing_id, status, coalesce(close_reason, 'other') AS reason, COUNT(*) AS n FROM demand_match "
        "WHERE status IN ('won', 'lost', 'dismissed') AND listing_id = ANY($1::bigint[]) "
        "GROUP BY listing_id, status, reason",
        [listing_ids],
    )
    counts: dict[int, dict[str, int]] = {}
    for r in rows:
        key = "won" if r["status"] == "won" else f"{r['status']}:{r['reason']}"
        per_listing = counts.setdefault(int(r["listing_id"]), {})
        per_listing[key] = per_listing.get(key, 0) + int(r["n"])
    return counts


async def match_facts(match_id: int) -> dict[str, Any] | None:
    """What a contract needs from a match: its status, the two organisations and who worked it."""
    rows = await Match.filter(id=match_id).values(
        "id",
        "status",
        "broker_id",
        "listing_id",
        "listing_type",
        "title",
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
        "listing_title": row["title"],
        "demand_id": int(row["demand_id"]),
        "demand_title": await Demand.filter(id=row["demand_id"]).first().values_list("title", flat=True),
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


async def published_demands_after(after_id: int, limit: int) -> list[Demand]:
    """The next `limit` published demands after an id, in id order (reindex batches)."""
    return await Demand.filter(status="published", id__gt=after_id).order_by("id").limit(limit)


async def published_demand_ids(connection: BaseDBAsyncClient) -> list[int]:
    rows = (
        await Demand.filter(status="published")
        .using_db(connection)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return [int(r) for r in rows]  # type: ignore[call-overload]


async def set_demand_broker(demand_id: int, broker_id: int, connection: BaseDBAsyncClient) -> None:
    await (
        Demand.filter(id=demand_id, broker_id__isnull=True)
        .using_db(connection)
        .update(broker_id=broker_id, assigned_at=clock.now())
    )
    await (
        Match.filter(demand_id=demand_id, broker_id__isnull=True)
        .using_db(connection)
        .update(broker_id=broker_id)
    )


async def write_match_outcome(
    match_id: int, broker_id: int, status: str, reason: str | None, at: Any, connection: BaseDBAsyncClient
) -> None:
    """A suggested match recorded as worked to `status` at `at`, with its pipeline event (a plain write: the
    demo history in devdata/histories.py; the pipeline's own moves go through service.set_match_status)."""
    await (
        Match.filter(id=match_id)
        .using_db(connection)
        .update(
            status=status, close_reason=reason, broker_id=broker_id, status_changed_at=at, last_activity_at=at
        )
    )
    await MatchEvent.create(
        match_id=match_id, actor_id=broker_id, from_status="suggested", to_status=status, using_db=connection
    )
