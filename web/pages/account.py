"""Signing in and out of the portal: a Redis-backed session in an httponly cookie."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.accounts import service as accounts_service
from services.core.errors import Invalid, RateLimited, Unauthenticated, Unavailable
from services.core.settings import get_settings
from web.deps import MaybeUser, client_ip
from web.pages.csrf import CheckedForm
from web.pages.forms import GENERAL, bind, domain_errors, form_values, human_message
from web.pages.shell import redirect, render, safe_next
from web.sessions import end_session, start_session

router = APIRouter(include_in_schema=False)
_DEMO_HINT = "演示账号：enterprise@demo.techmarket.cn、provider@demo.techmarket.cn、broker@demo.techmarket.cn、admin@demo.techmarket.cn，密码均为 TechMarket-2026"


def _demo_hint() -> str | None:
    """The seeded demo accounts, shown on the login page everywhere but production."""
    return None if get_settings().environment == "production" else _DEMO_HINT


class LoginForm(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)
    next: str = ""


@router.get("/login", response_class=HTMLResponse)
async def login_page(
    request: Request, user: MaybeUser, next: Annotated[str, Query(max_length=500)] = ""
) -> Response:
    if user is not None:
        return redirect(safe_next(next))
    return await render(
        request,
        "login.html",
        {"values": {"email": "", "next": safe_next(next, "")}, "errors": {}, "hint": _demo_hint()},
        actor=None,
    )


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request, form: CheckedForm) -> Response:
    values = form_values(form)
    data, errors = bind(LoginForm, values)
    status_code = 422
    if data is not None:
        try:
            token = await accounts_service.issue_token(
                email=data.email, password=data.password, ip=client_ip(request), kind="session"
            )
            actor = await accounts_service.actor_for_token(token=token.access_token)
            # The session is the browser's credential; the bearer token only proved the password.
            await accounts_service.revoke_token(token=token.access_token)
        except Unauthenticated as exc:
            errors, status_code = {GENERAL: human_message(exc)}, 401
        except RateLimited as exc:
            errors, status_code = {GENERAL: human_message(exc)}, 429
        except Unavailable as exc:
            errors, status_code = {GENERAL: human_message(exc)}, 503
        else:
            if actor is not None:
                response = redirect(safe_next(data.next), notice="signed_in")
                await start_session(request, response, actor)
                return response
            errors = {GENERAL: "登录失败，请重试"}
    values.pop("password", None)
    return await render(
        request,
        "login.html",
        {"values": values, "errors": errors, "hint": _demo_hint()},
        actor=None,
        status_code=status_code,
    )


@router.post("/logout")
async def logout(request: Request, form: CheckedForm) -> Response:
    response = redirect("/", notice="signed_out")
    await end_session(request, response)
    return response


# --- forgotten password ------------------------------------------------------------------------------------


class ResetRequestForm(BaseModel):
    email: str = Field(min_length=3, max_length=254)


class ResetConfirmForm(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)
    new_password2: str = Field(min_length=1, max_length=200)


@router.get("/password-reset/request", response_class=HTMLResponse)
async def reset_request_page(request: Request) -> Response:
    return await render(request, "password_reset_request.html", {"values": {}, "errors": {}}, actor=None)


@router.post("/password-reset/request", response_class=HTMLResponse)
async def reset_request_submit(request: Request, form: CheckedForm) -> Response:
    values = form_values(form)
    data, errors = bind(ResetRequestForm, values)
    status_code = 422
    if data is not None:
        try:
            await accounts_service.request_password_reset(email=data.email, ip=client_ip(request))
        except RateLimited as exc:
            errors, status_code = {GENERAL: human_message(exc)}, 429
        except Unavailable as exc:
            errors, status_code = {GENERAL: human_message(exc)}, 503
        else:
            return await render(request, "password_reset_sent.html", {}, actor=None)
    return await render(
        request,
        "password_reset_request.html",
        {"values": values, "errors": errors},
        actor=None,
        status_code=status_code,
    )


@router.get("/password-reset", response_class=HTMLResponse)
async def reset_page(request: Request, token: Annotated[str, Query(max_length=200)] = "") -> Response:
    return await render(request, "password_reset.html", {"token": token, "errors": {}}, actor=None)


@router.post("/password-reset", response_class=HTMLResponse)
async def reset_submit(request: Request, form: CheckedForm) -> Response:
    values = form_values(form)
    data, errors = bind(ResetConfirmForm, values)
    if data is not None and data.new_password != data.new_password2:
        errors = {"new_password2": "两次输入的密码不一致"}
    elif data is not None:
        try:
            await accounts_service.confirm_password_reset(token=data.token, new_password=data.new_password)
        except Invalid as exc:
            errors = domain_errors(exc)
        else:
            return redirect("/login", notice="password_reset")
    token = str(values.get("token", ""))
    return await render(
        request, "password_reset.html", {"token": token, "errors": errors}, actor=None, status_code=422
    )
