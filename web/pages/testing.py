"""送样检测 in the portal: a member sends samples to an instrument's lab or a testing agency (from its catalogue of
methods, or by describing the tests), the lab quotes line by line, the requester accepts or declines, the lab
records the samples' arrival and uploads the PDF report, and the requester accepts the result or queries it. Once
the quote is accepted the requester may pay part of it with a 创新券, which the lab redeems once the result is
accepted."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.catalog import service as catalog_service
from services.core.errors import DomainError
from services.testing import service as testing_service
from services.testing.lifecycle import BY_PROVIDER, TRANSITIONS, TestAction
from services.testing.schemas import Accreditation, MethodUnit, TestRequestRead, TestRequestStatus
from services.vouchers import service as vouchers_service
from services.vouchers.schemas import RedemptionStatus
from web.deps import CurrentUser, Page
from web.errors import STATUS
from web.pages.csrf import CheckedForm
from web.pages.forms import GENERAL, YuanFen, bind, domain_errors, form_int, form_values, money_rows
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
ROWS = 3  # sample and free-text item rows offered by the request form
QUOTE_ROWS = 5
STATUS_LABELS = {
    TestRequestStatus.REQUESTED: "待报价",
    TestRequestStatus.QUOTED: "已报价，待确认",
    TestRequestStatus.ACCEPTED: "待收样",
    TestRequestStatus.DECLINED: "已谢绝报价",
    TestRequestStatus.SAMPLES_RECEIVED: "检测中",
    TestRequestStatus.REPORTED: "报告已出，待验收",
    TestRequestStatus.QUERIED: "报告有疑问",
    TestRequestStatus.COMPLETED: "已完成",
}
ACCREDITATION_LABELS = {
    Accreditation.NONE: "无要求",
    Accreditation.CMA: "CMA",
    Accreditation.CNAS: "CNAS",
    Accreditation.CMA_CNAS: "CMA 和 CNAS",
}
UNIT_LABELS = {"sample": "样", "item": "项", "hour": "小时"}
SIDE_LABELS = {"requested": "我送检的", "received": "我承接的"}


def _detail_url(request_id: int) -> str:
    return f"/me/test-requests/{request_id}"


async def _service(listing_id: int) -> dict[str, str]:
    """The testing service's name and listing type (for its link)."""
    listing = (await catalog_service.published_snapshots_by_id(ids=[listing_id])).get(listing_id) or {}
    return {
        "title": str(listing.get("name") or listing.get("title") or f"服务 {listing_id}"),
        "type": str(listing.get("type") or "instrument"),
    }


# --- the lists -------------------------------------------------------------------------------------------


@router.get("/me/test-requests", response_class=HTMLResponse)
async def my_test_requests(
    request: Request, user: CurrentUser, page: Page = 1, side: str = "requested"
) -> Response:
    result = await testing_service.list_test_requests(actor=user, side=side, page=page, size=PAGE_SIZE)
    items: list[TestRequestRead] = result["items"]
    other = [r.provider_org_id if side == "requested" else r.requester_org_id for r in items]
    orgs = await accounts_service.org_names(org_ids=other)
    snapshots = await catalog_service.published_snapshots_by_id(ids=[r.listing_id for r in items])
    rows = [
        {
            "request": r,
            "status_label": STATUS_LABELS[r.status],
            "other": orgs.get(o, ""),
            "service": (snapshots.get(r.listing_id) or {}).get("name")
            or (snapshots.get(r.listing_id) or {}).get("title")
            or f"服务 {r.listing_id}",
        }
        for r, o in zip(items, other, strict=True)
    ]
    context = {
        "rows": rows,
        "side": side,
        "sides": list(SIDE_LABELS.items()),
        "total": result["total"],
        "paging": pager("/me/test-requests", page, int(result["total"]), PAGE_SIZE, f"&side={side}"),
    }
    return await render(request, "test_requests.html", context, actor=user)


# --- a new request ---------------------------------------------------------------------------------------


async def _form_page(
    request: Request,
    user: Actor,
    listing_id: int,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    methods = await testing_service.list_test_methods(listing_id=listing_id)
    context = {
        "listing_id": listing_id,
        "service": (await _service(listing_id))["title"],
        "methods": methods,
        "values": values,
        "errors": errors,
        "rows": range(ROWS),
        "accreditations": list(ACCREDITATION_LABELS.items()),
        "UNIT_LABELS": UNIT_LABELS,
    }
    return await render(request, "test_request_form.html", context, actor=user, status_code=status_code)


@router.get("/test-requests/new", response_class=HTMLResponse)
async def new_test_request(request: Request, listing_id: int, user: CurrentUser) -> Response:
    values = {"accreditation": Accreditation.NONE.value, "turnaround_days": "7", "sample_quantity_0": "1"}
    return await _form_page(request, user, listing_id, values=values, errors={})


def _request_body(listing_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """The API body of the request form: filled sample rows, chosen methods or filled free-text items."""
    samples = [
        {
            "name": values.get(f"sample_name_{i}", ""),
            "quantity": form_int(values.get(f"sample_quantity_{i}") or "1"),
            "description": values.get(f"sample_description_{i}", ""),
        }
        for i in range(ROWS)
        if values.get(f"sample_name_{i}")
    ]
    items: list[dict[str, Any]] = [{"method_id": form_int(m)} for m in values.get("method_ids", [])]
    items += [
        {"method": values.get(f"item_method_{i}"), "standard": values.get(f"item_standard_{i}") or None}
        for i in range(ROWS)
        if values.get(f"item_method_{i}")
    ]
    return {
        "listing_id": listing_id,
        "samples": samples,
        "items": items,
        "accreditation": values.get("accreditation") or Accreditation.NONE.value,
        "turnaround_days": form_int(values.get("turnaround_days")),
        "note": values.get("note", ""),
    }


# Where an API error on the request body is shown on the form.
REQUEST_FIELDS = {
    "samples": "sample_name_0",
    "items": "items",
    "accreditation": "accreditation",
    "turnaround_days": "turnaround_days",
    "note": "note",
    "listing_id": GENERAL,
}


@router.post("/test-requests/new", response_class=HTMLResponse)
async def create_test_request(
    request: Request, listing_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    values = form_values(form, lists=("method_ids",))
    try:
        made = await testing_service.create_test_request(actor=user, body=_request_body(listing_id, values))
    except DomainError as exc:
        errors = domain_errors(exc, fields=REQUEST_FIELDS)
        return await _form_page(
            request, user, listing_id, values=values, errors=errors, status_code=STATUS[exc.kind]
        )
    return redirect(_detail_url(made.id), notice="test_requested")


# --- one request -----------------------------------------------------------------------------------------


def _may(action: TestAction, request: TestRequestRead, user: Actor) -> bool:
    """Whether this reader's side takes this step now (the service decides again on posting)."""
    side_org = request.provider_org_id if action in BY_PROVIDER else request.requester_org_id
    return user.org_id == side_org and (request.status, action) in TRANSITIONS


async def _detail_page(
    request: Request,
    user: Actor,
    request_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    found = await testing_service.get_test_request(actor=user, request_id=request_id)
    orgs = await accounts_service.org_names(org_ids=[found.provider_org_id, found.requester_org_id])
    part = await vouchers_service.voucher_part_of_test_request(actor=user, request_id=request_id)
    context = {
        "r": found,
        "service": await _service(found.listing_id),
        "provider": orgs.get(found.provider_org_id, ""),
        "requester": orgs.get(found.requester_org_id, ""),
        "status_label": STATUS_LABELS[found.status],
        "accreditation_label": ACCREDITATION_LABELS[found.accreditation],
        "may": {action.value: _may(action, found, user) for action in TestAction},
        "voucher": part,
        "vouchers": await vouchers_service.voucher_choices_for_test_request(
            actor=user, request_id=request_id
        ),
        "may_redeem_voucher": user.org_id == found.provider_org_id
        and part is not None
        and part.status is RedemptionStatus.RESERVED
        and found.status is TestRequestStatus.COMPLETED,
        "quote_rows": range(QUOTE_ROWS),
        "errors": errors or {},
        "UNIT_LABELS": UNIT_LABELS,
    }
    return await render(request, "test_request_detail.html", context, actor=user, status_code=status_code)


@router.get("/me/test-requests/{request_id}", response_class=HTMLResponse)
async def test_request_detail(request: Request, request_id: int, user: CurrentUser) -> Response:
    return await _detail_page(request, user, request_id)


async def _refused(request: Request, user: Actor, request_id: int, exc: DomainError) -> Response:
    return await _detail_page(
        request,
        user,
        request_id,
        errors=domain_errors(exc, fields={"lines": "quote"}),
        status_code=STATUS[exc.kind],
    )


@router.post("/me/test-requests/{request_id}/quote", response_class=HTMLResponse)
async def quote(request: Request, request_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    values = form_values(form)
    lines, error = money_rows(values, "line", QUOTE_ROWS)
    if error:
        return await _detail_page(request, user, request_id, errors={"quote": error}, status_code=422)
    body: dict[str, Any] = {"lines": lines}
    if values.get("turnaround_days"):
        body["turnaround_days"] = form_int(values["turnaround_days"])
    try:
        await testing_service.quote_test_request(actor=user, request_id=request_id, body=body)
    except DomainError as exc:
        return await _refused(request, user, request_id, exc)
    return redirect(_detail_url(request_id), notice="test_quoted")


STEPS = {
    "accept": (testing_service.accept_quote, "test_quote_accepted"),
    "decline": (testing_service.decline_quote, "test_quote_declined"),
    "samples-received": (testing_service.receive_samples, "test_samples_received"),
    "accept-result": (testing_service.accept_result, "test_completed"),
    "voucher-redeem": (vouchers_service.redeem_test_request_voucher, "voucher_redeemed"),
}


@router.post("/me/test-requests/{request_id}/{step}", response_class=HTMLResponse)
async def take_step(
    request: Request, request_id: int, step: str, user: CurrentUser, form: CheckedForm
) -> Response:
    """One of the steps without a body (accept or decline the quote, samples received, accept the result, redeem
    the voucher), the report upload (multipart), a query (with its note) or a voucher applied (with its id)."""
    try:
        if step == "report":
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                return await _detail_page(
                    request, user, request_id, errors={"file": "请选择 PDF 格式的检测报告"}, status_code=422
                )
            content = await upload.read(testing_service.MAX_REPORT_BYTES + 1)
            await testing_service.upload_report(actor=user, request_id=request_id, content=content)
            notice = "test_reported"
        elif step == "query":
            body = {"note": form_values(form).get("note", "")}
            await testing_service.query_result(actor=user, request_id=request_id, body=body)
            notice = "test_queried"
        elif step == "voucher":
            body = {"voucher_id": form_int(form_values(form).get("voucher_id"))}
            await vouchers_service.use_voucher_on_test_request(actor=user, request_id=request_id, body=body)
            notice = "voucher_used"
        elif step in STEPS:
            action, notice = STEPS[step]
            await action(actor=user, request_id=request_id)
        else:
            return await _detail_page(
                request, user, request_id, errors={GENERAL: "未知的操作"}, status_code=404
            )
    except DomainError as exc:
        return await _refused(request, user, request_id, exc)
    return redirect(_detail_url(request_id), notice=notice)


# --- the lab's catalogue of methods ----------------------------------------------------------------------


class MethodForm(BaseModel):
    test_item: str = Field(min_length=1, max_length=200)
    standard: str = Field(default="", max_length=100)
    accreditation: Accreditation = Accreditation.NONE
    turnaround_days: int = Field(ge=1, le=365)
    price: YuanFen
    unit: MethodUnit = MethodUnit.SAMPLE


def _methods_url(listing_id: int) -> str:
    return f"/me/listings/{listing_id}/test-methods"


async def _methods_page(
    request: Request,
    user: Actor,
    listing_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    methods = await testing_service.lab_catalogue(actor=user, listing_id=listing_id)
    context = {
        "listing_id": listing_id,
        "service": await _service(listing_id),
        "methods": methods,
        "values": values or {"accreditation": "none", "unit": "sample"},
        "errors": errors or {},
        "accreditations": list(ACCREDITATION_LABELS.items()),
        "units": list(UNIT_LABELS.items()),
        "UNIT_LABELS": UNIT_LABELS,
        "ACCREDITATION_LABELS": ACCREDITATION_LABELS,
    }
    return await render(request, "test_methods.html", context, actor=user, status_code=status_code)


@router.get("/me/listings/{listing_id}/test-methods", response_class=HTMLResponse)
async def test_methods(request: Request, listing_id: int, user: CurrentUser) -> Response:
    return await _methods_page(request, user, listing_id)


@router.post("/me/listings/{listing_id}/test-methods", response_class=HTMLResponse)
async def add_test_method(
    request: Request, listing_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    values = form_values(form)
    data, errors = bind(MethodForm, values)
    if data is not None and not data.price:
        data, errors = None, {"price": "请填写单价（元）"}
    if data is None:
        return await _methods_page(request, user, listing_id, values=values, errors=errors, status_code=422)
    body = {
        "listing_id": listing_id,
        "test_item": data.test_item,
        "standard": data.standard or None,
        "accreditation": data.accreditation.value,
        "turnaround_days": data.turnaround_days,
        "price_fen": data.price,
        "unit": data.unit.value,
    }
    try:
        await testing_service.add_test_method(actor=user, body=body)
    except DomainError as exc:
        errors = domain_errors(exc, fields={"price_fen": "price"})
        return await _methods_page(
            request, user, listing_id, values=values, errors=errors, status_code=STATUS[exc.kind]
        )
    return redirect(_methods_url(listing_id), notice="test_method_added")


@router.post("/me/listings/{listing_id}/test-methods/{method_id}/withdraw", response_class=HTMLResponse)
async def withdraw_test_method(
    listing_id: int, method_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    await testing_service.withdraw_test_method(actor=user, method_id=method_id)
    return redirect(_methods_url(listing_id), notice="test_method_withdrawn")
