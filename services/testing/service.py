"""送样检测: a requester sends samples for tests; the lab quotes, receives the samples and uploads the report."""

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from services.accounts import service as accounts_service
from services.accounts.policies import Actor, require_organisation
from services.catalog import service as catalog_service
from services.core import clock
from services.core.bodies import parse_body
from services.core.errors import Invalid, NotFound
from services.core.files import file_store
from services.core.transitions import run_transition
from services.testing import policies, repository
from services.testing.lifecycle import BY_PROVIDER, SUBJECT, TRANSITIONS, TestAction
from services.testing.models import TestMethod, TestRequest
from services.testing.schemas import (
    Accreditation,
    MethodUnit,
    QueryCreate,
    QuoteCreate,
    TestMethodCreate,
    TestMethodRead,
    TestRequestCreate,
    TestRequestRead,
    TestRequestStatus,
)

MAX_REPORT_BYTES = 20 * 2**20
_M = TypeVar("_M", bound=BaseModel)


def _read(r: TestRequest) -> TestRequestRead:
    return TestRequestRead(
        id=r.id,
        listing_id=r.listing_id,
        provider_org_id=r.provider_org_id,
        requester_org_id=r.requester_org_id,
        samples=list(r.samples),
        items=list(r.items),
        accreditation=Accreditation(r.accreditation),
        turnaround_days=r.turnaround_days,
        note=r.note,
        status=TestRequestStatus(r.status),
        quote_lines=list(r.quote_lines),
        quote_total_fen=r.quote_total_fen,
        report_sha256=r.report_sha256,
        report_uploaded_at=r.report_uploaded_at,
        query_note=r.query_note,
        created_at=r.created_at,
    )


def _not_found(request_id: int) -> NotFound:
    return NotFound("test_request_not_found", f"检测委托 {request_id} 不存在", "test request not found")


def _offers_testing(listing: dict[str, Any]) -> bool:
    if listing.get("type") == "instrument":
        return "commissioned" in (listing.get("service_modes") or [])
    return listing.get("type") == "agency" and "testing" in (listing.get("agency_types") or [])


def _require_accreditation_held(listing: dict[str, Any], accreditation: Accreditation) -> None:
    """An agency states its CMA/CNAS qualifications on its listing: it offers no more than it holds."""
    if accreditation is Accreditation.NONE or listing.get("type") != "agency":
        return
    held = {q.lower() for q in listing.get("qualifications") or []}
    needed = {"cma", "cnas"} if accreditation is Accreditation.CMA_CNAS else {accreditation.value}
    if not needed <= held:
        raise Invalid.field(
            ["body", "accreditation"],
            "该机构不具备所需的 CMA/CNAS 资质",
            "the provider lacks the accreditation",
        )


async def create_test_request(*, actor: Actor, body: Any) -> TestRequestRead:
    """Send samples for testing to an instrument's lab or a testing agency."""
    data = parse_body(TestRequestCreate, body)
    org = await accounts_service.get_org(org_id=require_organisation(actor))
    policies.require_verified_requester(org.verified)
    listing = await catalog_service.published_listing(listing_id=data.listing_id)
    if listing is None or not _offers_testing(listing):
        raise Invalid.field(
            ["body", "listing_id"],
            "只能向提供送样检测的仪器或检测机构委托",
            "not a published testing service",
        )
    _require_accreditation_held(listing, data.accreditation)
    items = await _catalogue_items(data, await repository.active_methods(data.listing_id))
    request = await repository.insert_request(
        listing_id=data.listing_id,
        provider_org_id=int(listing["org_id"]),
        requester_org_id=actor.org_id,
        requester_id=actor.user_id,
        samples=[s.model_dump() for s in data.samples],
        items=items,
        accreditation=data.accreditation.value,
        turnaround_days=data.turnaround_days,
        note=data.note,
    )
    return _read(request)


_SATISFIES = {
    Accreditation.NONE: set(Accreditation),
    Accreditation.CMA: {Accreditation.CMA, Accreditation.CMA_CNAS},
    Accreditation.CNAS: {Accreditation.CNAS, Accreditation.CMA_CNAS},
    Accreditation.CMA_CNAS: {Accreditation.CMA_CNAS},
}


async def _catalogue_items(data: TestRequestCreate, methods: list[TestMethod]) -> list[dict[str, Any]]:
    """The request's items; with a catalogue, each names one of its methods and the method's terms apply."""
    if not methods:
        for index, item in enumerate(data.items):
            if item.method_id is not None:
                raise Invalid.field(
                    ["body", "items", index, "method_id"],
                    "该服务方没有检测项目目录",
                    "no catalogue of methods",
                )
        return [item.model_dump(exclude={"method_id"}) for item in data.items]
    by_id = {m.id: m for m in methods}
    items: list[dict[str, Any]] = []
    for index, item in enumerate(data.items):
        method = by_id.get(item.method_id) if item.method_id is not None else None
        if method is None:
            raise Invalid.field(
                ["body", "items", index, "method_id"],
                "请从该服务方的检测项目目录中选择",
                "choose a method from the provider's catalogue",
            )
        if Accreditation(method.accreditation) not in _SATISFIES[data.accreditation]:
            raise Invalid.field(
                ["body", "accreditation"],
                f"检测项目「{method.test_item}」不具备所需的 {data.accreditation.value.upper()} 资质",
                "a chosen method lacks the accreditation",
            )
        if data.turnaround_days < method.turnaround_days:
            raise Invalid.field(
                ["body", "turnaround_days"],
                f"检测项目「{method.test_item}」需要 {method.turnaround_days} 天",
                "shorter than a chosen method's turnaround",
            )
        items.append(
            {
                "method_id": method.id,
                "method": method.test_item,
                "standard": method.standard,
                "accreditation": method.accreditation,
                "turnaround_days": method.turnaround_days,
                "price_fen": method.price_fen,
                "unit": method.unit,
            }
        )
    return items


def _method_read(m: TestMethod) -> TestMethodRead:
    return TestMethodRead(
        id=m.id,
        listing_id=m.listing_id,
        org_id=m.org_id,
        test_item=m.test_item,
        standard=m.standard,
        accreditation=Accreditation(m.accreditation),
        turnaround_days=m.turnaround_days,
        price_fen=m.price_fen,
        unit=MethodUnit(m.unit),
        active=m.active,
    )


async def add_test_method(*, actor: Actor, body: Any) -> TestMethodRead:
    """The lab adds a method to its instrument's or agency's catalogue (accreditation it really holds)."""
    data = parse_body(TestMethodCreate, body)
    listing = await catalog_service.published_listing(listing_id=data.listing_id)
    if listing is None or not _offers_testing(listing):
        raise Invalid.field(
            ["body", "listing_id"], "只能为提供送样检测的仪器或检测机构登记检测项目", "not a testing service"
        )
    policies.require_provider_member(actor, int(listing["org_id"]))
    _require_accreditation_held(listing, data.accreditation)
    method = await repository.insert_method(
        listing_id=data.listing_id,
        org_id=int(listing["org_id"]),
        test_item=data.test_item,
        standard=data.standard,
        accreditation=data.accreditation.value,
        turnaround_days=data.turnaround_days,
        price_fen=data.price_fen,
        unit=data.unit.value,
    )
    return _method_read(method)


async def list_test_methods(*, listing_id: int) -> list[TestMethodRead]:
    """A published testing service's catalogue of methods (public)."""
    if await catalog_service.published_listing(listing_id=listing_id) is None:
        raise NotFound("listing_not_found", f"服务 {listing_id} 不存在", "listing not found")
    return [_method_read(m) for m in await repository.active_methods(listing_id)]


async def lab_catalogue(*, actor: Actor, listing_id: int) -> list[TestMethodRead]:
    """The catalogue of methods as its lab keeps it (members of the listing's organisation and admins)."""
    listing = await catalog_service.published_listing(listing_id=listing_id)
    if listing is None or not _offers_testing(listing):
        raise NotFound(
            "listing_not_found", f"检测服务 {listing_id} 不存在", "no such published testing service"
        )
    policies.require_provider_member(actor, int(listing["org_id"]))
    return [_method_read(m) for m in await repository.active_methods(listing_id)]


async def withdraw_test_method(*, actor: Actor, method_id: int) -> None:
    """The lab withdraws a method; requests already made keep the terms they were made on."""
    method = await repository.get_method(method_id)
    if method is None:
        raise NotFound("method_not_found", f"检测项目 {method_id} 不存在", "method not found")
    policies.require_provider_member(actor, method.org_id)
    await repository.deactivate_method(method_id)


SIDES = ("requested", "received")


async def list_test_requests(*, actor: Actor, side: str, page: int, size: int) -> dict[str, Any]:
    """The caller's organisation's test requests, newest first: those it sent (`requested`) or, as the lab,
    received (`received`)."""
    if side not in SIDES:
        raise Invalid.field(["query", "side"], f"未知的列表 {side}", "side is requested or received")
    total, rows = await repository.page_requests(
        org_id=require_organisation(actor),
        as_provider=side == "received",
        offset=(page - 1) * size,
        limit=size,
    )
    return {"total": total, "page": page, "size": size, "items": [_read(r) for r in rows]}


async def get_test_request(*, actor: Actor, request_id: int) -> TestRequestRead:
    """One test request (its two parties and admins)."""
    request = await repository.get_request(request_id)
    if request is None:
        raise _not_found(request_id)
    policies.require_party(actor, request_id, request.provider_org_id, request.requester_org_id)
    return _read(request)


async def _step(
    *, actor: Actor, request_id: int, action: TestAction, change: Callable[[TestRequest], None] | None = None
) -> TestRequestRead:
    """Authorise the party whose step it is, then move the request along the transition table."""

    def authorise(request: TestRequest) -> None:
        policies.require_party(actor, request_id, request.provider_org_id, request.requester_org_id)
        policies.require_side(
            actor,
            provider=action in BY_PROVIDER,
            provider_org_id=request.provider_org_id,
            requester_org_id=request.requester_org_id,
        )

    request = await run_transition(
        table=TRANSITIONS,
        subject=SUBJECT,
        action=action,
        lock=lambda conn: repository.lock_request(request_id, conn),
        not_found=lambda: _not_found(request_id),
        authorise=authorise,
        change=change,
        save=repository.save_request,
    )
    return _read(request)


async def quote_test_request(*, actor: Actor, request_id: int, body: Any) -> TestRequestRead:
    """The provider quotes line by line (no negative lines); the total is their sum."""
    data = parse_body(QuoteCreate, body)

    def change(request: TestRequest) -> None:
        request.quote_lines = [line.model_dump() for line in data.lines]
        request.quote_total_fen = sum(line.amount_fen for line in data.lines)
        request.turnaround_days = data.turnaround_days or request.turnaround_days
        request.quoted_at = clock.now()

    return await _step(actor=actor, request_id=request_id, action=TestAction.QUOTE, change=change)


async def accept_quote(*, actor: Actor, request_id: int) -> TestRequestRead:
    """The requester accepts the quote."""

    def change(request: TestRequest) -> None:
        request.accepted_at = clock.now()

    return await _step(actor=actor, request_id=request_id, action=TestAction.ACCEPT_QUOTE, change=change)


async def decline_quote(*, actor: Actor, request_id: int) -> TestRequestRead:
    """The requester declines the quote."""
    return await _step(actor=actor, request_id=request_id, action=TestAction.DECLINE_QUOTE)


async def receive_samples(*, actor: Actor, request_id: int) -> TestRequestRead:
    """The provider records that the samples arrived."""

    def change(request: TestRequest) -> None:
        request.samples_received_at = clock.now()

    return await _step(actor=actor, request_id=request_id, action=TestAction.RECEIVE_SAMPLES, change=change)


async def upload_report(*, actor: Actor, request_id: int, content: bytes) -> TestRequestRead:
    """The provider uploads the result report (a PDF), stored through the file store."""
    if len(content) > MAX_REPORT_BYTES:
        raise Invalid.field(["file"], "报告不能超过 20 MB", "the report exceeds 20 MB")
    if not content.startswith(b"%PDF-"):
        raise Invalid.field(["file"], "检测报告须为 PDF 文件", "the report must be a PDF")
    await get_test_request(actor=actor, request_id=request_id)
    key = f"test-reports/{request_id}/{uuid.uuid4().hex}.pdf"
    digest = await file_store().put(key, content)

    def change(request: TestRequest) -> None:
        request.report_key = key
        request.report_sha256 = digest
        request.report_uploaded_at = clock.now()

    return await _step(actor=actor, request_id=request_id, action=TestAction.REPORT, change=change)


async def download_report(*, actor: Actor, request_id: int) -> bytes:
    """The result report (the two parties and admins)."""
    request = await repository.get_request(request_id)
    if request is None:
        raise _not_found(request_id)
    policies.require_party(actor, request_id, request.provider_org_id, request.requester_org_id)
    if request.report_key is None:
        raise NotFound("report_not_found", "尚未上传检测报告", "no report yet")
    return await file_store().get(request.report_key)


async def accept_result(*, actor: Actor, request_id: int) -> TestRequestRead:
    """The requester accepts the report: the request is completed."""

    def change(request: TestRequest) -> None:
        request.closed_at = clock.now()

    return await _step(actor=actor, request_id=request_id, action=TestAction.ACCEPT_RESULT, change=change)


async def query_result(*, actor: Actor, request_id: int, body: Any) -> TestRequestRead:
    """The requester queries the report; the provider answers with a new upload."""
    data = parse_body(QueryCreate, body)

    def change(request: TestRequest) -> None:
        request.query_note = data.note

    return await _step(actor=actor, request_id=request_id, action=TestAction.QUERY_RESULT, change=change)


async def test_request_for_billing(*, actor: Actor, request_id: int) -> dict[str, Any]:
    """What a payer (a voucher) needs to know about a request its parties see: parties, price, status."""
    request = await repository.get_request(request_id)
    if request is None:
        raise NotFound("test_request_not_found", f"检测委托 {request_id} 不存在", "test request not found")
    policies.require_party(actor, request_id, request.provider_org_id, request.requester_org_id)
    return {
        "id": request.id,
        "org_id": request.requester_org_id,
        "provider_org_id": request.provider_org_id,
        "price_fen": request.quote_total_fen,
        "status": request.status,
    }
