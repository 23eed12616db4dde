"""Who may see and change demands and work their matches."""

from services.accounts.policies import Actor, require_admin, require_member
from services.core.errors import Forbidden, NotFound
from services.demand.models import Demand, Match


def may_see_demand(actor: Actor | None, demand: Demand) -> bool:
    """Published demands for anyone signed in; others for their organisation and admins."""
    if actor is None:
        return False
    if demand.status == "published":
        return True
    return actor.is_admin or actor.org_id == demand.org_id


def require_visible(actor: Actor | None, demand: Demand) -> Demand:
    """To anyone who may not see it, a demand does not exist (404, not 403)."""
    if not may_see_demand(actor, demand):
        raise NotFound("demand_not_found", f"需求 {demand.id} 不存在", "demand not found")
    return demand


def require_demand_member(actor: Actor, demand: Demand) -> None:
    """The demand's organisation (and admins) may edit, submit and archive it."""
    require_visible(actor, demand)
    require_member(actor, demand.org_id)


def require_demand_transition(actor: Actor, demand: Demand, action: str) -> None:
    """Admins publish and reject (moderation); the demand's organisation submits, unpublishes and archives."""
    if action in ("publish", "reject"):
        require_admin(actor)
    else:
        require_demand_member(actor, demand)


def may_see_matches(actor: Actor, demand: Demand) -> bool:
    """The demand's organisation, brokers and admins see a demand's matches."""
    return actor.is_admin or actor.role == "broker" or actor.org_id == demand.org_id


def require_match_access(actor: Actor, demand: Demand) -> Demand:
    """The demand, if the caller may see its matches."""
    require_visible(actor, demand)
    if not may_see_matches(actor, demand):
        raise Forbidden(
            "matches_forbidden",
            "仅需求方、技术经纪人和管理员可查看匹配",
            "only the demand's side may see matches",
        )
    return demand


def may_move_match(actor: Actor, demand: Demand, match: Match) -> bool:
    """A match is moved by its broker or an admin; an unclaimed one by any broker or the demand's organisation."""
    if actor.is_admin:
        return True
    owner = match.broker_id
    if actor.role == "broker":
        return owner is None or owner == actor.user_id
    return actor.org_id == demand.org_id and owner is None


def require_match_mover(actor: Actor, demand: Demand, match: Match) -> None:
    """Refuse anyone but who may move the match (see may_move_match)."""
    if not may_move_match(actor, demand, match):
        raise Forbidden(
            "match_forbidden",
            "该匹配由其他技术经纪人负责，仅其本人或管理员可操作",
            "only the match's broker or an admin may move it",
        )


def may_see_hidden_org(actor: Actor | None, demand: Demand) -> bool:
    """Who sees the enterprise behind a demand that hides its name: its own members, brokers and admins."""
    return actor is not None and (actor.is_admin or actor.role == "broker" or actor.org_id == demand.org_id)


def require_demand_editor(actor: Actor, demand: Demand) -> None:
    """A demand is edited by its organisation, refined by its assigned broker, or changed by an admin."""
    require_visible(actor, demand)
    if actor.role == "broker" and demand.broker_id == actor.user_id:
        return
    require_member(actor, demand.org_id)


def may_read_internal(actor: Actor) -> bool:
    """Internal notes are for brokers and admins; the buyer and the lister never see them."""
    return actor.is_admin or actor.role == "broker"


def note_visibilities(actor: Actor) -> tuple[str, ...]:
    """The note visibilities a reader may see."""
    return ("internal", "shared") if may_read_internal(actor) else ("shared",)


def require_listing_owner(actor: Actor, owner_org_id: int | None) -> None:
    """Only a listing's own organisation (or an admin) sees the demands it was matched to."""
    if owner_org_id is None or not (actor.is_admin or actor.org_id == owner_org_id):
        raise Forbidden(
            "not_listing_owner",
            "仅该资源所属机构可查看其匹配的需求",
            "only the listing's organisation may see this",
        )


def edits_without_review(actor: Actor, demand: Demand) -> bool:
    """Admins and the demand's assigned broker (an approved, accountable person) change published text at
    once; the enterprise's own edits of a published demand wait for review."""
    return actor.is_admin or (actor.role == "broker" and demand.broker_id == actor.user_id)


def may_work_matches(actor: Actor) -> bool:
    """Brokers (and admins) move matches along the whole pipeline and register the contracts."""
    return may_read_internal(actor)


def may_skip_pipeline(actor: Actor) -> bool:
    """An admin may move a match to any status, outside the pipeline's transitions (corrections)."""
    return actor.is_admin


def claiming_broker(actor: Actor, match: Match) -> int | None:
    """The broker a match belongs to after the caller moves it: a broker who moves an unclaimed match claims it."""
    owner: int | None = match.broker_id
    if owner is None and actor.role == "broker":
        return actor.user_id
    return owner


def require_internal_writer(actor: Actor) -> None:
    """Internal notes are written by brokers and admins only."""
    if not may_read_internal(actor):
        raise Forbidden("internal_note_forbidden", "仅技术经纪人和管理员可写内部备注", "brokers only")


def require_attribution_reader(actor: Actor) -> None:
    """A match's attribution evidence (pipeline history, internal notes) is for brokers and admins."""
    if not may_read_internal(actor):
        raise Forbidden("attribution_forbidden", "仅技术经纪人和管理员可查看", "brokers and admins only")
