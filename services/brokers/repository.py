"""Queries of broker profiles."""

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.brokers.models import BrokerProfile


async def upsert_application(
    user_id: int, columns: dict[str, Any], connection: BaseDBAsyncClient
) -> BrokerProfile:
    """File (or re-file after a rejection) the caller's profile; locked for the caller's transaction."""
    profile = await BrokerProfile.filter(user_id=user_id).using_db(connection).select_for_update().first()
    if profile is None:
        return await BrokerProfile.create(user_id=user_id, **columns, using_db=connection)
    await BrokerProfile.filter(id=profile.id).using_db(connection).update(**columns)
    refreshed = await BrokerProfile.filter(id=profile.id).using_db(connection).first()
    assert refreshed is not None
    return refreshed


async def lock_profile(profile_id: int, connection: BaseDBAsyncClient) -> BrokerProfile | None:
    return await BrokerProfile.filter(id=profile_id).using_db(connection).select_for_update().first()


async def profile_of_user(user_id: int, connection: BaseDBAsyncClient | None = None) -> BrokerProfile | None:
    query = BrokerProfile.filter(user_id=user_id)
    return await (query.using_db(connection) if connection is not None else query).first()


async def update_profile(profile_id: int, connection: BaseDBAsyncClient, **changes: Any) -> None:
    await BrokerProfile.filter(id=profile_id).using_db(connection).update(**changes)


async def page_profiles(*, status: str | None, offset: int, limit: int) -> tuple[int, list[BrokerProfile]]:
    query = BrokerProfile.all()
    if status:
        query = query.filter(status=status)
    total = await query.count()
    return total, await query.order_by("id").offset(offset).limit(limit)
