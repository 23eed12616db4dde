"""Accounts: organisations, users, tokens, invitations and login throttling."""

from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from services.accounts import repository
from services.accounts.models import Organisation, User
from services.accounts.policies import Actor, require_admin, require_member
from services.accounts.schemas import (
    AdminUserCreate,
    InviteCreate,
    InviteRead,
    MeRead,
    OrgCreate,
    OrgRead,
    RegisterRequest,
    Role,
    TokenRead,
    UserRead,
)
from services.accounts.security import hash_password, new_token, token_digest, verify_password
from services.core import clock
from services.core.audit import record_audit
from services.core.errors import Conflict, Invalid, NotFound, RateLimited, Unauthenticated
from services.core.redis import LOGIN_FAILURES_TTL, get_redis, login_failures_key
from services.core.settings import get_settings

MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_IP = 30
INVITE_TTL = timedelta(days=7)


def org_read(org: Organisation) -> OrgRead:
    """Schema of an organisation."""
    return OrgRead(
        id=org.id,
        name=org.name,
        uscc=org.uscc,
        kind=org.kind,
        region=org.region,
        verified=org.verified_at is not None,
        created_at=org.created_at,
    )


def user_read(user: User) -> UserRead:
    """Schema of a user."""
    return UserRead(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        org_id=user.org_id,
        created_at=user.created_at,
    )


async def create_org(*, actor: Actor | None, data: OrgCreate) -> OrgRead:
    """Create an organisation (admins; everyone else registers with one)."""
    require_admin(actor)
    try:
        async with in_transaction() as conn:
            org = await Organisation.create(**data.model_dump(mode="json"), using_db=conn)
            await record_audit(
                connection=conn,
                actor_id=actor.user_id if actor else None,
                action="org.create",
                object_type="organisation",
                object_id=org.id,
            )
    except IntegrityError as exc:
        raise Conflict("uscc_taken", "该统一社会信用代码已注册 (uscc already registered)") from exc
    return org_read(org)


async def get_org(*, org_id: int) -> OrgRead:
    """One organisation (public profile)."""
    org = await repository.get_org(org_id)
    if org is None:
        raise NotFound("org_not_found", f"机构 {org_id} 不存在 (organisation not found)")
    return org_read(org)


async def verify_org(*, actor: Actor, org_id: int) -> OrgRead:
    """An admin marks an organisation as verified."""
    require_admin(actor)
    async with in_transaction() as conn:
        updated = (
            await Organisation.filter(id=org_id)
            .using_db(conn)
            .update(verified_at=clock.now(), verified_by_id=actor.user_id)
        )
        if not updated:
            raise NotFound("org_not_found", f"机构 {org_id} 不存在 (organisation not found)")
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="org.verify",
            object_type="organisation",
            object_id=org_id,
        )
    return await get_org(org_id=org_id)


async def register(*, data: RegisterRequest) -> UserRead:
    """Self-registration: with a new organisation, or into an existing one with an invitation."""
    if data.role == Role.ADMIN:
        raise Invalid.field(["role"], "管理员账号只能由命令行创建 (admins are created with the CLI)")
    invitation = None
    if (data.org is None) == (data.invite is None):
        raise Invalid.field(["org"], "需要提供 org 或 invite 其中之一 (give exactly one of org or invite)")
    try:
        async with in_transaction() as conn:
            if data.org is not None:
                org = await Organisation.create(**data.org.model_dump(mode="json"), using_db=conn)
                org_id = org.id
                role: Role = data.role
            else:
                invitation = await repository.open_invitation(
                    token_digest(data.invite or ""), clock.now(), conn
                )
                if invitation is None:
                    raise Invalid.field(["invite"], "邀请码无效或已过期 (invitation invalid or expired)")
                if invitation.email and invitation.email.lower() != data.email.lower():
                    raise Invalid.field(["invite"], "邀请码不属于该邮箱 (invitation is for another e-mail)")
                org_id = invitation.org_id
                role = Role(invitation.role)
            user = await User.create(
                email=data.email.lower(),
                password_hash=hash_password(data.password),
                name=data.name,
                role=role.value,
                org_id=org_id,
                using_db=conn,
            )
            if data.invite is not None and invitation is not None:
                await invitation.update_from_dict({"used_at": clock.now(), "used_by_id": user.id}).save(
                    using_db=conn
                )
    except IntegrityError as exc:
        raise Conflict("already_registered", "邮箱或统一社会信用代码已注册 (e-mail or uscc taken)") from exc
    return user_read(user)


async def admin_create_user(*, actor: Actor | None, data: AdminUserCreate) -> UserRead:
    """An admin creates a user in an organisation."""
    require_admin(actor)
    if data.org_id is not None and await repository.get_org(data.org_id) is None:
        raise Invalid.field(["org_id"], f"机构 {data.org_id} 不存在 (organisation not found)")
    if data.org_id is None and data.role != Role.ADMIN:
        raise Invalid.field(["org_id"], "非管理员用户必须属于一个机构 (org_id required)")
    return await create_user(
        actor_id=actor.user_id if actor else None,
        email=data.email,
        password=data.password,
        name=data.name,
        role=data.role,
        org_id=data.org_id,
    )


async def create_user(
    *, actor_id: int | None, email: str, password: str, name: str, role: Role, org_id: int | None
) -> UserRead:
    """Create a user (used by admins and by the CLI)."""
    try:
        async with in_transaction() as conn:
            user = await User.create(
                email=email.lower(),
                password_hash=hash_password(password),
                name=name,
                role=role.value,
                org_id=org_id,
                using_db=conn,
            )
            await record_audit(
                connection=conn,
                actor_id=actor_id,
                action="user.create",
                object_type="user",
                object_id=user.id,
                detail={"role": role.value, "org_id": org_id},
            )
    except IntegrityError as exc:
        raise Conflict("email_taken", "该邮箱已注册 (e-mail already registered)") from exc
    return user_read(user)


async def _check_throttle(email: str, ip: str) -> None:
    redis = get_redis()
    account, address = await redis.mget(login_failures_key("account", email), login_failures_key("ip", ip))
    if int(account or 0) >= MAX_FAILURES_PER_ACCOUNT or int(address or 0) >= MAX_FAILURES_PER_IP:
        raise RateLimited(
            "too_many_attempts",
            "登录失败次数过多，请稍后再试 (too many failed logins)",
            retry_after=LOGIN_FAILURES_TTL,
        )


async def _count_failure(email: str, ip: str) -> None:
    redis = get_redis()
    async with redis.pipeline(transaction=True) as pipe:
        for key in (login_failures_key("account", email), login_failures_key("ip", ip)):
            pipe.incr(key)
            pipe.expire(key, LOGIN_FAILURES_TTL)
        await pipe.execute()


async def issue_token(*, email: str, password: str, ip: str, kind: str = "bearer") -> TokenRead:
    """Exchange e-mail and password for a bearer token, throttled per account and per IP."""
    email = email.strip().lower()
    await _check_throttle(email, ip)
    user = await repository.get_user_by_email(email)
    if (
        user is None
        or not user.is_active
        or not verify_password(user.password_hash if user else None, password)
    ):
        await _count_failure(email, ip)
        raise Unauthenticated("bad_credentials", "邮箱或密码错误 (wrong e-mail or password)")
    await get_redis().delete(login_failures_key("account", email))
    token = new_token()
    ttl = get_settings().access_token_ttl_seconds
    now = clock.now()
    await repository.create_token(
        user_id=user.id, digest=token_digest(token), expires_at=now + timedelta(seconds=ttl), kind=kind
    )
    await User.filter(id=user.id).update(last_login_at=now)
    return TokenRead(access_token=token, expires_in=ttl)


async def revoke_token(*, token: str) -> None:
    """Revoke a token (logout)."""
    await repository.revoke_token(token_digest(token), clock.now())


async def actor_for_token(*, token: str) -> Actor | None:
    """The caller behind a bearer token, or None when it is unknown, expired or revoked."""
    user = await repository.user_for_token(token_digest(token), clock.now())
    if user is None:
        return None
    return Actor(user_id=user.id, role=user.role, org_id=user.org_id)


async def get_me(*, actor: Actor) -> MeRead:
    """The caller with their organisation."""
    user = await repository.get_user(actor.user_id)
    if user is None:
        raise NotFound("user_not_found", "用户不存在 (user not found)")
    org = org_read(user.org) if user.org else None
    return MeRead(**user_read(user).model_dump(), org=org)


async def create_invite(*, actor: Actor, org_id: int, data: InviteCreate) -> InviteRead:
    """A member invites someone into their organisation."""
    require_member(actor, org_id)
    if data.role == Role.ADMIN:
        raise Invalid.field(["role"], "不能邀请管理员 (admins cannot be invited)")
    if await repository.get_org(org_id) is None:
        raise NotFound("org_not_found", f"机构 {org_id} 不存在 (organisation not found)")
    token = new_token()
    expires_at = clock.now() + INVITE_TTL
    from services.accounts.models import Invitation

    async with in_transaction() as conn:
        await Invitation.create(
            token_hash=token_digest(token),
            org_id=org_id,
            role=data.role.value,
            email=data.email.lower() if data.email else None,
            invited_by_id=actor.user_id,
            expires_at=expires_at,
            using_db=conn,
        )
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="org.invite",
            object_type="organisation",
            object_id=org_id,
            detail={"role": data.role.value},
        )
    return InviteRead(invite=token, org_id=org_id, role=data.role, expires_at=expires_at)


async def ensure_org(*, name: str, uscc: str, kind: str, region: str, verified: bool = True) -> int:
    """Create an organisation unless its USCC is known; returns its id (seeding and imports)."""
    org, _ = await Organisation.get_or_create(
        uscc=uscc,
        defaults={
            "name": name,
            "kind": kind,
            "region": region,
            "verified_at": clock.now() if verified else None,
        },
    )
    return int(org.id)


async def ensure_user(*, email: str, password: str, name: str, role: Role, org_id: int | None) -> int:
    """Create a user unless the e-mail is known; returns its id (seeding)."""
    user = await repository.get_user_by_email(email)
    if user is not None:
        return int(user.id)
    return (
        await create_user(actor_id=None, email=email, password=password, name=name, role=role, org_id=org_id)
    ).id


async def org_names(*, org_ids: list[int]) -> dict[int, str]:
    """Public names of organisations by id, in one query (lists that show both parties)."""
    return await repository.names_by_id(sorted(set(org_ids))) if org_ids else {}


async def list_orgs(*, actor: Actor, verified: bool | None, page: int, size: int) -> dict[str, object]:
    """Organisations for the admin's verification queue."""
    require_admin(actor)
    total, rows = await repository.page_orgs(verified=verified, offset=(page - 1) * size, limit=size)
    return {"total": total, "page": page, "size": size, "items": [org_read(o) for o in rows]}


async def member_ids(*, org_id: int) -> list[int]:
    """The active members of an organisation (recipients of its notifications)."""
    return await repository.member_ids(org_id)


async def active_role_of(*, user_id: int) -> str | None:
    """The role of an active user, or None when there is no such active user."""
    user = await repository.get_user(user_id)
    return user.role if user is not None and user.is_active else None
