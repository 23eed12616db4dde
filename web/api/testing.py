"""送样检测 API: request, quote, acceptance, sample receipt, report upload/download, acceptance or query."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, UploadFile, status

from services.testing import service
from services.testing.schemas import TestMethodRead, TestRequestRead
from web.deps import CurrentUser, Page, Size
from web.routes import add_actions

router = APIRouter(prefix="/api/v1/test-requests", tags=["testing"])
JsonBody = Annotated[dict[str, Any], Body()]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_test_request(body: JsonBody, user: CurrentUser) -> TestRequestRead:
    return await service.create_test_request(actor=user, body=body)


@router.get("")
async def list_test_requests(
    user: CurrentUser,
    side: Annotated[
        str, Query(description="requested (sent by my organisation) or received (as the lab)")
    ] = "requested",
    page: Page = 1,
    size: Size = 20,
) -> dict[str, Any]:
    return await service.list_test_requests(actor=user, side=side, page=page, size=size)


@router.get("/{request_id}")
async def get_test_request(request_id: int, user: CurrentUser) -> TestRequestRead:
    return await service.get_test_request(actor=user, request_id=request_id)


@router.post("/{request_id}/quote")
async def quote(request_id: int, body: JsonBody, user: CurrentUser) -> TestRequestRead:
    return await service.quote_test_request(actor=user, request_id=request_id, body=body)


add_actions(
    router,
    "/{request_id}",
    {
        "accept": service.accept_quote,
        "decline": service.decline_quote,
        "samples-received": service.receive_samples,
    },
    item="request_id",
    read=TestRequestRead,
)


@router.post("/{request_id}/report")
async def upload_report(request_id: int, file: UploadFile, user: CurrentUser) -> TestRequestRead:
    content = await file.read(service.MAX_REPORT_BYTES + 1)
    return await service.upload_report(actor=user, request_id=request_id, content=content)


@router.get("/{request_id}/report")
async def download_report(request_id: int, user: CurrentUser) -> Response:
    content = await service.download_report(actor=user, request_id=request_id)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="test-report-{request_id}.pdf"'},
    )


add_actions(
    router,
    "/{request_id}",
    {"accept-result": service.accept_result, "query": service.query_result},
    item="request_id",
    read=TestRequestRead,
    with_body=frozenset({"query"}),
)


methods_router = APIRouter(prefix="/api/v1/test-methods", tags=["testing"])


@methods_router.get("")
async def list_test_methods(listing_id: int) -> list[TestMethodRead]:
    return await service.list_test_methods(listing_id=listing_id)


@methods_router.post("", status_code=status.HTTP_201_CREATED)
async def add_test_method(body: JsonBody, user: CurrentUser) -> TestMethodRead:
    return await service.add_test_method(actor=user, body=body)


@methods_router.delete("/{method_id}", status_code=status.HTTP_204_NO_CONTENT)
async def withdraw_test_method(method_id: int, user: CurrentUser) -> None:
    await service.withdraw_test_method(actor=user, method_id=method_id)
