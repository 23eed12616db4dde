"""Queries of the accounts context."""

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from services.accounts.models import AccessToken, Invitation, Organisation, User


async def get_org(org_id: int) -> Organisation | None:
    return await Organisation.get_or_none(id=org_id)


async def get_user_by_email(email: str) -> User | None:
    return await User.get_or_none(email=email.lower()).prefetch_related("org")


async def get_user(user_id: int) -> User | None:
    return await User.get_or_none(id=user_id).prefetch_related("org")


async def user_for_token(digest: str, at: datetime) -> User | None:
    token = await AccessToken.get_or_none(token_hash=digest, revoked_at__isnull=True, expires_at__gt=at)
    if token is None:
        return None
    return await User.get_or_none(id=token.user_id, is_active=True)


async def create_token(*, user_id: int, digest: str, expires_at: datetime, kind: str) -> AccessToken:
    return await AccessToken.create(user_id=user_id, token_hash=digest, expires_at=expires_at, kind=kind)


async def revoke_token(digest: str, at: datetime) -> int:
    return await AccessToken.filter(token_hash=digest, revoked_at__isnull=True).update(revoked_at=at)


async def open_invitation(digest: str, at: datetime, connection: BaseDBAsyncClient) -> Invitation | None:
    return (
        await Invitation.filter(token_hash=digest, used_at__isnull=True, expires_at__gt=at)
        .using_db(connection)
        .select_for_update()
        .first()
    )


async def names_by_id(org_ids: list[int]) -> dict[int, str]:
    rows = await Organisation.filter(id__in=org_ids).values_list("id", "name")
    return {int(row[0]): str(row[1]) for row in rows}


async def page_orgs(*, verified: bool | None, offset: int, limit: int) -> tuple[int, list[Organisation]]:
    query = Organisation.all()
    if verified is not None:
        query = query.filter(verified_at__isnull=not verified)
    return await query.count(), await query.order_by("id").offset(offset).limit(limit)


async def member_ids(org_id: int) -> list[int]:
    """Active users of an organisation."""
    rows = await User.filter(org_id=org_id, is_active=True).values_list("id", flat=True)
    return [int(r) for r in rows]  # type: ignore[call-overload]
