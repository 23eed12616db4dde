"""The parties' contract pages: 我的合同, one contract with its confirmations, milestones and 认定登记 status."""

from collections.abc import Awaitable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from services.accounts import service as accounts_service
from services.core.errors import Conflict, DomainError, Forbidden
from services.deals import contracts as contracts_service
from services.deals import ledger, royalties
from services.deals import registration as registration_service
from services.deals.payments import service as payments_service
from services.deals.schemas import PaymentStatus
from web.deps import CurrentUser, Page
from web.errors import STATUS
from web.pages.csrf import CheckedForm
from web.pages.forms import YuanFen, bind, domain_errors, form_values
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
STATEMENT_SIZE = 50
MILESTONE_STATUS_LABELS = {
    "unpaid": "待支付",
    "processing": "支付处理中",
    "paid": "已支付",
    "refunded": "已退款",
}
PAYMENT_STATUS_LABELS = {
    PaymentStatus.CREATED: "已创建",
    PaymentStatus.REQUIRES_PAYMENT_METHOD: "待付款",
    PaymentStatus.PROCESSING: "处理中",
    PaymentStatus.SUCCEEDED: "已到账",
    PaymentStatus.FAILED: "失败",
    PaymentStatus.CANCELED: "已取消",
}
# The ledger's accounts as an organisation's statement names them (by the account's kind, before the colon).
ACCOUNT_LABELS = {
    "provider_clearing": "支付通道收付",
    "seller_payable": "应付卖方（货款）",
    "platform_fee": "平台服务费",
    "broker_payable": "技术经纪人佣金",
    "buyer_refund_due": "应退买方",
    "fee_receivable": "应收违约费",
    "voucher_receivable": "创新券应收",
}
# What a ledger entry is, by its group (the ledger's own memos are for the operators, in English).
ENTRY_KINDS = (
    ("booking-fee-voucher-", "预约违约费（创新券支付）"),
    ("booking-fee-", "预约违约费"),
    ("payment-", "合同款到账"),
    ("payout-", "结算给卖方"),
    ("refund-", "退款"),
    ("reversal-", "冲正"),
)
# What the 登记 block says for each contract status: a contract reads 已登记 only when it is registered.
REGISTRATION_STEPS = {
    "signed": "尚未提交认定登记：双方确认合同后，由卖方提交。",
    "registration_pending": "已提交认定登记，等待技术合同登记机构审核（尚未登记）。",
    "registered": "已完成认定登记，计入技术合同成交额。",
    "registration_rejected": "认定登记被驳回，可修改后重新提交。",
    "cancelled": "合同已取消，不再登记。",
    "terminated": "登记已被撤销，合同不再计入成交额。",
}


def _side(user: Any, contract: Any) -> str | None:
    if user.org_id == contract.buyer_org_id:
        return "buyer"
    if user.org_id == contract.seller_org_id:
        return "seller"
    return None


@router.get("/me/contracts", response_class=HTMLResponse)
async def my_contracts(request: Request, user: CurrentUser, page: Page = 1) -> Response:
    result = await contracts_service.list_contracts(actor=user, status=None, page=page, size=PAGE_SIZE)
    items = result["items"]
    names = await accounts_service.org_names(
        org_ids=sorted({c.buyer_org_id for c in items} | {c.seller_org_id for c in items})
    )
    context = {
        "contracts": [{"c": c, "side": _side(user, c), "names": names} for c in items],
        "total": result["total"],
        "paging": pager("/me/contracts", page, result["total"], PAGE_SIZE),
    }
    return await render(request, "contracts.html", context, actor=user)


async def _detail(
    request: Request,
    user: Any,
    contract_id: int,
    error: str | None = None,
    *,
    status_code: int = 409,
    royalty_errors: dict[str, str] | None = None,
) -> Response:
    contract = await contracts_service.get_contract(actor=user, contract_id=contract_id)
    names = await accounts_service.org_names(org_ids=[contract.buyer_org_id, contract.seller_org_id])
    trace = await contracts_service.trace_contract(actor=user, contract_id=contract_id)
    statements = (
        await royalties.list_statements(actor=user, contract_id=contract_id) if contract.royalty else []
    )
    side = _side(user, contract)
    confirmed = {"buyer": contract.buyer_confirmed_at, "seller": contract.seller_confirmed_at}
    context = {
        "c": contract,
        "side": side,
        "names": names,
        "error": error,
        "step": REGISTRATION_STEPS.get(contract.status, ""),
        "milestone_labels": MILESTONE_STATUS_LABELS,
        "can_confirm": side is not None and contract.status == "signed" and confirmed[side] is None,
        "can_submit": side == "seller"
        and contract.status in ("signed", "registration_rejected")
        and all(confirmed.values()),
        "can_pay": side == "buyer" and contract.status not in ("cancelled", "terminated"),
        "can_cancel": (side is not None or user.is_admin)
        and (contract.status, "cancel") in contracts_service.CONTRACT_TRANSITIONS,
        "can_terminate": user.is_admin
        and (contract.status, "terminate") in contracts_service.CONTRACT_TRANSITIONS,
        "trace": trace,
        "statements": statements,
        "royalty_errors": royalty_errors or {},
        "can_file": side == "buyer" and contract.royalty is not None,
        "payment_labels": PAYMENT_STATUS_LABELS,
    }
    return await render(
        request,
        "contract_detail.html",
        context,
        actor=user,
        status_code=status_code if error or royalty_errors else 200,
    )


@router.get("/contracts/{contract_id}", response_class=HTMLResponse)
async def contract_page(request: Request, contract_id: int, user: CurrentUser) -> Response:
    return await _detail(request, user, contract_id)


async def _act(
    request: Request, user: Any, contract_id: int, action: Awaitable[Any], notice: str
) -> Response:
    """Run one party action; a refusal by the contract's state re-renders the page saying why."""
    try:
        await action
    except Conflict as exc:
        return await _detail(request, user, contract_id, exc.message_zh)
    return redirect(f"/contracts/{contract_id}", notice=notice)


@router.post("/contracts/{contract_id}/confirm", response_class=HTMLResponse)
async def confirm(request: Request, contract_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    action = contracts_service.confirm_contract(actor=user, contract_id=contract_id)
    return await _act(request, user, contract_id, action, "contract_confirmed")


@router.post("/contracts/{contract_id}/registration", response_class=HTMLResponse)
async def submit_registration(
    request: Request, contract_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    action = registration_service.submit_registration(actor=user, contract_id=contract_id)
    return await _act(request, user, contract_id, action, "registration_submitted")


@router.post("/contracts/{contract_id}/milestones/{milestone_id}/pay", response_class=HTMLResponse)
async def pay(
    request: Request, contract_id: int, milestone_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    action = payments_service.start_milestone_payment(
        actor=user,
        contract_id=contract_id,
        milestone_id=milestone_id,
        body={},
        provider=request.app.state.payments,
    )
    return await _act(request, user, contract_id, action, "payment_started")


@router.post("/contracts/{contract_id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, contract_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    action = contracts_service.cancel_contract(actor=user, contract_id=contract_id)
    return await _act(request, user, contract_id, action, "contract_cancelled")


@router.post("/contracts/{contract_id}/terminate", response_class=HTMLResponse)
async def terminate(request: Request, contract_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    reason = str(form.get("reason") or "").strip()
    if len(reason) < 2:
        return await _detail(
            request, user, contract_id, "请填写登记注销的理由（至少 2 个字）", status_code=422
        )
    action = contracts_service.terminate_contract(
        actor=user, contract_id=contract_id, body={"reason": reason}
    )
    return await _act(request, user, contract_id, action, "contract_terminated")


def _account_label(account: str) -> str:
    return ACCOUNT_LABELS.get(account.split(":", 1)[0], account)


def _entry_kind(group: str) -> str:
    return next((label for prefix, label in ENTRY_KINDS if group.startswith(prefix)), "其他")


@router.get("/me/statement", response_class=HTMLResponse)
async def statement(request: Request, user: CurrentUser, page: Page = 1) -> Response:
    """结算对账: the organisation's side of the ledger (what it was paid, fees and commissions taken from its
    sales, refunds), newest first, with the balance of each account."""
    if user.org_id is None:
        raise Forbidden("no_organisation", "加入机构后才能查看结算对账", "join an organisation first")
    result = await ledger.org_statement(actor=user, org_id=user.org_id, page=page, size=STATEMENT_SIZE)
    context = {
        "rows": [
            {**row, "label": _account_label(row["account"]), "kind": _entry_kind(row["entry_group"])}
            for row in result["items"]
        ],
        "balances": [{**b, "label": _account_label(b["account"])} for b in result["balances"]],
        "total": result["total"],
        "paging": pager("/me/statement", page, result["total"], STATEMENT_SIZE),
    }
    return await render(request, "statement.html", context, actor=user)


class RoyaltyForm(BaseModel):
    period_start: date
    period_end: date
    sales: YuanFen


@router.post("/contracts/{contract_id}/royalty-statements", response_class=HTMLResponse)
async def file_royalty_statement(
    request: Request, contract_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    """The licensee files its sales for one period (提成): the royalty due becomes a payable milestone."""
    data, errors = bind(RoyaltyForm, form_values(form))
    if data is not None and data.sales is None:
        errors = {"sales": "请填写本期销售额（元）"}
    if data is None or data.sales is None:
        return await _detail(request, user, contract_id, status_code=422, royalty_errors=errors)
    body = {
        "period_start": data.period_start.isoformat(),
        "period_end": data.period_end.isoformat(),
        "sales_fen": data.sales,
    }
    try:
        await royalties.file_statement(actor=user, contract_id=contract_id, body=body)
    except DomainError as exc:
        errors = domain_errors(exc, fields={"sales_fen": "sales"})
        return await _detail(request, user, contract_id, status_code=STATUS[exc.kind], royalty_errors=errors)
    return redirect(f"/contracts/{contract_id}", notice="royalty_filed")
