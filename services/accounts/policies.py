"""Who may do what: the caller as the services see it, and the rules over it."""

from dataclasses import dataclass

from services.core.errors import Forbidden


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    role: str
    org_id: int | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def require_admin(actor: Actor | None) -> Actor:
    """Only zone administrators pass."""
    if actor is None or not actor.is_admin:
        raise Forbidden("admin_only", "仅管理员可执行此操作", "admin only")
    return actor


def require_member(actor: Actor | None, org_id: int) -> Actor:
    """Members of the organisation (or admins) pass."""
    if actor is None or (not actor.is_admin and actor.org_id != org_id):
        raise Forbidden("not_a_member", "仅该机构成员可执行此操作", "members of the organisation only")
    return actor


def require_organisation(actor: Actor | None) -> int:
    """Callers who belong to an organisation pass; returns its id."""
    if actor is None or actor.org_id is None:
        raise Forbidden("no_organisation", "需要先加入一个机构", "join an organisation first")
    return actor.org_id


def require_role(actor: Actor | None, *roles: str) -> Actor:
    """Callers with one of the roles (or admins) pass."""
    if actor is None or (not actor.is_admin and actor.role not in roles):
        raise Forbidden("role_not_allowed", f"需要以下角色之一: {', '.join(roles)}", "role not allowed")
    return actor
