"""Who may do what: the caller as the services see it, and the rules over it."""

from dataclasses import dataclass

from services.accounts.schemas import INVITABLE_ROLES, SELF_SERVICE_ROLES
from services.core.errors import Forbidden
from services.reference.vocabulary import Role


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


def organisation_scope(actor: Actor) -> int | None:
    """The organisation whose rows a list shows: the caller's own, or every one (None) for an admin."""
    if actor.is_admin:
        return None
    return require_organisation(actor)


def require_self_service_role(role: Role, *, new_org: bool) -> None:
    """Registering with a new organisation yields an enterprise or provider member only."""
    if new_org and role not in SELF_SERVICE_ROLES:
        raise Forbidden(
            "role_not_self_service",
            f"自助注册只能成为企业或服务提供方成员，{role.value} 角色需经管理员授予",
            f"self-registration yields enterprise or provider members only; {role.value} is granted by an admin",
        )


def require_invitable_role(role: Role) -> None:
    """Members invite enterprise, provider and expert members; brokers and admins come another way."""
    if role not in INVITABLE_ROLES:
        raise Forbidden(
            "role_not_invitable",
            f"不能邀请 {role.value} 角色：经纪人须经管理员审核，管理员由命令行创建",
            f"{role.value} cannot be invited: brokers are approved by an admin, admins come from the CLI",
        )


def require_role(actor: Actor | None, *roles: str) -> Actor:
    """Callers with one of the roles (or admins) pass."""
    if actor is None or (not actor.is_admin and actor.role not in roles):
        raise Forbidden("role_not_allowed", f"需要以下角色之一: {', '.join(roles)}", "role not allowed")
    return actor
