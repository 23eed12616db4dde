"""Demands (技术需求) and the pipeline of their matches."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from services.accounts import service as accounts_service
from services.accounts.policies import Actor, require_admin, require_organisation, require_role
from services.catalog.moderation import contact_flags
from services.catalog.service import TRANSITIONS
from services.core import clock
from services.core.audit import record_audit
from services.core.bodies import parse_body
from services.core.db import Connection, transaction
from services.core.errors import Conflict, DomainError, Invalid, NotFound
from services.core.outbox import record_event
from services.core.transitions import TransitionTable, allows, next_state, run_transition
from services.demand import policies, repository
from services.demand.models import Demand, Match
from services.demand.schemas import (
    Budget,
    CloseReason,
    DemandCreate,
    DemandPage,
    DemandPendingEdit,
    DemandRead,
    MatchList,
    MatchRead,
    MatchStatusUpdate,
    NoteCreate,
    NoteRead,
    NoteVisibility,
    QueueParams,
    Reason,
    RevisionRead,
)
from services.enquiries import service as enquiries_service
from services.notifications import service as notifications
from services.notifications.schemas import NotificationKind
from services.reference.vocabulary import MATCH_STATUS_LABELS, ListingStatus, MatchStatus

DEMAND_TOPIC = "demand.changed"
# A demand lives the listing life-cycle: the same table, with the demand's status vocabulary.
DEMAND_TRANSITIONS: TransitionTable[ListingStatus] = {
    key: ListingStatus(target) for key, target in TRANSITIONS.items()
}
_DEMAND = ("需求", "demand")
# Pipeline moves a broker may make, each action named by the stage it leads to; `won`, `lost` and
# `dismissed` are final unless reopened by an admin. Staying put (a note without a move) is always allowed.
_M = MatchStatus
_PIPELINE_MOVES: dict[MatchStatus, tuple[MatchStatus, ...]] = {
    _M.SUGGESTED: (_M.SHORTLISTED, _M.CONTACTED, _M.DISMISSED),
    _M.SHORTLISTED: (_M.CONTACTED, _M.DISMISSED, _M.SUGGESTED),
    _M.CONTACTED: (_M.NEGOTIATING, _M.LOST, _M.DISMISSED),
    _M.NEGOTIATING: (_M.WON, _M.LOST),
    _M.WON: (),
    _M.LOST: (_M.NEGOTIATING,),
    _M.DISMISSED: (_M.SUGGESTED,),
}
MATCH_TRANSITIONS: TransitionTable[MatchStatus] = {
    **{(stage, stage): stage for stage in MatchStatus},
    **{(stage, target): target for stage, targets in _PIPELINE_MOVES.items() for target in targets},
}
# An admin corrects a match to any stage (policies.may_skip_pipeline).
_ANY_MATCH_MOVE: TransitionTable[MatchStatus] = {(a, b): b for a in MatchStatus for b in MatchStatus}
_MATCH = ("匹配", "match")


def search_snapshot(demand: Demand) -> dict[str, Any]:
    """What the public may find of a demand in search (type=demand): never a hidden enterprise, and only the
    title, fields and budget of a confidential one."""
    public = demand_read(demand)
    summary = public.problem or public.description
    return {
        "id": demand.id,
        "type": "demand",
        "status": demand.status,
        "org_id": public.org_id,
        "title": demand.title,
        "summary": summary[:200],
        "description": " ".join(p for p in (public.description, public.requirements) if p),
        "keywords": list(demand.keywords or []),
        "fields": list(demand.tech_fields or []),
        "region": demand.region,
        "kind": demand.kind,
        "price_min_fen": demand.budget_min_fen,
        "price_max_fen": demand.budget_max_fen,
        "published_at": demand.published_at.isoformat() if demand.published_at else None,
        "updated_at": clock.now().isoformat(),
    }


async def published_search_snapshots(batch: int = 1000) -> AsyncIterator[list[dict[str, Any]]]:
    """Every published demand's search snapshot with its version, in id order, in batches (reindex)."""
    after = 0
    while rows := await repository.published_demands_after(after, batch):
        yield [{**search_snapshot(d), "version": d.version} for d in rows]
        after = rows[-1].id


async def _emit(demand: Demand, connection: Connection) -> None:
    await record_event(
        connection=connection,
        topic=DEMAND_TOPIC,
        aggregate_type="demand",
        aggregate_id=demand.id,
        aggregate_version=demand.version,
        payload={"status": demand.status, "snapshot": search_snapshot(demand)},
    )


DEMAND_COLUMNS = ("title", "description", "fields", "keywords", "kind", "budget", "deadline", "region")
DETAIL_COLUMNS = ("problem", "requirements", "tried", "award_fen", "ip_terms", "confidentiality", "hide_org")
# Matches untouched this long are flagged overdue in the queue and reminded to their broker.
SLA_DAYS = 3


def demand_read(demand: Demand, actor: Actor | None = None, *, full: bool = False) -> DemandRead:
    """Schema of a demand as this reader may see it.

    A hidden enterprise name (org_id) and the text of a confidential demand (summary only, NDA) are shown only
    to its own side, brokers and admins (and to the matcher, `full`).
    """
    insider = full or policies.may_see_hidden_org(actor, demand)
    show_org = not demand.hide_org or insider
    show_text = demand.confidentiality == "public" or insider
    return DemandRead(
        id=demand.id,
        status=demand.status,
        org_id=demand.org_id if show_org else None,
        title=demand.title,
        description=demand.description if show_text else "",
        fields=demand.tech_fields,
        keywords=demand.keywords,
        kind=demand.kind,
        budget=Budget(min_fen=demand.budget_min_fen, max_fen=demand.budget_max_fen),
        deadline=demand.deadline,
        region=demand.region,
        created_at=demand.created_at,
        updated_at=demand.updated_at,
        reject_reason=demand.reject_reason,
        problem=demand.problem if show_text else "",
        requirements=demand.requirements if show_text else "",
        tried=demand.tried if show_text else "",
        award_fen=demand.award_fen,
        ip_terms=demand.ip_terms,
        confidentiality=demand.confidentiality,
        hide_org=demand.hide_org,
        broker_id=demand.broker_id,
        pending_edit=_pending_read(demand) if insider and actor is not None else None,
    )


def _pending_read(demand: Demand) -> DemandPendingEdit | None:
    edit = demand.pending_edit
    if edit is None:
        return None
    return DemandPendingEdit(
        text=edit["text"], changes=edit["changes"], flags=edit["flags"], submitted_at=edit["submitted_at"]
    )


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
        "problem": data.problem,
        "requirements": data.requirements,
        "tried": data.tried,
        "award_fen": data.award_fen,
        "ip_terms": data.ip_terms.value if data.ip_terms else None,
        "confidentiality": data.confidentiality.value,
        "hide_org": data.hide_org,
    }


async def create_demand(*, actor: Actor, body: Any, submit: bool = False) -> DemandRead:
    """An enterprise posts a demand: a draft, or (`submit`) straight into review in the same transaction."""
    require_role(actor, "enterprise", "broker", "provider")
    org_id = require_organisation(actor)
    data = parse_body(DemandCreate, body)
    async with transaction() as conn:
        demand = await repository.create_demand(
            connection=conn, org_id=org_id, created_by_id=actor.user_id, **_columns(data)
        )
        if submit:
            demand.status = next_state(DEMAND_TRANSITIONS, demand.status, "submit", subject=_DEMAND).value
            _stamp(demand, "submit")
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
    return demand_read(policies.require_visible(actor, demand), actor)


async def update_demand(*, actor: Actor, demand_id: int, patch: Any) -> DemandRead:
    """Edit or refine a demand (its organisation, its broker, admins); every change is kept as a revision."""
    if not isinstance(patch, dict):
        raise Invalid.field(["body"], "需要 JSON 对象", "a JSON object is required")
    async with transaction() as conn:
        demand = await repository.lock_demand(demand_id, conn)
        if demand is None:
            raise _not_found(demand_id)
        policies.require_demand_editor(actor, demand)
        if demand.status == "archived":
            raise Conflict("demand_archived", "已归档的需求不能修改", "archived demands cannot change")
        published = demand_read(demand, full=True).model_dump(mode="json", include=EDITABLE)
        reviewed = demand.status == "published" and not policies.edits_without_review(actor, demand)
        current = published
        if reviewed and demand.pending_edit is not None:
            # A further edit builds on the edit under review, never on the older published text.
            current = {**published, **demand.pending_edit["body"]}
        data = parse_body(DemandCreate, {**current, **patch})
        after = _editable(demand, data)
        changes = {key: [published[key], after[key]] for key in published if published[key] != after[key]}
        held = reviewed and (demand.pending_edit is not None or any(key in TEXT_COLUMNS for key in changes))
        if held and not changes:
            # The edit under review was taken back to the published text: nothing is left to review.
            demand.pending_edit = None
            demand.version += 1
            await repository.save_demand(demand, conn)
        elif held:
            demand.pending_edit = {
                "body": after,
                "changes": changes,
                "text": {key: after[key] for key in TEXT_COLUMNS},
                "flags": contact_flags(_strings(after, TEXT_COLUMNS)),
                "submitted_by": actor.user_id,
                "submitted_at": clock.now().isoformat(),
            }
            demand.submitted_at = clock.now()
            demand.version += 1
            await repository.save_demand(demand, conn)
            await repository.add_revision(
                demand_id=demand.id,
                actor_id=actor.user_id,
                changes={**changes, "held_for_review": True},
                connection=conn,
            )
        elif changes:
            demand.update_from_dict(_columns(data))
            demand.version += 1
            await repository.save_demand(demand, conn)
            await repository.add_revision(
                demand_id=demand.id, actor_id=actor.user_id, changes=changes, connection=conn
            )
            await _emit(demand, conn)
    return demand_read(demand, actor)


# The public text of a demand: an edit to any of it on a published demand is reviewed before it shows.
TEXT_COLUMNS = ("title", "description", "problem", "requirements", "tried", "keywords")
EDITABLE = {*DEMAND_COLUMNS, *DETAIL_COLUMNS}


def _editable(demand: Demand, data: DemandCreate) -> dict[str, Any]:
    """The editable fields of a demand once `data` is applied, in the read shape (JSON)."""
    return DemandRead.model_validate(
        {**demand_read(demand, full=True).model_dump(), **data.model_dump()}
    ).model_dump(mode="json", include=EDITABLE)


def _strings(values: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for key in keys:
        value = values.get(key)
        out.extend(value if isinstance(value, list) else [str(value or "")])
    return out


async def approve_edit(*, actor: Actor, demand_id: int) -> DemandRead:
    """Apply a published demand's held edit (admins); the index and the matches follow through the outbox."""
    return await _review_edit(actor, demand_id, "approve_edit", None)


async def reject_edit(*, actor: Actor, demand_id: int, reason: str) -> DemandRead:
    """Discard a published demand's held edit with a reason (admins); the published text stays."""
    return await _review_edit(actor, demand_id, "reject_edit", reason)


async def _review_edit(actor: Actor, demand_id: int, action: str, reason: str | None) -> DemandRead:
    require_admin(actor)
    async with transaction() as conn:
        demand = await repository.lock_demand(demand_id, conn)
        if demand is None:
            raise _not_found(demand_id)
        pending = demand.pending_edit
        if pending is None or not allows(DEMAND_TRANSITIONS, demand.status, action):
            raise Conflict("no_pending_edit", "没有待审核的修改", "the demand has no edit waiting for review")
        if action == "approve_edit":
            demand.update_from_dict(_columns(parse_body(DemandCreate, pending["body"])))
            demand.reject_reason = None
        else:
            demand.reject_reason = reason
        demand.pending_edit = None
        demand.version += 1
        await repository.save_demand(demand, conn)
        await repository.add_revision(
            demand_id=demand.id,
            actor_id=actor.user_id,
            changes={
                "review": action,
                "flags": pending.get("flags", []),
                **({"reason": reason} if reason else {}),
            },
            connection=conn,
        )
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action=f"demand.{action}",
            object_type="demand",
            object_id=demand.id,
            detail={"reason": reason} if reason else None,
        )
        if action == "approve_edit":
            await _emit(demand, conn)
    return demand_read(demand, actor)


async def review_queue(*, actor: Actor, page: int, size: int) -> DemandPage:
    """Demands submitted for review and held edits of published ones, oldest first (admins)."""
    require_admin(actor)
    total, rows = await repository.page_review_queue(offset=(page - 1) * size, limit=size)
    return DemandPage(total=total, page=page, size=size, items=[demand_read(d, actor) for d in rows])


async def may_edit_demand(*, actor: Actor, demand_id: int) -> bool:
    """Whether this caller may edit the demand (its organisation, its assigned broker, admins)."""
    demand = await repository.get_demand(demand_id)
    if demand is None or demand.status == "archived":
        return False
    try:
        policies.require_demand_editor(actor, demand)
    except DomainError:
        return False
    return True


async def list_revisions(*, actor: Actor, demand_id: int) -> list[RevisionRead]:
    """The edit history of a demand (its organisation, its broker, admins)."""
    demand = await repository.get_demand(demand_id)
    if demand is None:
        raise _not_found(demand_id)
    policies.require_demand_editor(actor, demand)
    return [
        RevisionRead(id=r.id, actor_id=r.actor_id, changes=r.changes, created_at=r.created_at)
        for r in await repository.revisions_of(demand_id)
    ]


def _stamp(demand: Demand, action: str, reason: str | None = None) -> None:
    """The fields a life-cycle step sets besides the status."""
    now = clock.now()
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

    async def save(demand: Demand, conn: Connection) -> None:
        if action == "publish" and demand.broker_id is None:
            await _assign_broker(demand, conn)
        await repository.save_demand(demand, conn)

    demand = await run_transition(
        table=DEMAND_TRANSITIONS,
        subject=_DEMAND,
        action=action,
        lock=lambda conn: repository.lock_demand(demand_id, conn),
        not_found=lambda: _not_found(demand_id),
        authorise=lambda demand: policies.require_demand_transition(actor, demand, action),
        change=lambda demand: _stamp(demand, action, reason),
        save=save,
        after=_emit,
    )
    return demand_read(demand, actor)


async def assign_broker(*, actor: Actor, demand_id: int, broker_id: int) -> DemandRead:
    """An admin (re)assigns a demand to a broker; its open matches follow."""
    require_admin(actor)
    if await accounts_service.role_of(user_id=broker_id) != "broker":
        raise Invalid.field(
            ["body", "broker_id"], "不是有效的技术经纪人", "not an active broker", code="not_a_broker"
        )
    async with transaction() as conn:
        demand = await repository.lock_demand(demand_id, conn)
        if demand is None:
            raise _not_found(demand_id)
        await _assign_broker(demand, conn, broker_id)
        await repository.save_demand(demand, conn)
    return demand_read(demand, actor)


async def _assign_broker(demand: Demand, connection: Connection, broker_id: int | None = None) -> None:
    """Give a demand to a broker — by field, balanced by load, unless named — and tell both sides."""
    broker_id = broker_id or await repository.pick_broker(list(demand.tech_fields or []), connection)
    if broker_id is None:
        return
    previous = demand.broker_id
    demand.broker_id = broker_id
    demand.assigned_at = clock.now()
    await repository.assign_matches(demand.id, broker_id, previous, connection)
    await notifications.notify(
        connection=connection,
        user_ids=[broker_id],
        kind=NotificationKind.BROKER_ASSIGNED,
        title=f"新需求分配给您：{demand.title}",
        link=f"/broker?demand_id={demand.id}",
    )
    await notifications.notify(
        connection=connection,
        user_ids=[demand.created_by_id],
        kind=NotificationKind.BROKER_ASSIGNED,
        title=f"需求“{demand.title}”已发布，并已分配技术经纪人跟进",
        link=f"/demands/{demand.id}",
    )


async def list_demands(*, actor: Actor, mine: bool, status: str | None, page: int, size: int) -> DemandPage:
    """Published demands for everyone signed in; own organisation's with `mine`; any status for admins."""
    org_id = actor.org_id if mine else None
    if not mine and status not in (None, "published"):
        require_admin(actor)
    total, rows = await repository.page_demands(
        status=status or (None if mine else "published"), org_id=org_id, offset=(page - 1) * size, limit=size
    )
    return DemandPage(total=total, page=page, size=size, items=[demand_read(d, actor) for d in rows])


async def demand_hall(*, actor: Actor | None, page: int, size: int) -> DemandPage:
    """The public 需求大厅: published demands, newest first; enterprises that chose to hide their name stay hidden."""
    total, rows = await repository.page_demands(
        status="published", org_id=None, offset=(page - 1) * size, limit=size
    )
    return DemandPage(total=total, page=page, size=size, items=[demand_read(d, actor) for d in rows])


async def demand_for_matching(*, demand_id: int) -> Demand | None:
    """The demand row the matcher works from."""
    return await repository.get_demand(demand_id)


async def check_match_access(*, actor: Actor, demand_id: int) -> Demand:
    """The demand, if the caller may see its matches (its organisation, brokers, admins)."""
    demand = await repository.get_demand(demand_id)
    if demand is None:
        raise _not_found(demand_id)
    return policies.require_match_access(actor, demand)


def _idle_days(match: Match) -> int:
    last = match.last_activity_at or match.created_at
    return max(0, (clock.now() - last).days) if last else 0


def match_read(match: Match, note: str = "") -> MatchRead:
    """Schema of a match; `note` is the latest note the reader may see."""
    idle = _idle_days(match)
    return MatchRead(
        match_id=match.id,
        type=match.listing_type,
        id=match.listing_id,
        title=match.title,
        score=match.score,
        reasons=[Reason(**r) for r in match.reasons],
        status=match.status,
        demand_id=match.demand_id,
        note=note,
        updated_at=match.updated_at,
        close_reason=match.close_reason,
        broker_id=match.broker_id,
        origin=match.origin,
        interest_at=match.interest_at,
        idle_days=idle,
        overdue=match.status in repository.OPEN_STATUSES and idle >= SLA_DAYS,
    )


async def _reads(actor: Actor, matches: list[Match]) -> list[MatchRead]:
    """Matches as this reader may see them: internal notes only for brokers and admins."""
    notes = await repository.notes_of([m.id for m in matches], policies.note_visibilities(actor))
    latest = {note.match_id: note.body for note in notes}
    return [match_read(m, latest.get(m.id, "")) for m in matches]


async def list_matches(*, actor: Actor, demand_id: int, listing_type: str | None, limit: int) -> MatchList:
    """Stored matches of a demand, best first."""
    rows = await repository.list_matches(demand_id, listing_type, limit)
    return MatchList(items=await _reads(actor, rows))


async def save_matches(*, demand_id: int, rows: list[dict[str, Any]]) -> int:
    """Store scored candidates, unique per (demand, listing); returns how many are new, and tells the buyer."""
    async with transaction() as conn:
        # Locked like a (re)assignment locks it: new matches go to the broker in charge at commit, never to
        # one replaced while the matcher was computing.
        demand = await repository.lock_demand(demand_id, conn)
        broker_id = demand.broker_id if demand else None
        added = await repository.upsert_matches(
            demand_id, [{**row, "broker_id": broker_id} for row in rows], conn
        )
        await repository.mark_matched(demand_id, conn)
        if demand is not None and added:
            await notifications.notify(
                connection=conn,
                user_ids=[demand.created_by_id],
                kind=NotificationKind.NEW_MATCHES,
                title=f"需求“{demand.title}”有 {added} 个新匹配",
                link=f"/demands/{demand_id}",
            )
    return added


async def _locked_match(actor: Actor, match_id: int, conn: Connection) -> tuple[Match, Demand]:
    match = await repository.get_match(match_id, conn)
    demand = None if match is None else await repository.get_demand(match.demand_id, conn)
    if match is None or demand is None or not policies.may_see_demand(actor, demand):
        raise NotFound("match_not_found", f"匹配 {match_id} 不存在", "match not found")
    policies.require_match_access(actor, demand)
    return match, demand


async def set_match_status(*, actor: Actor, match_id: int, data: MatchStatusUpdate) -> MatchRead:
    """The match's broker (or an admin) moves it along the pipeline; lost and dismissed need a reason."""
    target = data.status.value
    seen: dict[str, Any] = {}

    async def lock(conn: Connection) -> Match:
        match, seen["demand"] = await _locked_match(actor, match_id, conn)
        seen["from"] = match.status
        return match

    def change(match: Match) -> None:
        match.close_reason = data.reason.value if data.reason and target in ("lost", "dismissed") else None
        match.status_changed_at = match.last_activity_at = clock.now()
        match.broker_id = policies.claiming_broker(actor, match)

    async def after(match: Match, conn: Connection) -> None:
        demand: Demand = seen["demand"]
        await repository.add_match_event(
            match_id=match.id,
            actor_id=actor.user_id,
            from_status=seen["from"],
            to_status=target,
            note=data.note if data.note_visibility == NoteVisibility.SHARED else "",
            connection=conn,
        )
        if data.note:
            await repository.add_note(
                match_id=match.id,
                author_id=actor.user_id,
                visibility=data.note_visibility.value,
                body=data.note,
                connection=conn,
            )
        if target != seen["from"]:
            await notifications.notify(
                connection=conn,
                user_ids=[demand.created_by_id, match.broker_id],
                skip_user_id=actor.user_id,
                kind=NotificationKind.STAGE_CHANGED,
                title=f"匹配“{match.title}”进入「{MATCH_STATUS_LABELS.get(target, target)}」",
                link=f"/demands/{demand.id}",
            )

    match = await run_transition(
        table=_ANY_MATCH_MOVE if policies.may_skip_pipeline(actor) else MATCH_TRANSITIONS,
        subject=_MATCH,
        action=target,
        lock=lock,
        not_found=lambda: NotFound("match_not_found", f"匹配 {match_id} 不存在", "match not found"),
        authorise=lambda match: policies.require_match_mover(actor, seen["demand"], match),
        change=change,
        save=repository.save_match,
        after=after,
    )
    return (await _reads(actor, [match]))[0]


async def add_note(*, actor: Actor, match_id: int, data: NoteCreate) -> NoteRead:
    """Append a note to a match (never edited): internal to brokers, or shared with the buyer."""
    async with transaction() as conn:
        match, demand = await _locked_match(actor, match_id, conn)
        policies.require_match_mover(actor, demand, match)
        if data.visibility == NoteVisibility.INTERNAL:
            policies.require_internal_writer(actor)
        note = await repository.add_note(
            match_id=match.id,
            author_id=actor.user_id,
            visibility=data.visibility.value,
            body=data.body,
            connection=conn,
        )
        match.last_activity_at = clock.now()
        await repository.save_match(match, conn)
    return _note_read(note)


def _note_read(note: Any) -> NoteRead:
    return NoteRead(
        id=note.id,
        match_id=note.match_id,
        author_id=note.author_id,
        visibility=note.visibility,
        body=note.body,
        created_at=note.created_at,
    )


async def list_notes(*, actor: Actor, match_id: int) -> list[NoteRead]:
    """A match's notes the caller may read, oldest first."""
    async with transaction() as conn:
        await _locked_match(actor, match_id, conn)
    return [_note_read(n) for n in await repository.notes_of([match_id], policies.note_visibilities(actor))]


async def broker_queue(
    *, actor: Actor, page: int, size: int, params: QueueParams | None = None
) -> dict[str, Any]:
    """The broker's matches to work, filtered by demand, field, stage and idle days, sorted as asked."""
    require_role(actor, "broker")
    params = params or QueueParams()
    idle_before = clock.now() - timedelta(days=params.min_idle_days) if params.min_idle_days else None
    total, rows = await repository.broker_queue(
        actor.user_id,
        (page - 1) * size,
        size,
        demand_id=params.demand_id,
        field=params.field,
        status=params.status.value if params.status else None,
        idle_before=idle_before,
        sort=params.sort,
    )
    demands = await repository.demands_by_ids(sorted({m.demand_id for m in rows}))
    items = [
        item.model_copy(
            update={
                "demand_title": demands[item.demand_id].title if item.demand_id in demands else None,
                "demand_fields": list(demands[item.demand_id].tech_fields or [])
                if item.demand_id in demands
                else [],
            }
        )
        for item in await _reads(actor, rows)
    ]
    pages = (total + size - 1) // size
    return {"total": total, "page": page, "size": size, "pages": pages, "items": items}


async def remind_overdue(*, limit: int = 200) -> int:
    """Tell each broker which of their matches have been untouched for SLA_DAYS (once per SLA period)."""
    idle_before = clock.now() - timedelta(days=SLA_DAYS)
    rows = await repository.overdue_matches(idle_before, limit)
    async with transaction() as conn:
        for match in rows:
            await notifications.notify(
                connection=conn,
                user_ids=[match.broker_id],
                kind=NotificationKind.REMINDER,
                title=f"匹配“{match.title}”已 {_idle_days(match)} 天未跟进",
                link=f"/broker?demand_id={match.demand_id}",
            )
        await repository.mark_reminded([m.id for m in rows], conn)
    return len(rows)


async def demands_for_listing(
    *, actor: Actor, listing_id: int, owner_org_id: int | None, limit: int = 50
) -> MatchList:
    """Open demands a listing was matched to, for the listing's own organisation (supply → demand)."""
    policies.require_listing_owner(actor, owner_org_id)
    rows = await repository.matches_of_listing(listing_id, limit)
    return MatchList(items=[match_read(m) for m in rows])


async def express_interest(
    *, actor: Actor, listing_id: int, match_id: int, owner_org_id: int | None
) -> MatchRead:
    """The listing's organisation asks to be put forward for a demand: the match lands in the broker's queue."""
    policies.require_listing_owner(actor, owner_org_id)
    async with transaction() as conn:
        match = await repository.get_match(match_id, conn)
        demand = None if match is None else await repository.get_demand(match.demand_id, conn)
        if match is None or match.listing_id != listing_id or demand is None or demand.status != "published":
            raise NotFound("match_not_found", f"匹配 {match_id} 不存在", "match not found")
        if match.interest_at is None:
            match.interest_at = match.last_activity_at = clock.now()
            match.origin = match.origin if match.origin != "matcher" else "interest"
            await repository.save_match(match, conn)
            await notifications.notify(
                connection=conn,
                user_ids=[match.broker_id or demand.broker_id],
                kind=NotificationKind.INTEREST,
                title=f"供给方对需求“{demand.title}”表达了合作意向",
                link=f"/broker?demand_id={demand.id}&sort=interest",
            )
    return match_read(match)


async def listing_feedback(*, actor: Actor, owner_org_id: int | None, listing_id: int) -> dict[str, int]:
    """Why this listing's matches were lost or dismissed, counted by reason (no buyer, demand or broker named)."""
    policies.require_listing_owner(actor, owner_org_id)
    counts = await repository.close_reasons_of(listing_id)
    return {reason.value: counts.get(reason.value, 0) for reason in CloseReason}


async def contacts_of_match(match: Match, demand: Demand) -> list[dict[str, Any]]:
    """The contacts between the two parties of a match, oldest first: the buyer's enquiries to the listing
    (an expert) and the seller's expressed interest. Kinds, sides and times only — never who or what was said."""
    contacts = await enquiries_service.contacts_between(listing_id=match.listing_id, org_id=demand.org_id)
    if match.interest_at is not None:
        contacts.append({"kind": "interest", "from": "seller", "at": match.interest_at.isoformat()})
    return sorted(contacts, key=lambda c: str(c["at"]))


async def match_contacts(*, match_id: int) -> list[dict[str, Any]]:
    """The contacts between the parties of a match (contract traces); none for an unknown match."""
    match = await repository.get_match(match_id)
    demand = None if match is None else await repository.get_demand(match.demand_id)
    return [] if match is None or demand is None else await contacts_of_match(match, demand)


async def attribution(*, actor: Actor, match_id: int) -> dict[str, Any]:
    """The evidence of a broker's work on a match: the demand, its pipeline history, the contacts between the
    parties, and the notes (its follow-up record as a broker or admin reads it)."""
    record = await match_record(actor=actor, match_id=match_id)
    policies.require_attribution_reader(actor)
    return {
        "match": record["match"].model_dump(mode="json"),
        "demand": record["demand"].model_dump(mode="json"),
        "broker_id": record["match"].broker_id,
        "history": [{**h, "at": h["at"].isoformat()} for h in record["history"]],
        "contacts": record["contacts"],
        "notes": [n.model_dump(mode="json") for n in record["notes"]],
    }


async def match_record(*, actor: Actor, match_id: int) -> dict[str, Any]:
    """A match's follow-up record (跟进记录) as its reader may see it: the pipeline history and the notes for
    the demand's organisation (shared notes only); the contacts between the parties and the internal notes
    too for brokers and admins."""
    async with transaction() as conn:
        match, demand = await _locked_match(actor, match_id, conn)
    internal = policies.may_read_internal(actor)
    events = await repository.events_of(match_id)
    notes = await repository.notes_of([match_id], policies.note_visibilities(actor))
    return {
        "match": match_read(match),
        "demand": demand_read(demand, actor),
        "history": [
            {"actor_id": e.actor_id, "from": e.from_status, "to": e.to_status, "at": e.created_at}
            for e in events
        ],
        "contacts": await contacts_of_match(match, demand) if internal else [],
        "notes": [_note_read(n) for n in notes],
        "may_write_internal": internal,
        "may_write": policies.may_move_match(actor, demand, match),
    }


async def seed_demand(
    *, org_id: int, actor_id: int | None, body: dict[str, Any], publish: bool
) -> int | None:
    """Load one demand unless the organisation already has one with that title (idempotent seeding)."""
    if await repository.org_has_demand_titled(org_id, str(body.get("title"))):
        return None
    data = parse_body(DemandCreate, body)
    now = clock.now()
    async with transaction() as conn:
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


async def mark_matches_stale(*, field_codes: list[str], demand_ids: list[int], connection: Connection) -> int:
    """Supply in these fields or these demands changed: mark them for re-matching, in the caller's transaction.

    Marked in the same transaction as the outbox rows, so a drained outbox plus no stale published demand
    (`matches_pending`) means every match is computed.
    """
    await repository.mark_stale(demand_ids, connection)
    return await repository.mark_stale_for_fields(field_codes, connection)


async def demands_needing_matches(*, limit: int) -> list[int]:
    """Published demands whose matches are missing or stale."""
    return await repository.stale_published_demands(limit)


async def count_demands_needing_matches() -> int:
    """How many published demands still wait for the worker to (re-)compute their matches."""
    return await repository.count_stale_published_demands()


async def track_records(*, listing_ids: list[int]) -> dict[int, dict[str, int]]:
    """How each listing's earlier matches ended (won; lost or dismissed by reason), for ranking matches."""
    return await repository.outcome_counts(listing_ids)


async def match_facts(*, match_id: int) -> dict[str, Any] | None:
    """A match's status, buyer (the demand's organisation), seller (the listing's) and the people who worked it."""
    return await repository.match_facts(match_id)


async def match_history(*, match_id: int) -> list[dict[str, Any]]:
    """The status changes of a match, oldest first (contract traces)."""
    return await repository.match_history(match_id)


async def ranking_outcomes(*, limit: int) -> list[dict[str, Any]]:
    """Matches with the features they were scored on and where they ended (for learning to rank)."""
    return await repository.training_rows(limit)


async def record_ranking_model(*, algorithm: str, metrics: dict[str, Any], payload: str, adopt: bool) -> int:
    """Keep a trained model with its hold-out metrics; an adopted one replaces the previous."""
    model = await repository.save_ranking_model(
        algorithm=algorithm, metrics=metrics, payload=payload, adopt=adopt
    )
    return int(model.id)


async def adopted_ranking_model() -> tuple[int, str] | None:
    """The adopted ranking model (id, payload), if any."""
    model = await repository.adopted_ranking_model()
    return (int(model.id), model.payload) if model else None
