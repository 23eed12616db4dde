"""Who may see and change demands and work their matches."""

from services.accounts.policies import Actor, require_member
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


def require_match_mover(actor: Actor, demand: Demand, match: Match) -> None:
    """A match is moved by its broker or an admin; an unclaimed one by any broker or the demand's organisation."""
    if actor.is_admin:
        return
    owner = match.broker_id
    if actor.role == "broker" and (owner is None or owner == actor.user_id):
        return
    if actor.role != "broker" and actor.org_id == demand.org_id and owner is None:
        return
    raise Forbidden(
        "match_forbidden",
        "该匹配由其他技术经纪人负责，仅其本人或管理员可操作",
        "only the match's broker or an admin may move it",
    )
