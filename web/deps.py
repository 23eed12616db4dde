"""Request dependencies: the caller, admin checks and paging."""

from typing import Annotated

from fastapi import Depends, Query, Request

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.core.errors import Forbidden, Unauthenticated
from services.deals.payments.port import PaymentProvider
from web.sessions import actor_from_session


async def optional_actor(request: Request) -> Actor | None:
    """The caller from a bearer token or a portal session cookie, or None when anonymous."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        actor = await accounts_service.actor_for_token(token=header[7:].strip())
        if actor is None:
            raise Unauthenticated(
                "invalid_token", "令牌无效、已过期或已撤销", "token invalid, expired or revoked"
            )
        return actor
    return await actor_from_session(request)


async def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """A signed-in caller."""
    if actor is None:
        raise Unauthenticated("authentication_required", "请先登录", "authentication required")
    return actor


async def admin_actor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    """A signed-in admin."""
    if not actor.is_admin:
        raise Forbidden("admin_only", "仅管理员可执行此操作", "admin only")
    return actor


MaybeUser = Annotated[Actor | None, Depends(optional_actor)]
CurrentUser = Annotated[Actor, Depends(current_actor)]
AdminUser = Annotated[Actor, Depends(admin_actor)]


def payment_provider(request: Request) -> PaymentProvider:
    """The payment adapter the app opened at start-up."""
    provider: PaymentProvider = request.app.state.payments
    return provider


Payments = Annotated[PaymentProvider, Depends(payment_provider)]
Page = Annotated[int, Query(ge=1, le=100_000, description="1-based page")]
Size = Annotated[int, Query(ge=1, le=100, description="page size (≤ 100)")]


def client_ip(request: Request) -> str:
    """The caller's address (the direct peer; a proxy setup would read X-Forwarded-For here)."""
    return request.client.host if request.client else "unknown"
