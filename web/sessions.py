"""Portal sessions: an opaque id in an httponly cookie, the session itself in Redis."""

import json
import secrets

from fastapi import Request, Response

from services.accounts.policies import Actor
from services.core.redis import get_redis, session_key
from services.core.settings import get_settings

COOKIE = "tm_session"
SESSION_TTL = 8 * 3600


async def actor_from_session(request: Request) -> Actor | None:
    """The signed-in portal user, if any."""
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        return None
    raw = await get_redis().get(session_key(session_id))
    if raw is None:
        return None
    data = json.loads(raw)
    return Actor(user_id=data["user_id"], role=data["role"], org_id=data["org_id"])


async def start_session(response: Response, actor: Actor) -> str:
    """Create a session and set its cookie; returns the CSRF token bound to it."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    payload = {"user_id": actor.user_id, "role": actor.role, "org_id": actor.org_id, "csrf": csrf}
    await get_redis().set(session_key(session_id), json.dumps(payload), ex=SESSION_TTL)
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=SESSION_TTL,
        httponly=True,
        samesite="lax",
        secure=get_settings().environment == "production",
    )
    return csrf


async def end_session(request: Request, response: Response) -> None:
    """Delete the session and its cookie."""
    session_id = request.cookies.get(COOKIE)
    if session_id:
        await get_redis().delete(session_key(session_id))
    response.delete_cookie(COOKIE)


async def csrf_token(request: Request) -> str | None:
    """The CSRF token of the current session."""
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        return None
    raw = await get_redis().get(session_key(session_id))
    return json.loads(raw).get("csrf") if raw else None
