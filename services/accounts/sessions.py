"""Portal sessions in Redis: an opaque id maps to a user id and a CSRF token; nothing about the role.

The role, the organisation and whether the account is still active are read from PostgreSQL on every
request, so a deactivation or a role change takes effect at once. The session also holds a fingerprint of
the password hash it was opened with: after a password change no older session matches. Each user's
session ids are kept in a set too, so they can be deleted early.
"""

import hashlib
import json
import secrets

from redis.exceptions import RedisError

from services.accounts import repository
from services.accounts.policies import Actor
from services.core import metrics
from services.core.logging import get_logger
from services.core.redis import get_redis, session_key, user_sessions_key

SESSION_TTL = 8 * 3600
log = get_logger("accounts.sessions")


def credential_fingerprint(password_hash: str) -> str:
    """A short digest of the password hash: changes whenever the password does."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


async def create_session(*, user_id: int) -> tuple[str, str]:
    """Store a new session; returns its id and its CSRF token."""
    user = await repository.get_active_user(user_id)
    if user is None:
        raise ValueError("no active user")
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    payload = {"user_id": user_id, "csrf": csrf, "credential": credential_fingerprint(user.password_hash)}
    redis = get_redis()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(session_key(session_id), json.dumps(payload), ex=SESSION_TTL)
        pipe.sadd(user_sessions_key(user_id), session_id)
        pipe.expire(user_sessions_key(user_id), SESSION_TTL)
        await pipe.execute()
    return session_id, csrf


async def _load(session_id: str) -> dict[str, object] | None:
    try:
        raw = await get_redis().get(session_key(session_id))
    except RedisError as exc:
        # Sessions live in Redis only: without it the visitor is treated as signed out and asked to sign in.
        log.warning("sessions.store_unavailable", error_type=type(exc).__name__)
        metrics.DEPENDENCY_DOWN.labels("redis_down").inc()
        return None
    if raw is None:
        return None
    data = json.loads(raw)
    return data if isinstance(data, dict) else None


async def session_actor(*, session_id: str) -> Actor | None:
    """The user behind a session, read afresh; None when unknown, ended, or the account was deactivated."""
    data = await _load(session_id)
    if data is None:
        return None
    user = await repository.get_active_user(int(str(data["user_id"])))
    if user is None or data.get("credential") != credential_fingerprint(user.password_hash):
        await end_session(session_id=session_id)
        return None
    return Actor(user_id=user.id, role=user.role, org_id=user.org_id)


async def session_csrf(*, session_id: str) -> str | None:
    """The CSRF token bound to a session."""
    data = await _load(session_id)
    return str(data["csrf"]) if data and data.get("csrf") else None


async def end_session(*, session_id: str) -> None:
    """Forget one session."""
    try:
        await get_redis().delete(session_key(session_id))
    except RedisError as exc:
        log.warning("sessions.store_unavailable", error_type=type(exc).__name__)


async def end_all_sessions(*, user_id: int) -> int:
    """Forget every session of a user; returns how many there were."""
    redis = get_redis()
    key = user_sessions_key(user_id)
    ids = await redis.smembers(key)  # type: ignore[misc]
    async with redis.pipeline(transaction=True) as pipe:
        for session_id in ids:
            pipe.delete(session_key(session_id))
        pipe.delete(key)
        await pipe.execute()
    return len(ids)
