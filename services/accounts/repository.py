"""Queries of the accounts context."""

from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q

from services.accounts.models import AccessToken, Invitation, MailOutbox, Organisation, PasswordReset, User


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


async def user_names_by_id(user_ids: list[int]) -> dict[int, str]:
    rows = await User.filter(id__in=user_ids).values_list("id", "name")
    return {int(row[0]): str(row[1]) for row in rows}


async def active_names_with_role(role: str, limit: int) -> list[tuple[int, str]]:
    rows = (
        await User.filter(role=role, is_active=True)
        .order_by("name", "id")
        .limit(limit)
        .values_list("id", "name")
    )
    return [(int(row[0]), str(row[1])) for row in rows]


async def page_orgs(*, verified: bool | None, offset: int, limit: int) -> tuple[int, list[Organisation]]:
    query = Organisation.all()
    if verified is not None:
        query = query.filter(verified_at__isnull=not verified)
    return await query.count(), await query.order_by("id").offset(offset).limit(limit)


async def create_org(connection: BaseDBAsyncClient, **values: Any) -> Organisation:
    return await Organisation.create(using_db=connection, **values)


async def get_or_create_org(uscc: str, **defaults: Any) -> Organisation:
    org, _ = await Organisation.get_or_create(uscc=uscc, defaults=defaults)
    return org


async def mark_org_verified(org_id: int, actor_id: int, at: datetime, connection: BaseDBAsyncClient) -> int:
    return await (
        Organisation.filter(id=org_id).using_db(connection).update(verified_at=at, verified_by_id=actor_id)
    )


async def create_user(connection: BaseDBAsyncClient, **values: Any) -> User:
    return await User.create(using_db=connection, **values)


async def create_invitation(connection: BaseDBAsyncClient, **values: Any) -> Invitation:
    return await Invitation.create(using_db=connection, **values)


async def use_invitation(
    invitation: Invitation, user_id: int, at: datetime, connection: BaseDBAsyncClient
) -> None:
    await invitation.update_from_dict({"used_at": at, "used_by_id": user_id}).save(using_db=connection)


async def lock_user(user_id: int, connection: BaseDBAsyncClient) -> User | None:
    return await User.filter(id=user_id).using_db(connection).select_for_update().first()


async def set_role(user_id: int, role: str, connection: BaseDBAsyncClient) -> None:
    await User.filter(id=user_id).using_db(connection).update(role=role)


async def get_active_user(user_id: int) -> User | None:
    return await User.get_or_none(id=user_id, is_active=True)


async def email_taken(email: str, connection: BaseDBAsyncClient | None = None) -> bool:
    return await User.filter(email=email.lower()).using_db(connection).exists()


async def touch_last_login(user_id: int, at: datetime) -> None:
    await User.filter(id=user_id).update(last_login_at=at)


async def set_password_hash(user_id: int, password_hash: str, connection: BaseDBAsyncClient) -> None:
    await User.filter(id=user_id).using_db(connection).update(password_hash=password_hash)


async def set_active(user_id: int, active: bool, connection: BaseDBAsyncClient) -> None:
    await User.filter(id=user_id).using_db(connection).update(is_active=active)


async def revoke_all_tokens(user_id: int, at: datetime, connection: BaseDBAsyncClient) -> int:
    return (
        await AccessToken.filter(user_id=user_id, revoked_at__isnull=True)
        .using_db(connection)
        .update(revoked_at=at)
    )


async def create_password_reset(
    *, user_id: int, digest: str, expires_at: datetime, connection: BaseDBAsyncClient
) -> PasswordReset:
    return await PasswordReset.create(
        using_db=connection, user_id=user_id, token_hash=digest, expires_at=expires_at
    )


async def open_password_reset(
    digest: str, at: datetime, connection: BaseDBAsyncClient
) -> PasswordReset | None:
    return (
        await PasswordReset.filter(token_hash=digest, used_at__isnull=True, expires_at__gt=at)
        .using_db(connection)
        .select_for_update()
        .first()
    )


async def use_password_reset(reset_id: int, at: datetime, connection: BaseDBAsyncClient) -> None:
    await PasswordReset.filter(id=reset_id).using_db(connection).update(used_at=at)


async def queue_mail(*, to: str, subject: str, body: str, connection: BaseDBAsyncClient) -> MailOutbox:
    return await MailOutbox.create(using_db=connection, to=to, subject=subject, body=body)


async def recent_mail(limit: int) -> list[MailOutbox]:
    return await MailOutbox.all().order_by("-id").limit(limit)


async def get_mail(mail_id: int) -> MailOutbox | None:
    return await MailOutbox.get_or_none(id=mail_id)


async def claim_due_mail(
    *, now: datetime, max_attempts: int, limit: int, connection: BaseDBAsyncClient
) -> list[MailOutbox]:
    """Unsent mail whose next attempt is due, oldest first, locked; a second sender skips these rows."""
    return (
        await MailOutbox.filter(sent_at__isnull=True, attempts__lt=max_attempts)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .using_db(connection)
        .order_by("id")
        .limit(limit)
        .select_for_update(skip_locked=True)
    )


async def mark_mail_sent(
    *, mail_id: int, transport: str, at: datetime, connection: BaseDBAsyncClient
) -> None:
    await (
        MailOutbox.filter(id=mail_id)
        .using_db(connection)
        .update(sent_at=at, transport=transport, attempts=F("attempts") + 1, last_error=None)
    )


async def mark_mail_failed(
    *, mail_id: int, attempts: int, next_attempt_at: datetime, error: str, connection: BaseDBAsyncClient
) -> None:
    await (
        MailOutbox.filter(id=mail_id)
        .using_db(connection)
        .update(attempts=attempts, next_attempt_at=next_attempt_at, last_error=error[:200])
    )
