"""Demands (技术需求) and the pipeline of their matches."""

from typing import Any

from pydantic import ValidationError
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from services.accounts.policies import Actor, require_admin, require_role
from services.catalog.service import TRANSITIONS, validate_json_body, validation_errors
from services.core import clock
from services.core.errors import Conflict, Forbidden, Invalid, NotFound
from services.core.outbox import record_event
from services.demand import policies, repository
from services.demand.models import Demand, Match
from services.demand.schemas import (
    Budget,
    DemandCreate,
    DemandPage,
    DemandRead,
    MatchList,
    MatchRead,
    MatchStatusUpdate,
    Reason,
)

DEMAND_TOPIC = "demand.changed"
# Pipeline moves a broker may make; `won`, `lost` and `dismissed` are final unless reopened by an admin.
MATCH_TRANSITIONS: dict[str, set[str]] = {
    "suggested": {"shortlisted", "contacted", "dismissed"},
    "shortlisted": {"contacted", "dismissed", "suggested"},
    "contacted": {"negotiating", "lost", "dismissed"},
    "negotiating": {"won", "lost"},
    "won": set(),
    "lost": {"negotiating"},
    "dismissed": {"suggested"},
}


async def _emit(demand: Demand, connection: BaseDBAsyncClient) -> None:
    await record_event(
        connection=connection,
        topic=DEMAND_TOPIC,
        aggregate_type="demand",
        aggregate_id=demand.id,
        aggregate_version=demand.version,
        payload={"status": demand.status},
    )


def demand_read(demand: Demand) -> DemandRead:
    """Schema of a demand."""
    return DemandRead(
        id=demand.id,
        status=demand.status,
        org_id=demand.org_id,
        title=demand.title,
        description=demand.description,
        fields=demand.tech_fields,
        keywords=demand.keywords,
        kind=demand.kind,
        budget=Budget(min_fen=demand.budget_min_fen, max_fen=demand.budget_max_fen),
        deadline=demand.deadline,
        region=demand.region,
        created_at=demand.created_at,
        updated_at=demand.updated_at,
        reject_reason=demand.reject_reason,
    )


def _parse(body: Any) -> DemandCreate:
    if not isinstance(body, dict):
        raise Invalid.field(["body"], "需要 JSON 对象 (a JSON object is required)")
    try:
        return validate_json_body(DemandCreate, body)
    except ValidationError as exc:
        raise validation_errors(exc, ["body"]) from exc


def _columns(data: DemandCreate) -> dict[str, Any]:
    return {
        "title": data.title,
        "description": data.description,
        "tech_fields": data.fields,
        "keywords": data.keywords,
        "kind": data.kind.value,
        "budget_min_fen": data.budget.min_fen,
        "budget_max_fen": data.budget.max_fen,
        "deadline": data.deadline,
        "region": data.region,
    }


async def create_demand(*, actor: Actor, body: Any, submit: bool = False) -> DemandRead:
    """An enterprise posts a demand: a draft, or (`submit`) straight into review in the same transaction."""
    require_role(actor, "enterprise", "broker", "provider")
    if actor.org_id is None:
        raise Forbidden("no_organisation", "需要先加入一个机构", "join an organisation first")
    data = _parse(body)
    async with in_transaction() as conn:
        demand = await repository.create_demand(
            connection=conn, org_id=actor.org_id, created_by_id=actor.user_id, **_columns(data)
        )
        if submit:
            _apply_transition(demand, "submit")
            await repository.save_demand(demand, conn)
        await _emit(demand, conn)
    return demand_read(demand)


def _not_found(demand_id: int) -> NotFound:
    return NotFound("demand_not_found", f"需求 {demand_id} 不存在", "demand not found")


async def get_demand(*, actor: Actor | None, demand_id: int) -> DemandRead:
    """One demand: published ones for signed-in users, others for their organisation and admins."""
    demand = await repository.get_demand(demand_id)
    if demand is None:
        raise _not_found(demand_id)
    return demand_read(policies.require_visible(actor, demand))


async def update_demand(*, actor: Actor, demand_id: int, patch: Any) -> DemandRead:
    """Edit a demand (its organisation)."""
    if not isinstance(patch, dict):
        raise Invalid.field(["body"], "需要 JSON 对象 (a JSON object is required)")
    async with in_transaction() as conn:
        demand = await repository.lock_demand(demand_id, conn)
        if demand is None:
            raise _not_found(demand_id)
        policies.require_demand_member(actor, demand)
        if demand.status == "archived":
            raise Conflict("demand_archived", "已归档的需求不能修改", "archived demands cannot change")
        current = demand_read(demand).model_dump(
            mode="json",
            include={"title", "description", "fields", "keywords", "kind", "budget", "deadline", "region"},
        )
        data = _parse({**current, **patch})
        demand.update_from_dict(_columns(data))
        demand.version += 1
        await repository.save_demand(demand, conn)
        await _emit(demand, conn)
    return demand_read(demand)


def _apply_transition(demand: Demand, action: str, reason: str | None = None) -> None:
    target = TRANSITIONS.get((demand.status, action))
    if target is None:
        raise Conflict(
            "invalid_transition",
            f"状态 {demand.status} 不能执行 {action}",
            f"cannot {action} a {demand.status} demand",
        )
    now = clock.now()
    demand.status = target
    demand.version += 1
    if action == "submit":
        demand.submitted_at = now
    elif action == "publish":
        demand.published_at = now
    elif action == "reject":
        demand.reject_reason = reason


async def transition_demand(
    *, actor: Actor, demand_id: int, action: str, reason: str | None = None
) -> DemandRead:
    """Move a demand through the same life-cycle as listings."""
    async with in_transaction() as conn:
        demand = await repository.lock_demand(demand_id, conn)
        if demand is None:
            raise _not_found(demand_id)
        if action in ("publish", "reject"):
            require_admin(actor)
        else:
            policies.require_demand_member(actor, demand)
        _apply_transition(demand, action, reason)
        await repository.save_demand(demand, conn)
        await _emit(demand, conn)
    return demand_read(demand)


async def list_demands(*, actor: Actor, mine: bool, status: str | None, page: int, size: int) -> DemandPage:
    """Published demands for everyone signed in; own organisation's with `mine`; any status for admins."""
    org_id = actor.org_id if mine else None
    if not mine and status not in (None, "published"):
        require_admin(actor)
    total, rows = await repository.page_demands(
        status=status or (None if mine else "published"), org_id=org_id, offset=(page - 1) * size, limit=size
    )
    return DemandPage(total=total, page=page, size=size, items=[demand_read(d) for d in rows])


async def demand_for_matching(*, demand_id: int) -> Demand | None:
    """The demand row the matcher works from."""
    return await repository.get_demand(demand_id)


async def check_match_access(*, actor: Actor, demand_id: int) -> Demand:
    """The demand, if the caller may see its matches (its organisation, brokers, admins)."""
    demand = await repository.get_demand(demand_id)
    if demand is None:
        raise _not_found(demand_id)
    return policies.require_match_access(actor, demand)


def match_read(match: Match) -> MatchRead:
    """Schema of a match."""
    return MatchRead(
        match_id=match.id,
        type=match.listing_type,
        id=match.listing_id,
        title=match.title,
        score=match.score,
        reasons=[Reason(**r) for r in match.reasons],
        status=match.status,
        demand_id=match.demand_id,
        note=match.note,
        updated_at=match.updated_at,
    )


async def list_matches(*, demand_id: int, listing_type: str | None, limit: int) -> MatchList:
    """Stored matches of a demand, best first."""
    rows = await repository.list_matches(demand_id, listing_type, limit)
    return MatchList(items=[match_read(m) for m in rows])


async def save_matches(*, demand_id: int, rows: list[dict[str, Any]]) -> None:
    """Store scored candidates, unique per (demand, listing)."""
    async with in_transaction() as conn:
        await repository.upsert_matches(demand_id, rows, conn)
        await repository.mark_matched(demand_id, conn)


async def set_match_status(*, actor: Actor, match_id: int, data: MatchStatusUpdate) -> MatchRead:
    """A broker (or the demand's organisation, or an admin) moves a match along the pipeline."""
    async with in_transaction() as conn:
        match = await repository.get_match(match_id, conn)
        demand = None if match is None else await repository.get_demand(match.demand_id, conn)
        if match is None or demand is None or not policies.may_see_demand(actor, demand):
            raise NotFound("match_not_found", f"匹配 {match_id} 不存在", "match not found")
        policies.require_match_access(actor, demand)
        policies.require_match_mover(actor, demand, match)
        target = data.status.value
        if target != match.status and target not in MATCH_TRANSITIONS[match.status] and not actor.is_admin:
            raise Conflict(
                "invalid_transition", f"不能从 {match.status} 变为 {target}", "transition not allowed"
            )
        await repository.add_match_event(
            match_id=match.id,
            actor_id=actor.user_id,
            from_status=match.status,
            to_status=target,
            note=data.note,
            connection=conn,
        )
        match.status = target
        match.note = data.note or match.note
        match.status_changed_at = clock.now()
        if actor.role == "broker" and match.broker_id is None:
            match.broker_id = actor.user_id
        await repository.save_match(match, conn)
    return match_read(match)


async def broker_queue(*, actor: Actor, page: int, size: int, demand_id: int | None = None) -> dict[str, Any]:
    """The broker's matches to work, oldest first."""
    require_role(actor, "broker")
    total, rows = await repository.broker_queue(actor.user_id, (page - 1) * size, size, demand_id)
    return {"total": total, "page": page, "size": size, "items": [match_read(m) for m in rows]}


async def seed_demand(
    *, org_id: int, actor_id: int | None, body: dict[str, Any], publish: bool
) -> int | None:
    """Load one demand unless the organisation already has one with that title (idempotent seeding)."""
    if await repository.org_has_demand_titled(org_id, str(body.get("title"))):
        return None
    data = _parse(body)
    now = clock.now()
    async with in_transaction() as conn:
        demand = await repository.create_demand(
            connection=conn,
            org_id=org_id,
            created_by_id=actor_id,
            status="published" if publish else "draft",
            submitted_at=now if publish else None,
            published_at=now if publish else None,
            **_columns(data),
        )
        await _emit(demand, conn)
    return int(demand.id)


async def mark_matches_stale(*, field_codes: list[str]) -> int:
    """New or changed supply in these fields: the affected demands are re-matched by the worker."""
    return await repository.mark_stale_for_fields(field_codes)


async def demands_needing_matches(*, limit: int) -> list[int]:
    """Published demands whose matches are missing or stale."""
    return await repository.stale_published_demands(limit)


async def track_records(*, listing_ids: list[int]) -> dict[int, int]:
    """Won deals per listing, for ranking matches."""
    return await repository.won_counts(listing_ids)


async def match_facts(*, match_id: int) -> dict[str, Any] | None:
    """A match's status, buyer (the demand's organisation), seller (the listing's) and the people who worked it."""
    return await repository.match_facts(match_id)


async def match_history(*, match_id: int) -> list[dict[str, Any]]:
    """The status changes of a match, oldest first (contract traces)."""
    return await repository.match_history(match_id)
