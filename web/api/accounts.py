"""Accounts API: registration, tokens, the caller, organisations, invitations, admin users."""

from typing import Annotated

from fastapi import APIRouter, Request, status
from fastapi.params import Header

from services.accounts import service
from services.accounts.schemas import (
    AdminUserCreate,
    InviteCreate,
    InviteRead,
    MeRead,
    OrgCreate,
    OrgRead,
    PasswordChange,
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
    RegisterRequest,
    TokenRead,
    TokenRequest,
    UserRead,
)
from web.deps import AdminUser, CurrentUser, MaybeUser, client_ip

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post("/auth/register", status_code=status.HTTP_201_CREATED)
async def register(body: RegisterRequest) -> UserRead:
    return await service.register(data=body)


@router.post("/auth/token")
async def token(body: TokenRequest, request: Request) -> TokenRead:
    return await service.issue_token(email=body.email, password=body.password, ip=client_ip(request))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(user: CurrentUser, authorization: Annotated[str, Header()] = "") -> None:
    if authorization.lower().startswith("bearer "):
        await service.revoke_token(token=authorization[7:].strip())


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(body: PasswordChange, user: CurrentUser) -> None:
    """Change the caller's password; every token and portal session of the caller ends at once."""
    await service.change_password(
        actor=user, current_password=body.current_password, new_password=body.new_password
    )


@router.get("/me")
async def me(user: CurrentUser) -> MeRead:
    return await service.get_me(actor=user)


@router.post("/orgs", status_code=status.HTTP_201_CREATED)
async def create_org(body: OrgCreate, user: CurrentUser) -> OrgRead:
    return await service.create_org(actor=user, data=body)


@router.get("/orgs/{org_id}")
async def get_org(org_id: int, user: MaybeUser) -> OrgRead:
    return await service.get_org(org_id=org_id)


@router.post("/orgs/{org_id}/verify")
async def verify_org(org_id: int, user: AdminUser) -> OrgRead:
    return await service.verify_org(actor=user, org_id=org_id)


@router.post("/orgs/{org_id}/invites", status_code=status.HTTP_201_CREATED)
async def invite(org_id: int, body: InviteCreate, user: CurrentUser) -> InviteRead:
    return await service.create_invite(actor=user, org_id=org_id, data=body)


@router.post("/admin/users/{user_id}/deactivate")
async def deactivate_user(user_id: int, user: AdminUser) -> UserRead:
    """Deactivate an account; its tokens and portal sessions stop working on their next request."""
    return await service.deactivate_user(actor=user, user_id=user_id)


@router.post("/admin/users", status_code=status.HTTP_201_CREATED)
async def admin_create_user(body: AdminUserCreate, user: AdminUser) -> UserRead:
    return await service.admin_create_user(actor=user, data=body)


@router.post("/auth/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def password_reset(body: PasswordResetRequest, request: Request) -> PasswordResetAccepted:
    """Mail a reset link when the address belongs to an active account; the answer is the same either way."""
    await service.request_password_reset(email=body.email, ip=client_ip(request))
    return PasswordResetAccepted()


@router.post("/auth/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def password_reset_confirm(body: PasswordResetConfirm) -> None:
    """Set a new password with a reset token; every token and portal session of the account ends."""
    await service.confirm_password_reset(token=body.token, new_password=body.new_password)
