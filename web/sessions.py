"""Portal sessions: an opaque id in an httponly cookie; the session itself lives in services.accounts."""

from typing import Any

from fastapi import Request, Response

from services.accounts import sessions
from services.accounts.policies import Actor
from services.core.settings import get_settings

COOKIE = "tm_session"
SESSION_TTL = sessions.SESSION_TTL


def is_secure_request(request: Request) -> bool:
    """Served over HTTPS (directly, or in production where TLS ends at the proxy)."""
    return request.url.scheme == "https" or get_settings().environment == "production"


def cookie_options(request: Request) -> dict[str, Any]:
    """Attributes of the session cookie: never readable by scripts, Secure whenever served over HTTPS."""
    return {"max_age": SESSION_TTL, "httponly": True, "samesite": "lax", "secure": is_secure_request(request)}


async def actor_from_session(request: Request) -> Actor | None:
    """The signed-in portal user, if any (role and status read afresh from the database)."""
    session_id = request.cookies.get(COOKIE)
    if not session_id or len(session_id) > 100:
        return None
    return await sessions.session_actor(session_id=session_id)


async def start_session(request: Request, response: Response, actor: Actor) -> str:
    """Create a session and set its cookie; returns the CSRF token bound to it."""
    session_id, csrf = await sessions.create_session(user_id=actor.user_id)
    response.set_cookie(COOKIE, session_id, **cookie_options(request))
    return csrf


async def end_session(request: Request, response: Response) -> None:
    """Delete the session and its cookie."""
    session_id = request.cookies.get(COOKIE)
    if session_id:
        await sessions.end_session(session_id=session_id)
    response.delete_cookie(COOKIE)


async def csrf_token(request: Request) -> str | None:
    """The CSRF token of the current session."""
    session_id = request.cookies.get(COOKIE)
    if not session_id or len(session_id) > 100:
        return None
    return await sessions.session_csrf(session_id=session_id)
