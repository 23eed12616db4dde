"""Queries of test requests."""

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.testing.models import TestMethod, TestRequest


async def insert_request(**values: Any) -> TestRequest:
    return await TestRequest.create(**values)


async def get_request(request_id: int) -> TestRequest | None:
    return await TestRequest.get_or_none(id=request_id)


async def lock_request(request_id: int, connection: BaseDBAsyncClient) -> TestRequest | None:
    return await TestRequest.filter(id=request_id).using_db(connection).select_for_update().first()


async def save_request(request: TestRequest, connection: BaseDBAsyncClient) -> None:
    await request.save(using_db=connection)


async def page_requests(
    *, org_id: int, as_provider: bool, offset: int, limit: int
) -> tuple[int, list[TestRequest]]:
    query = TestRequest.filter(
        **({"provider_org_id": org_id} if as_provider else {"requester_org_id": org_id})
    )
    return await query.count(), await query.order_by("-id").offset(offset).limit(limit)


async def insert_method(**values: Any) -> TestMethod:
    return await TestMethod.create(**values)


async def get_method(method_id: int) -> TestMethod | None:
    return await TestMethod.get_or_none(id=method_id)


async def active_methods(listing_id: int) -> list[TestMethod]:
    return list(await TestMethod.filter(listing_id=listing_id, active=True).order_by("id"))


async def deactivate_method(method_id: int) -> None:
    await TestMethod.filter(id=method_id).update(active=False)
