"""Accounts: organisations, users, tokens, invitations and login throttling."""

from datetime import timedelta
from typing import Any

from redis.exceptions import RedisError

from services.accounts import repository, sessions
from services.accounts.models import Organisation, User
from services.accounts.passwords import password_problem
from services.accounts.policies import (
    Actor,
    require_admin,
    require_invitable_role,
    require_member,
    require_self_service_role,
)
from services.accounts.schemas import (
    AdminUserCreate,
    InviteCreate,
    InviteRead,
    MailRead,
    MeRead,
    OrgCreate,
    OrgRead,
    RegisterRequest,
    TokenRead,
    UserRead,
)
from services.accounts.security import (
    hash_password_async,
    new_token,
    token_digest,
    verify_password_async,
)
from services.core import clock
from services.core.audit import record_audit
from services.core.db import UniqueViolation, transaction
from services.core.errors import (
    Conflict,
    Invalid,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
)
from services.core.outbox import record_event
from services.core.redis import get_redis, login_attempts_key
from services.core.settings import get_settings
from services.reference.vocabulary import Role

# An administrator verified an organisation (the worker re-indexes its published listings).
ORG_VERIFIED_TOPIC = "org.verified"
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_IP = 30
LOGIN_ATTEMPTS_TTL = 15 * 60
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
        async with transaction() as conn:
            org = await repository.create_org(conn, **data.model_dump(mode="json"))
            await record_audit(
                connection=conn,
                actor_id=actor.user_id if actor else None,
                action="org.create",
                object_type="organisation",
                object_id=org.id,
            )
    except UniqueViolation as exc:
        raise Conflict("uscc_taken", "该统一社会信用代码已注册", "uscc already registered") from exc
    return org_read(org)


async def get_org(*, org_id: int) -> OrgRead:
    """One organisation (public profile)."""
    org = await repository.get_org(org_id)
    if org is None:
        raise NotFound("org_not_found", f"机构 {org_id} 不存在", "organisation not found")
    return org_read(org)


async def verify_org(*, actor: Actor, org_id: int) -> OrgRead:
    """An admin marks an organisation as verified."""
    require_admin(actor)
    async with transaction() as conn:
        updated = await repository.mark_org_verified(org_id, actor.user_id, clock.now(), conn)
        if not updated:
            raise NotFound("org_not_found", f"机构 {org_id} 不存在", "organisation not found")
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="org.verify",
            object_type="organisation",
            object_id=org_id,
        )
        # The worker re-sends the organisation's published listings to the index (their cards say 已认证).
        await record_event(
            connection=conn,
            topic=ORG_VERIFIED_TOPIC,
            aggregate_type="organisation",
            aggregate_id=org_id,
            payload={"verified": True},
        )
    return await get_org(org_id=org_id)


async def register(*, data: RegisterRequest) -> UserRead:
    """Self-registration: with a new organisation, or into an existing one with an invitation."""
    require_self_service_role(data.role, new_org=data.org is not None)
    invitation = None
    if (data.org is None) == (data.invite is None):
        raise Invalid.field(["org"], "需要提供 org 或 invite 其中之一", "give exactly one of org or invite")
    _check_password(data.password, data.email, data.name)
    password_hash = await hash_password_async(data.password)
    try:
        async with transaction() as conn:
            # Checked before the insert: a unique violation would put the e-mail in the database's log.
            if await repository.email_taken(data.email, conn):
                raise Conflict("already_registered", "邮箱或统一社会信用代码已注册", "e-mail or uscc taken")
            if data.org is not None:
                org = await repository.create_org(conn, **data.org.model_dump(mode="json"))
                org_id = org.id
                role: Role = data.role
            else:
                invitation = await repository.open_invitation(
                    token_digest(data.invite or ""), clock.now(), conn
                )
                if invitation is None:
                    raise Invalid.field(["invite"], "邀请码无效或已过期", "invitation invalid or expired")
                if invitation.email and invitation.email.lower() != data.email.lower():
                    raise Invalid.field(["invite"], "邀请码不属于该邮箱", "invitation is for another e-mail")
                org_id = invitation.org_id
                role = Role(invitation.role)
            user = await repository.create_user(
                conn,
                email=data.email.lower(),
                password_hash=password_hash,
                name=data.name,
                role=role.value,
                org_id=org_id,
            )
            if data.invite is not None and invitation is not None:
                await repository.use_invitation(invitation, user.id, clock.now(), conn)
            await record_audit(
                connection=conn,
                actor_id=invitation.invited_by_id if invitation is not None else user.id,
                action="user.register",
                object_type="user",
                object_id=user.id,
                detail={"role": role.value, "org_id": org_id, "invited": invitation is not None},
            )
    except UniqueViolation as exc:
        raise Conflict("already_registered", "邮箱或统一社会信用代码已注册", "e-mail or uscc taken") from exc
    return user_read(user)


def _check_password(password: str, email: str, name: str) -> None:
    problem = password_problem(password, user_inputs=(email, name))
    if problem:
        raise Invalid.field(["password"], problem.zh, problem.en, code="weak_password")


async def admin_create_user(*, actor: Actor | None, data: AdminUserCreate) -> UserRead:
    """An admin creates a user in an organisation."""
    require_admin(actor)
    if data.org_id is not None and await repository.get_org(data.org_id) is None:
        raise Invalid.field(["org_id"], f"机构 {data.org_id} 不存在", "organisation not found")
    if data.org_id is None and data.role != Role.ADMIN:
        raise Invalid.field(["org_id"], "非管理员用户必须属于一个机构", "org_id required")
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
    _check_password(password, email, name)
    password_hash = await hash_password_async(password)
    try:
        async with transaction() as conn:
            if await repository.email_taken(email, conn):
                raise Conflict("email_taken", "该邮箱已注册", "e-mail already registered")
            user = await repository.create_user(
                conn,
                email=email.lower(),
                password_hash=password_hash,
                name=name,
                role=role.value,
                org_id=org_id,
            )
            await record_audit(
                connection=conn,
                actor_id=actor_id,
                action="user.create",
                object_type="user",
                object_id=user.id,
                detail={"role": role.value, "org_id": org_id},
            )
    except UniqueViolation as exc:
        raise Conflict("email_taken", "该邮箱已注册", "e-mail already registered") from exc
    return user_read(user)


async def grant_role(*, actor: Actor, user_id: int, role: Role, reason: str, connection: Any) -> None:
    """An admin's grant of a role, audited in the caller's transaction."""
    require_admin(actor)
    user = await repository.lock_user(user_id, connection)
    if user is None:
        raise NotFound("user_not_found", "用户不存在", "user not found")
    await repository.set_role(user_id, role.value, connection)
    await record_audit(
        connection=connection,
        actor_id=actor.user_id,
        action="role.grant",
        object_type="user",
        object_id=user_id,
        detail={"role": role.value, "previous_role": user.role, "reason": reason},
    )


# Count first, then decide, in one atomic step: 60 concurrent guesses can never all see "4 so far".
# KEYS[1] = attempts for this account from this address, KEYS[2] = attempts from this address (any account).
# Returns 0 when this attempt may be evaluated, else the counter that refused it (1 or 2).
_ADMIT = """
local pair = redis.call('INCR', KEYS[1])
if pair == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if pair > tonumber(ARGV[1]) then return 1 end
local address = redis.call('INCR', KEYS[2])
if address == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
if address > tonumber(ARGV[2]) then return 2 end
return 0
"""

# A success clears the account+address counter and gives the address its attempt back (never below 0,
# and never on a counter that has expired meanwhile, which would leave a key without a TTL).
_FORGET = """
redis.call('DEL', KEYS[1])
local address = tonumber(redis.call('GET', KEYS[2]) or '0')
if address > 0 then redis.call('DECR', KEYS[2]) end
return 0
"""


def _throttle_keys(email: str, ip: str) -> tuple[str, str]:
    # The account is keyed together with the address: a stranger's guesses lock the account out for the
    # stranger's address only, never for its owner.
    return login_attempts_key("account-ip", f"{email}|{ip}"), login_attempts_key("ip", ip)


async def _admit(keys: tuple[str, str], limits: tuple[int, int], ttl: int) -> int:
    """Count one attempt against two counters atomically; 0 when admitted, else the refusing counter."""
    return int(await get_redis().eval(_ADMIT, 2, *keys, str(limits[0]), str(limits[1]), str(ttl)))  # type: ignore[misc]


async def _admit_attempt(email: str, ip: str) -> None:
    try:
        refused = await _admit(
            _throttle_keys(email, ip), (MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_IP), LOGIN_ATTEMPTS_TTL
        )
    except RedisError as exc:
        # Rate limits fail closed for login: without the counters we cannot bound guessing.
        raise Unavailable(
            "login_unavailable", "登录服务暂不可用，请稍后重试", "login is temporarily unavailable"
        ) from exc
    if refused:
        raise RateLimited(
            "too_many_attempts",
            "登录失败次数过多，请稍后再试",
            "too many failed logins",
            retry_after=LOGIN_ATTEMPTS_TTL,
        )


async def _forget_attempt(email: str, ip: str) -> None:
    """A successful login clears this account's counter and gives the address its attempt back."""
    await get_redis().eval(_FORGET, 2, *_throttle_keys(email, ip))  # type: ignore[misc]


async def issue_token(*, email: str, password: str, ip: str, kind: str = "bearer") -> TokenRead:
    """Exchange e-mail and password for a bearer token, throttled per account+address and per address."""
    email = email.strip().lower()
    await _admit_attempt(email, ip)
    user = await repository.get_user_by_email(email)
    usable = user is not None and user.is_active
    # Unknown and inactive accounts are verified against a dummy hash: the same work, the same time.
    matches = await verify_password_async(user.password_hash if user and usable else None, password)
    if user is None or not usable or not matches:
        raise Unauthenticated("bad_credentials", "邮箱或密码错误", "wrong e-mail or password")
    await _forget_attempt(email, ip)
    token = new_token()
    ttl = get_settings().access_token_ttl_seconds
    now = clock.now()
    await repository.create_token(
        user_id=user.id, digest=token_digest(token), expires_at=now + timedelta(seconds=ttl), kind=kind
    )
    await repository.touch_last_login(user.id, now)
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


async def _end_sessions(user_id: int) -> None:
    # Portal sessions die without this too (each request re-reads the account and the fingerprint of its
    # password hash); deleting them just frees Redis early, so Redis being down is no reason to fail.
    try:
        await sessions.end_all_sessions(user_id=user_id)
    except RedisError:
        return


async def change_password(*, actor: Actor, current_password: str, new_password: str) -> None:
    """The caller changes their password; every token and portal session of theirs ends at once."""
    user = await repository.get_user(actor.user_id)
    if user is None or not await verify_password_async(user.password_hash, current_password):
        raise Unauthenticated("bad_credentials", "当前密码错误", "current password is wrong")
    problem = password_problem(new_password, user_inputs=(user.email, user.name))
    if problem:
        raise Invalid.field(["new_password"], problem.zh, problem.en, code="weak_password")
    new_hash = await hash_password_async(new_password)
    async with transaction() as conn:
        await repository.set_password_hash(user.id, new_hash, conn)
        await repository.revoke_all_tokens(user.id, clock.now(), conn)
        await record_audit(
            connection=conn,
            actor_id=user.id,
            action="user.password_change",
            object_type="user",
            object_id=user.id,
        )
    await _end_sessions(user.id)


RESET_TTL = timedelta(minutes=30)
MAX_RESETS_PER_EMAIL = 3
MAX_RESETS_PER_IP = 20
RESET_WINDOW_SECONDS = 30 * 60
_RESET_SUBJECT = "科技服务超市：重置密码"
_RESET_BODY = """{name}，您好：

我们收到了重置您在西部（重庆）科学城科技服务超市账号密码的请求。请在 30 分钟内打开下面的链接设置新密码：

{link}

该链接只能使用一次。如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。

科技服务超市
"""


async def _admit_reset(email: str, ip: str) -> None:
    keys = (login_attempts_key("reset-email", email), login_attempts_key("reset-ip", ip))
    try:
        refused = await _admit(keys, (MAX_RESETS_PER_EMAIL, MAX_RESETS_PER_IP), RESET_WINDOW_SECONDS)
    except RedisError as exc:
        raise Unavailable(
            "reset_unavailable",
            "重置密码服务暂不可用，请稍后重试",
            "password reset is temporarily unavailable",
        ) from exc
    if refused:
        raise RateLimited(
            "too_many_resets",
            "重置密码请求过于频繁，请稍后再试",
            "too many password reset requests",
            retry_after=RESET_WINDOW_SECONDS,
        )


async def request_password_reset(*, email: str, ip: str) -> None:
    """Mail a single-use reset link to an active account; says nothing about whether the account exists."""
    email = email.strip().lower()
    await _admit_reset(email, ip)
    user = await repository.get_user_by_email(email)
    token = new_token()
    digest = token_digest(token)
    if user is None or not user.is_active:
        return
    link = f"{get_settings().public_url.rstrip('/')}/password-reset?token={token}"
    async with transaction() as conn:
        await repository.create_password_reset(
            user_id=user.id, digest=digest, expires_at=clock.now() + RESET_TTL, connection=conn
        )
        await repository.queue_mail(
            to=user.email,
            subject=_RESET_SUBJECT,
            body=_RESET_BODY.format(name=user.name, link=link),
            connection=conn,
        )
        await record_audit(
            connection=conn,
            actor_id=user.id,
            action="user.password_reset_request",
            object_type="user",
            object_id=user.id,
        )


async def confirm_password_reset(*, token: str, new_password: str) -> None:
    """Set a new password with a reset token; the token is spent and every session of the account ends."""
    now = clock.now()
    invalid = Invalid.field(
        ["token"],
        "重置链接无效或已过期，请重新申请",
        "the reset link is invalid or expired",
        code="invalid_reset_token",
    )
    async with transaction() as conn:
        reset = await repository.open_password_reset(token_digest(token), now, conn)
        user = await repository.lock_user(reset.user_id, conn) if reset is not None else None
        if reset is None or user is None or not user.is_active:
            raise invalid
        problem = password_problem(new_password, user_inputs=(user.email, user.name))
        if problem:
            raise Invalid.field(["new_password"], problem.zh, problem.en, code="weak_password")
        new_hash = await hash_password_async(new_password)
        await repository.set_password_hash(user.id, new_hash, conn)
        await repository.use_password_reset(reset.id, now, conn)
        await repository.revoke_all_tokens(user.id, now, conn)
        await record_audit(
            connection=conn,
            actor_id=user.id,
            action="user.password_reset",
            object_type="user",
            object_id=user.id,
        )
    await _end_sessions(user.id)


async def recent_mail(*, actor: Actor | None, limit: int = 100) -> list[MailRead]:
    """Outgoing mail, newest first (the development mail viewer; admins only)."""
    require_admin(actor)
    return [
        MailRead.model_validate(mail, from_attributes=True) for mail in await repository.recent_mail(limit)
    ]


async def get_mail(*, actor: Actor | None, mail_id: int) -> MailRead:
    """One outgoing message (the development mail viewer; admins only)."""
    require_admin(actor)
    mail = await repository.get_mail(mail_id)
    if mail is None:
        raise NotFound("mail_not_found", "邮件不存在", "no such mail")
    return MailRead.model_validate(mail, from_attributes=True)


async def deactivate_user(*, actor: Actor, user_id: int) -> UserRead:
    """An admin deactivates an account; its tokens and sessions stop working on the next request."""
    require_admin(actor)
    if user_id == actor.user_id:
        raise Conflict("cannot_deactivate_self", "不能停用自己的账号", "admins cannot deactivate themselves")
    user = await repository.get_user(user_id)
    if user is None:
        raise NotFound("user_not_found", "用户不存在", "user not found")
    async with transaction() as conn:
        await repository.set_active(user_id, False, conn)
        await repository.revoke_all_tokens(user_id, clock.now(), conn)
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="user.deactivate",
            object_type="user",
            object_id=user_id,
        )
    await _end_sessions(user_id)
    return user_read(user)


async def get_me(*, actor: Actor) -> MeRead:
    """The caller with their organisation."""
    user = await repository.get_user(actor.user_id)
    if user is None:
        raise NotFound("user_not_found", "用户不存在", "user not found")
    org = org_read(user.org) if user.org else None
    return MeRead(**user_read(user).model_dump(), org=org)


_INVITE_SUBJECT = "科技服务超市：同事邀请您加入机构"
_INVITE_BODY = """您好：

您的同事邀请您以机构成员身份加入西部（重庆）科学城科技服务超市：{org}。请在 7 天内打开下面的链接完成注册：

{link}

该链接只能使用一次，且仅限本邮箱注册。如果您不认识邀请人，请忽略本邮件。
"""


def invite_link(token: str) -> str:
    """The registration link that carries an invitation."""
    return f"{get_settings().public_url.rstrip('/')}/register?invite={token}"


async def create_invite(*, actor: Actor, org_id: int, data: InviteCreate) -> InviteRead:
    """A member invites someone into their organisation."""
    require_member(actor, org_id)
    require_invitable_role(data.role)
    if await repository.get_org(org_id) is None:
        raise NotFound("org_not_found", f"机构 {org_id} 不存在", "organisation not found")
    token = new_token()
    expires_at = clock.now() + INVITE_TTL
    async with transaction() as conn:
        await repository.create_invitation(
            conn,
            token_hash=token_digest(token),
            org_id=org_id,
            role=data.role.value,
            email=data.email.lower() if data.email else None,
            invited_by_id=actor.user_id,
            expires_at=expires_at,
        )
        if data.email:
            # The invitation goes to the named person; the link works for that e-mail only.
            org = await repository.get_org(org_id)
            await repository.queue_mail(
                to=data.email.lower(),
                subject=_INVITE_SUBJECT,
                body=_INVITE_BODY.format(org=org.name if org else "", link=invite_link(token)),
                connection=conn,
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
    org = await repository.get_or_create_org(
        uscc, name=name, kind=kind, region=region, verified_at=clock.now() if verified else None
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


async def user_names(*, user_ids: list[int]) -> dict[int, str]:
    """Names of people by id, in one query (review queues that show who filed)."""
    return await repository.user_names_by_id(sorted(set(user_ids))) if user_ids else {}


async def people_with_role(*, actor: Actor, role: Role, limit: int = 500) -> list[tuple[int, str]]:
    """The active accounts holding a role, by name (an admin choosing whom to assign a demand to)."""
    require_admin(actor)
    return await repository.active_names_with_role(role.value, limit)


async def active_user_id(*, email: str) -> int | None:
    """The id of the active user registered with this e-mail (an owner naming whom they trained), else None."""
    user = await repository.get_user_by_email(email.strip())
    return int(user.id) if user is not None and user.is_active else None


async def list_orgs(*, actor: Actor, verified: bool | None, page: int, size: int) -> dict[str, object]:
    """Organisations for the admin's verification queue."""
    require_admin(actor)
    total, rows = await repository.page_orgs(verified=verified, offset=(page - 1) * size, limit=size)
    return {"total": total, "page": page, "size": size, "items": [org_read(o) for o in rows]}


async def role_of(*, user_id: int) -> str | None:
    """The role of an active user, or None when there is no such user."""
    user = await repository.get_user(user_id)
    return user.role if user is not None and user.is_active else None
