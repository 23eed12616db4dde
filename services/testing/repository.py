"""Queries of test requests."""

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.testing.models import TestRequest


async def insert_request(**values: Any) -> TestRequest:
    return await TestRequest.create(**values)


async def get_request(request_id: int) -> TestRequest | None:
    return await TestRequest.get_or_none(id=request_id)


async def lock_request(request_id: int, connection: BaseDBAsyncClient) -> TestRequest | None:
    return await TestRequest.filter(id=request_id).using_db(connection).select_for_update().first()


async def save_request(request: TestRequest, connection: BaseDBAsyncClient) -> None:
    await request.save(using_db=connection)
