"""服务订单 in the portal: a member asks a service agency or an expert for a service, the provider quotes line items
and payment milestones, the buyer accepts (the price is frozen), declines or withdraws; the provider delivers a
note and/or a file; the buyer accepts the delivery or disputes it, and an admin rules on a dispute. The order
becomes a 技术服务 contract for 登记 in one step, and the buyer pays its milestones from the order (less any
创新券 part)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.catalog import service as catalog_service
from services.core.errors import DomainError
from services.orders import service as orders_service
from services.orders.lifecycle import BY, TRANSITIONS, OrderAction, Side
from services.orders.schemas import Resolution, ServiceOrderRead, ServiceOrderStatus
from services.vouchers import service as vouchers_service
from web.deps import CurrentUser, Page
from web.errors import STATUS
from web.pages.csrf import CheckedForm
from web.pages.forms import domain_errors, form_int, form_values, money_rows
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
LINE_ROWS = 5
MILESTONE_ROWS = 3
STATUS_LABELS = {
    ServiceOrderStatus.REQUESTED: "待报价",
    ServiceOrderStatus.QUOTED: "已报价，待确认",
    ServiceOrderStatus.DECLINED: "已谢绝报价",
    ServiceOrderStatus.WITHDRAWN: "已撤回",
    ServiceOrderStatus.ORDERED: "服务中",
    ServiceOrderStatus.DELIVERED: "已交付，待验收",
    ServiceOrderStatus.DISPUTED: "有争议，待平台裁决",
    ServiceOrderStatus.COMPLETED: "已完成",
    ServiceOrderStatus.CANCELLED: "已取消",
}
RESOLUTION_LABELS = {
    Resolution.COMPLETE: "交付有效，订单完成",
    Resolution.REDELIVER: "服务方重新交付",
    Resolution.CANCEL: "取消订单",
}
MILESTONE_LABELS = {"unpaid": "未支付", "processing": "支付处理中", "paid": "已支付", "refunded": "已退款"}


def _url(order_id: int) -> str:
    return f"/me/service-orders/{order_id}"


def _role(user: Actor, order: ServiceOrderRead) -> str:
    if user.org_id == order.buyer_org_id:
        return "buyer"
    return "provider" if user.org_id == order.provider_org_id else "admin"


@router.get("/me/service-orders", response_class=HTMLResponse)
async def my_service_orders(request: Request, user: CurrentUser, page: Page = 1) -> Response:
    result = await orders_service.list_service_orders(actor=user, status=None, page=page, size=PAGE_SIZE)
    orgs = await accounts_service.org_names(
        org_ids=[o.provider_org_id for o in result.items] + [o.buyer_org_id for o in result.items]
    )
    rows = [
        {
            "order": o,
            "role": _role(user, o),
            "other": orgs.get(o.provider_org_id if _role(user, o) == "buyer" else o.buyer_org_id, ""),
            "status_label": STATUS_LABELS[o.status],
        }
        for o in result.items
    ]
    context = {
        "rows": rows,
        "total": result.total,
        "paging": pager("/me/service-orders", page, result.total, PAGE_SIZE),
    }
    return await render(request, "service_orders.html", context, actor=user)


# --- a new order -----------------------------------------------------------------------------------------


async def _form(
    request: Request, user: Actor, listing_id: int, values: dict[str, Any], errors: dict[str, str], code: int
) -> Response:
    listing = (await catalog_service.published_snapshots_by_id(ids=[listing_id])).get(listing_id) or {}
    context = {
        "listing_id": listing_id,
        "service": str(listing.get("name") or listing.get("title") or f"服务 {listing_id}"),
        "values": values,
        "errors": errors,
    }
    return await render(request, "service_order_form.html", context, actor=user, status_code=code)


@router.get("/service-orders/new", response_class=HTMLResponse)
async def new_service_order(request: Request, listing_id: int, user: CurrentUser) -> Response:
    return await _form(request, user, listing_id, {}, {}, 200)


@router.post("/service-orders/new", response_class=HTMLResponse)
async def create_service_order(
    request: Request, listing_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    values = form_values(form)
    body = {
        "listing_id": listing_id,
        "title": values.get("title", ""),
        "description": values.get("description", ""),
    }
    try:
        made = await orders_service.create_service_order(actor=user, body=body)
    except DomainError as exc:
        errors = domain_errors(exc, fields={"listing_id": "__all__"})
        return await _form(request, user, listing_id, values, errors, STATUS[exc.kind])
    return redirect(_url(made.id), notice="order_requested")


# --- one order -------------------------------------------------------------------------------------------


def _may(action: OrderAction, order: ServiceOrderRead, user: Actor) -> bool:
    """Whether this reader's side takes this step now (the service decides again on posting)."""
    side = BY[action]
    if side is Side.ADMIN:
        allowed = user.is_admin
    else:
        allowed = user.org_id == (order.buyer_org_id if side is Side.BUYER else order.provider_org_id)
    return allowed and (order.status, action) in TRANSITIONS


async def _page(
    request: Request,
    user: Actor,
    order_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    order = await orders_service.get_service_order(actor=user, order_id=order_id)
    orgs = await accounts_service.org_names(org_ids=[order.provider_org_id, order.buyer_org_id])
    milestones: dict[int, str] = {}
    if order.contract_id is not None:
        milestones = await orders_service.milestone_statuses(actor=user, order_id=order_id)
    role = _role(user, order)
    agreed = order.price_fen is not None and order.status in (
        ServiceOrderStatus.ORDERED,
        ServiceOrderStatus.DELIVERED,
        ServiceOrderStatus.COMPLETED,
    )
    vouchers = []
    if role == "buyer" and agreed and not order.voucher_cover:
        vouchers = await vouchers_service.voucher_choices_for_service_order(actor=user)
    context = {
        "o": order,
        "role": role,
        "provider": orgs.get(order.provider_org_id, ""),
        "buyer": orgs.get(order.buyer_org_id, ""),
        "status_label": STATUS_LABELS[order.status],
        "may": {action.value: _may(action, order, user) for action in OrderAction},
        "resolutions": list(RESOLUTION_LABELS.items()),
        "resolution_label": RESOLUTION_LABELS.get(order.resolution) if order.resolution else None,
        "milestone_status": {seq: MILESTONE_LABELS.get(s, s) for seq, s in milestones.items()},
        "paid": {seq for seq, s in milestones.items() if s in ("processing", "paid")},
        "agreed": agreed,
        "vouchers": vouchers,
        "line_rows": range(LINE_ROWS),
        "milestone_rows": range(MILESTONE_ROWS),
        "errors": errors or {},
    }
    return await render(request, "service_order_detail.html", context, actor=user, status_code=status_code)


@router.get("/me/service-orders/{order_id}", response_class=HTMLResponse)
async def service_order(request: Request, order_id: int, user: CurrentUser) -> Response:
    return await _page(request, user, order_id)


async def _refused(request: Request, user: Actor, order_id: int, exc: DomainError) -> Response:
    errors = domain_errors(exc, fields={"lines": "quote", "milestones": "quote", "quote_version": "__all__"})
    return await _page(request, user, order_id, errors=errors, status_code=STATUS[exc.kind])


@router.post("/me/service-orders/{order_id}/quote", response_class=HTMLResponse)
async def quote(request: Request, order_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    values = form_values(form)
    lines, error = money_rows(values, "line", LINE_ROWS)
    milestones, milestone_error = money_rows(values, "milestone", MILESTONE_ROWS)
    if error or milestone_error:
        message = f"报价明细{error}" if error else f"付款里程碑{milestone_error}"
        return await _page(request, user, order_id, errors={"quote": message}, status_code=422)
    filled = [
        i
        for i in range(MILESTONE_ROWS)
        if values.get(f"milestone_name_{i}") or values.get(f"milestone_amount_{i}")
    ]
    for milestone, i in zip(milestones, filled, strict=True):
        if values.get(f"milestone_due_{i}"):
            milestone["due"] = values[f"milestone_due_{i}"]
    body = {"lines": lines, "milestones": milestones, "note": values.get("note", "")}
    try:
        await orders_service.quote_service_order(actor=user, order_id=order_id, body=body)
    except DomainError as exc:
        return await _refused(request, user, order_id, exc)
    return redirect(_url(order_id), notice="order_quoted")


@router.post("/me/service-orders/{order_id}/deliver", response_class=HTMLResponse)
async def deliver(request: Request, order_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    upload = form.get("file")
    file = upload if isinstance(upload, UploadFile) and upload.filename else None
    content = await file.read(orders_service.MAX_DELIVERABLE_BYTES + 1) if file else None
    try:
        await orders_service.deliver_service_order(
            actor=user,
            order_id=order_id,
            note=str(form.get("note") or ""),
            content=content,
            filename=file.filename if file else None,
        )
    except DomainError as exc:
        return await _refused(request, user, order_id, exc)
    return redirect(_url(order_id), notice="order_delivered")


@router.post("/me/service-orders/{order_id}/milestones/{seq}/pay", response_class=HTMLResponse)
async def pay(request: Request, order_id: int, seq: int, user: CurrentUser, form: CheckedForm) -> Response:
    try:
        await orders_service.pay_order_milestone(
            actor=user, order_id=order_id, seq=seq, body={}, provider=request.app.state.payments
        )
    except DomainError as exc:
        return await _refused(request, user, order_id, exc)
    return redirect(_url(order_id), notice="payment_started")


def _body_steps(values: dict[str, Any]) -> dict[str, tuple[Any, dict[str, Any] | None, str]]:
    """The steps posted without a file: the service call, its body (None: no body) and the notice after it."""
    return {
        "accept": (
            orders_service.accept_quote,
            {"quote_version": form_int(values.get("quote_version"))},
            "order_accepted",
        ),
        "decline": (orders_service.decline_quote, None, "order_declined"),
        "withdraw": (orders_service.withdraw_service_order, None, "order_withdrawn"),
        "accept-delivery": (orders_service.accept_delivery, None, "order_completed"),
        "dispute": (orders_service.dispute_delivery, {"reason": values.get("reason", "")}, "order_disputed"),
        "resolve": (
            orders_service.resolve_dispute,
            {"outcome": values.get("outcome", ""), "note": values.get("note", "")},
            "order_resolved",
        ),
        "contract": (orders_service.create_order_contract, None, "order_contract"),
        "voucher": (
            vouchers_service.use_voucher_on_service_order,
            {
                "voucher_id": form_int(values.get("voucher_id")),
                "milestone_seq": form_int(values.get("milestone_seq")),
            },
            "voucher_used",
        ),
        "voucher-redeem": (vouchers_service.redeem_service_order_voucher, None, "voucher_redeemed"),
    }


@router.post("/me/service-orders/{order_id}/{step}", response_class=HTMLResponse)
async def take_step(
    request: Request, order_id: int, step: str, user: CurrentUser, form: CheckedForm
) -> Response:
    steps = _body_steps(form_values(form))
    if step not in steps:
        return await _page(request, user, order_id, errors={"__all__": "未知的操作"}, status_code=404)
    action, body, notice = steps[step]
    try:
        if body is None:
            done = await action(actor=user, order_id=order_id)
        else:
            done = await action(actor=user, order_id=order_id, body=body)
    except DomainError as exc:
        return await _refused(request, user, order_id, exc)
    if step == "contract":
        return redirect(f"/contracts/{done.id}", notice="order_contract")
    return redirect(_url(order_id), notice=notice)
