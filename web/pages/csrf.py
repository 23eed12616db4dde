"""CSRF tokens for portal forms: the session's token when signed in, a signed double-submit cookie before."""

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from services.core.errors import Forbidden
from services.core.settings import get_settings
from web.sessions import csrf_token as session_csrf_token

FIELD = "csrf_token"
ANONYMOUS_COOKIE = "tm_csrf"
ANONYMOUS_TTL = 8 * 3600


def _signed(nonce: str) -> str:
    # The form carries an HMAC of the cookie's nonce, so a cookie planted by someone else is worthless.
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()


async def expected_token(request: Request) -> str | None:
    """The token a form posted by this browser must carry, or None when it has none yet."""
    token = await session_csrf_token(request)
    if token:
        return token
    nonce = request.cookies.get(ANONYMOUS_COOKIE)
    return _signed(nonce) if nonce else None


async def issue_token(request: Request) -> tuple[str, str | None]:
    """The token to put in a form, and a new anonymous nonce to set as a cookie when there was none."""
    token = await expected_token(request)
    if token:
        return token, None
    nonce = secrets.token_urlsafe(24)
    return _signed(nonce), nonce


async def checked_form(request: Request) -> FormData:
    """The posted form, refused with 403 unless it carries this browser's CSRF token."""
    form = await request.form()
    given = form.get(FIELD)
    expected = await expected_token(request)
    if not isinstance(given, str) or not expected or not secrets.compare_digest(given, expected):
        raise Forbidden(
            "csrf_failed", "页面已过期或请求来源无法验证，请刷新页面后重试", "CSRF token missing or invalid"
        )
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
