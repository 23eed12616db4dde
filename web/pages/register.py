"""Self-service accounts in the portal: registration with a new organisation, 我的账户 (verification status and a
password change), and the administrators' organisation verification queue (机构核验)."""

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError

from services.accounts import service as accounts_service
from services.accounts.schemas import InviteCreate, OrgCreate, RegisterRequest
from services.core.errors import DomainError, Forbidden, Unauthenticated
from services.reference.regions import REGIONS
from services.reference.vocabulary import ORG_KIND_LABELS, Role
from web.deps import AdminUser, CurrentUser, MaybeUser, Page, client_ip
from web.errors import STATUS
from web.pages.csrf import CheckedForm
from web.pages.forms import bind, domain_errors, field_errors, form_values
from web.pages.shell import ROLE_LABELS, pager, redirect, render
from web.sessions import start_session

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
# Self-registration makes enterprise or provider members; other roles are granted by the platform.
SELF_SERVICE = {
    "enterprise": "企业用户（找成果、约仪器、发需求）",
    "provider": "成果/仪器提供方（发布资源、审批预约）",
}
SELF_KINDS = ("enterprise", "university", "institute", "hospital", "agency", "other")
# Chongqing's districts and counties first, then Chengdu's: the zone's users.
REGION_CHOICES = [
    (code, name) for code, name in REGIONS.items() if code[:2] == "50" and not code.endswith("00")
] + [
    (code, f"成都市{name}")
    for code, name in REGIONS.items()
    if code[:4] == "5101" and not code.endswith("00")
]


class RegisterForm(BaseModel):
    org_name: str = Field(min_length=2, max_length=200)
    uscc: str = Field(min_length=18, max_length=18)
    kind: Literal["enterprise", "university", "institute", "hospital", "agency", "other"]
    region: str = Field(pattern=r"^\d{6}$")
    role: Literal["enterprise", "provider"]
    name: str = Field(min_length=2, max_length=100)
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)
    password2: str = Field(min_length=1, max_length=200)


class InvitedRegisterForm(BaseModel):
    invite: str = Field(min_length=10, max_length=200)
    name: str = Field(min_length=2, max_length=100)
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)
    password2: str = Field(min_length=1, max_length=200)


class InviteForm(BaseModel):
    role: Literal["enterprise", "provider", "expert"]
    email: str = Field(default="", max_length=254)


class PasswordForm(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)
    new_password2: str = Field(min_length=1, max_length=200)


def _register_context(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "roles": SELF_SERVICE,
        "kinds": [(kind, ORG_KIND_LABELS[kind]) for kind in SELF_KINDS],
        "regions": REGION_CHOICES,
    }


def _request_of(data: RegisterForm) -> tuple[RegisterRequest | None, dict[str, str]]:
    """The API's registration request from the form, or the field errors (named as the form names them)."""
    try:
        org = OrgCreate(name=data.org_name, uscc=data.uscc, kind=data.kind, region=data.region)
    except ValidationError as exc:
        errors = field_errors(exc)
        return None, {("org_name" if key == "name" else key): message for key, message in errors.items()}
    try:
        return (
            RegisterRequest(
                email=data.email, password=data.password, name=data.name, role=Role(data.role), org=org
            ),
            {},
        )
    except ValidationError as exc:
        return None, field_errors(exc)


@router.get("/register", response_class=HTMLResponse)
async def register_page(request: Request, user: MaybeUser, invite: str = "") -> Response:
    if user is not None:
        return redirect("/account")
    values = {"role": "enterprise", "kind": "enterprise", "region": "500107", "invite": invite[:200]}
    return await render(request, "register.html", _register_context(values, {}), actor=None)


def _request_of_invited(data: InvitedRegisterForm) -> tuple[RegisterRequest | None, dict[str, str]]:
    """Joining an organisation by invitation: no organisation fields, the role comes with the invitation."""
    try:
        return (
            RegisterRequest(
                email=data.email,
                password=data.password,
                name=data.name,
                role=Role.ENTERPRISE,
                invite=data.invite,
            ),
            {},
        )
    except ValidationError as exc:
        return None, field_errors(exc)


@router.post("/register", response_class=HTMLResponse)
async def register_submit(request: Request, form: CheckedForm) -> Response:
    values = form_values(form)
    body, errors = _registration_of(values)
    if body is not None:
        try:
            await accounts_service.register(data=body)
            token = await accounts_service.issue_token(
                email=body.email, password=body.password, ip=client_ip(request), kind="session"
            )
            actor = await accounts_service.actor_for_token(token=token.access_token)
            await accounts_service.revoke_token(token=token.access_token)
        except DomainError as exc:
            errors = domain_errors(
                exc, fields={"name": "name", "org": "org_name", "uscc": "uscc", "invite": "__all__"}
            )
        else:
            response = redirect("/account", notice="signed_up")
            if actor is not None:
                await start_session(request, response, actor)
            return response
    values.pop("password", None)
    values.pop("password2", None)
    return await render(
        request, "register.html", _register_context(values, errors), actor=None, status_code=422
    )


def _registration_of(values: dict[str, Any]) -> tuple[RegisterRequest | None, dict[str, str]]:
    """The API's registration request from the form (with a new organisation, or joining one by invitation),
    or the field errors."""
    if values.get("invite"):
        invited, errors = bind(InvitedRegisterForm, values)
        if invited is None:
            return None, errors
        if invited.password != invited.password2:
            return None, {"password2": "两次输入的密码不一致"}
        return _request_of_invited(invited)
    data, errors = bind(RegisterForm, values)
    if data is None:
        return None, errors
    if data.password != data.password2:
        return None, {"password2": "两次输入的密码不一致"}
    return _request_of(data)


INVITE_ROLES = {"enterprise": "企业用户", "provider": "成果/仪器提供方", "expert": "专家"}


async def _account_context(
    user: Any, errors: dict[str, str], *, invite_errors: dict[str, str] | None = None, invite: Any = None
) -> dict[str, Any]:
    me = await accounts_service.get_me(actor=user)
    return {
        "me": me,
        "errors": errors,
        "invite_errors": invite_errors or {},
        "invite": invite,
        "invite_link": accounts_service.invite_link(invite.invite) if invite else None,
        "invite_roles": INVITE_ROLES,
        "role_label": ROLE_LABELS.get(me.role.value, me.role.value),
        "region": REGIONS.get(me.org.region, "") if me.org else "",
    }


@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request, user: CurrentUser) -> Response:
    return await render(request, "account.html", await _account_context(user, {}), actor=user)


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(request: Request, user: CurrentUser, form: CheckedForm) -> Response:
    data, errors = bind(PasswordForm, form_values(form))
    if data is not None and data.new_password != data.new_password2:
        errors = {"new_password2": "两次输入的新密码不一致"}
    elif data is not None:
        try:
            await accounts_service.change_password(
                actor=user, current_password=data.current_password, new_password=data.new_password
            )
        except Unauthenticated:
            errors = {"current_password": "当前密码错误"}
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            # Every session of the user ended with the change: they sign in again with the new password.
            return redirect("/login?next=/account", notice="password_changed")
    context = await _account_context(user, errors)
    return await render(request, "account.html", context, actor=user, status_code=422)


@router.post("/account/invites", response_class=HTMLResponse)
async def invite_colleague(request: Request, user: CurrentUser, form: CheckedForm) -> Response:
    """A member invites a colleague into their organisation: the single-use link is shown once (and mailed to
    the colleague when an e-mail is given)."""
    data, errors = bind(InviteForm, form_values(form))
    status_code = 422
    if data is not None:
        try:
            body = InviteCreate(role=Role(data.role), email=data.email or None)
            if user.org_id is None:
                raise Forbidden("no_organisation", "加入机构后才能邀请同事", "join an organisation first")
            made = await accounts_service.create_invite(actor=user, org_id=user.org_id, data=body)
        except ValidationError as exc:
            errors = field_errors(exc)
        except DomainError as exc:
            errors, status_code = domain_errors(exc), STATUS[exc.kind]
        else:
            context = await _account_context(user, {}, invite=made)
            context["invite_email"] = body.email
            return await render(request, "account.html", context, actor=user, status_code=201)
    context = await _account_context(user, {}, invite_errors=errors)
    return await render(request, "account.html", context, actor=user, status_code=status_code)


@router.get("/admin/orgs", response_class=HTMLResponse)
async def org_queue(request: Request, user: AdminUser, page: Page = 1, verified: bool = False) -> Response:
    result = await accounts_service.list_orgs(actor=user, verified=verified, page=page, size=PAGE_SIZE)
    context = {
        "orgs": result["items"],
        "total": result["total"],
        "verified": verified,
        "regions": REGIONS,
        "paging": pager(
            "/admin/orgs", page, int(str(result["total"])), PAGE_SIZE, "&verified=true" if verified else ""
        ),
    }
    return await render(request, "admin_orgs.html", context, actor=user)


@router.post("/admin/orgs/{org_id}/verify")
async def verify_org(org_id: int, user: AdminUser, form: CheckedForm) -> Response:
    await accounts_service.verify_org(actor=user, org_id=org_id)
    return redirect("/admin/orgs", notice="org_verified")
