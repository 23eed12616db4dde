"""Milestone payments: PaymentIntents through the payment port, and provider events applied once."""

from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from services.accounts.policies import Actor
from services.core import clock
from services.core.errors import Conflict, Invalid, NotFound, Unavailable
from services.core.transitions import TransitionTable, allows, next_state
from services.deals import policies, repository
from services.deals.models import Payment
from services.deals.payments.port import (
    InvalidSignature,
    PaymentProvider,
    ProviderEvent,
    TerminalPaymentError,
    TransientPaymentError,
)
from services.deals.schemas import (
    ContractStatus,
    MilestoneStatus,
    PaymentMethod,
    PaymentRead,
    PaymentStart,
    PaymentStatus,
    parse_body,
)

_OPEN = (PaymentStatus.CREATED, PaymentStatus.REQUIRES_PAYMENT_METHOD, PaymentStatus.PROCESSING)

# A payment attempt follows its PaymentIntent. Stripe lets a failed intent be retried and succeed later,
# so `succeed` is open from `failed` too; a canceled intent can never succeed.
PAYMENT_TRANSITIONS: TransitionTable[PaymentStatus] = {
    (PaymentStatus.CREATED, "await_method"): PaymentStatus.REQUIRES_PAYMENT_METHOD,
    (PaymentStatus.CREATED, "process"): PaymentStatus.PROCESSING,
    (PaymentStatus.REQUIRES_PAYMENT_METHOD, "process"): PaymentStatus.PROCESSING,
    **{(state, "succeed"): PaymentStatus.SUCCEEDED for state in (*_OPEN, PaymentStatus.FAILED)},
    **{(state, "fail"): PaymentStatus.FAILED for state in _OPEN},
    **{(state, "cancel"): PaymentStatus.CANCELED for state in _OPEN},
}

# A milestone is unpaid, has an attempt under way, or is paid; a failed attempt puts it back.
MILESTONE_TRANSITIONS: TransitionTable[MilestoneStatus] = {
    (MilestoneStatus.UNPAID, "start"): MilestoneStatus.PROCESSING,
    (MilestoneStatus.PROCESSING, "fail"): MilestoneStatus.UNPAID,
    (MilestoneStatus.UNPAID, "credit"): MilestoneStatus.PAID,
    (MilestoneStatus.PROCESSING, "credit"): MilestoneStatus.PAID,
}
_PAYMENT = ("支付", "payment")


def _payment_read(payment: Payment) -> PaymentRead:
    return PaymentRead(
        payment_id=payment.id,
        client_secret=payment.client_secret,
        status=payment.status,
        provider=payment.provider,
        provider_ref=payment.provider_ref,
        amount_fen=payment.amount_fen,
        currency=payment.currency,
    )


async def _move_milestone(
    milestone_id: int, action: str, connection: BaseDBAsyncClient, **extra: Any
) -> bool:
    """Apply a milestone transition if its current state allows it; False when it does not."""
    sources = [state for (state, act) in MILESTONE_TRANSITIONS if act == action]
    targets = {MILESTONE_TRANSITIONS[(state, action)] for state in sources}
    (target,) = targets
    return bool(
        await repository.move_milestone(milestone_id, sources, connection, status=target.value, **extra)
    )


async def start_milestone_payment(
    *, actor: Actor, contract_id: int, milestone_id: int, body: Any, provider: PaymentProvider
) -> PaymentRead:
    """The buyer pays a milestone: one PaymentIntent per attempt, idempotent on our ids."""
    start = parse_body(PaymentStart, body or {})
    allowed = {m.value for m in PaymentMethod}
    if not start.methods or not set(start.methods) <= allowed:
        raise Invalid.field(
            ["body", "methods"], f"支付方式只能是 {sorted(allowed)} (unsupported payment method)"
        )
    async with in_transaction() as conn:
        contract = policies.require_visible_contract(
            actor, await repository.lock_contract(contract_id, conn), contract_id
        )
        policies.require_buyer(actor, contract)
        if contract.status == ContractStatus.CANCELLED:
            raise Conflict("contract_cancelled", "合同已取消", "contract cancelled")
        milestone = await repository.lock_milestone(contract_id, milestone_id, conn)
        if milestone is None:
            raise NotFound("milestone_not_found", f"里程碑 {milestone_id} 不存在", "milestone not found")
        if milestone.status == MilestoneStatus.PAID:
            raise Conflict("milestone_paid", "该里程碑已支付", "milestone already paid")
        existing = await repository.open_payment(milestone.id, conn)
        if existing is not None and existing.provider_ref:
            return _payment_read(existing)
        payment = existing or await repository.insert_payment(
            {
                "contract_id": contract.id,
                "milestone_id": milestone.id,
                "provider": provider.name,
                "idempotency_key": f"tm-milestone-{milestone.id}-attempt-{clock.now().strftime('%Y%m%d%H%M%S%f')}",
                "amount_fen": milestone.amount_fen,
                "currency": contract.currency,
                "status": PaymentStatus.CREATED.value,
                "payer_id": actor.user_id,
            },
            conn,
        )
    # The provider call happens outside the transaction; the idempotency key makes a retry safe.
    try:
        intent = await provider.create_intent(
            amount_fen=payment.amount_fen,
            currency=payment.currency,
            idempotency_key=payment.idempotency_key,
            metadata={
                "payment_id": str(payment.id),
                "contract_id": str(contract_id),
                "milestone_id": str(milestone_id),
            },
            methods=start.methods,
            description=f"TechMarket 合同 {contract_id} 里程碑 {milestone.seq}",
        )
    except TransientPaymentError as exc:
        raise Unavailable(
            "payment_provider_unavailable", "支付服务暂不可用，请稍后重试", "payment provider unavailable"
        ) from exc
    except TerminalPaymentError as exc:
        await repository.update_payment(
            payment.id, status=PaymentStatus.FAILED.value, failure_reason=str(exc)[:500]
        )
        raise Invalid("payment_refused", f"支付请求被拒绝: {exc}", "payment refused") from exc
    async with in_transaction() as conn:
        locked = await repository.payment_by_id(payment.id, conn)
        assert locked is not None
        changes: dict[str, Any] = {"provider_ref": intent.provider_ref, "client_secret": intent.client_secret}
        if locked.status == PaymentStatus.CREATED:
            # Only a verified webhook marks money as received: a `succeeded` answer here is still processing.
            action = "await_method" if intent.status == PaymentStatus.REQUIRES_PAYMENT_METHOD else "process"
            changes["status"] = next_state(PAYMENT_TRANSITIONS, locked.status, action, subject=_PAYMENT).value
        await repository.update_payment(locked.id, conn, **changes)
        await _move_milestone(milestone.id, "start", conn)
        locked = await repository.payment_by_id(payment.id, conn)
        assert locked is not None
    return _payment_read(locked)


async def handle_webhook(*, payload: bytes, signature: str, provider: PaymentProvider) -> dict[str, Any]:
    """Verify, store once by event id, and apply a payment event in one transaction."""
    try:
        event = provider.parse_webhook(payload=payload, signature=signature)
    except InvalidSignature as exc:
        raise Invalid(
            "bad_signature", "Stripe 签名校验失败", "webhook signature verification failed"
        ) from exc
    return await apply_event(event=event)


async def apply_event(*, event: ProviderEvent) -> dict[str, Any]:
    """Store a verified provider event under its id and apply it once, in one transaction."""
    async with in_transaction() as conn:
        if not await repository.store_event_once(event.id, event.type, event.payload, conn):
            return {"received": True, "duplicate": True}
        handler = EVENT_HANDLERS.get(event.type)
        outcome = "ignored" if handler is None else await _dispatch(handler, event, conn)
        await repository.mark_event_processed(event.id, clock.now(), conn)
    return {"received": True, "duplicate": False, "outcome": outcome}


EventHandler = Callable[[Payment, BaseDBAsyncClient], Awaitable[str]]


async def _dispatch(handler: EventHandler, event: ProviderEvent, conn: BaseDBAsyncClient) -> str:
    if event.object_id is None:
        return "ignored"
    payment = await repository.payment_by_ref(event.object_id, conn)
    if payment is None and str(event.metadata.get("payment_id", "")).isdigit():
        payment = await repository.payment_by_id(int(event.metadata["payment_id"]), conn)
    if payment is None:
        return "unknown_payment"
    return await handler(payment, conn)


async def _on_succeeded(payment: Payment, conn: BaseDBAsyncClient) -> str:
    if payment.status == PaymentStatus.SUCCEEDED:
        return "already_succeeded"
    if not allows(PAYMENT_TRANSITIONS, payment.status, "succeed"):
        return f"ignored_after_{payment.status}"
    status = next_state(PAYMENT_TRANSITIONS, payment.status, "succeed", subject=_PAYMENT)
    now = clock.now()
    await repository.update_payment(payment.id, conn, status=status.value, succeeded_at=now)
    await _move_milestone(payment.milestone_id, "credit", conn, paid_at=now)
    group = f"payment-{payment.id}"
    common = {
        "entry_group": group,
        "currency": payment.currency,
        "contract_id": payment.contract_id,
        "payment_id": payment.id,
    }
    # Double entry: cash arrives at the platform's clearing account and is owed to the seller.
    await repository.add_ledger(
        [
            {
                **common,
                "account": "provider_clearing",
                "amount_fen": payment.amount_fen,
                "memo": "milestone payment received",
            },
            {
                **common,
                "account": f"seller_payable:contract-{payment.contract_id}",
                "amount_fen": -payment.amount_fen,
                "memo": "owed to seller",
            },
        ],
        conn,
    )
    return status.value


async def _on_failed_or_canceled(payment: Payment, conn: BaseDBAsyncClient, action: str) -> str:
    # Events arrive out of order: a late failure never undoes a success.
    if payment.status == PaymentStatus.SUCCEEDED:
        return "ignored_after_success"
    if not allows(PAYMENT_TRANSITIONS, payment.status, action):
        return f"already_{payment.status}"
    status = next_state(PAYMENT_TRANSITIONS, payment.status, action, subject=_PAYMENT)
    await repository.update_payment(payment.id, conn, status=status.value)
    await _move_milestone(payment.milestone_id, "fail", conn)
    return status.value


async def _on_failed(payment: Payment, conn: BaseDBAsyncClient) -> str:
    return await _on_failed_or_canceled(payment, conn, "fail")


async def _on_canceled(payment: Payment, conn: BaseDBAsyncClient) -> str:
    return await _on_failed_or_canceled(payment, conn, "cancel")


async def _on_processing(payment: Payment, conn: BaseDBAsyncClient) -> str:
    if not allows(PAYMENT_TRANSITIONS, payment.status, "process"):
        return "ignored"
    status = next_state(PAYMENT_TRANSITIONS, payment.status, "process", subject=_PAYMENT)
    await repository.update_payment(payment.id, conn, status=status.value)
    return status.value


# Stripe event type -> what it does to our payment; any other type is stored and ignored.
EVENT_HANDLERS: dict[str, EventHandler] = {
    "payment_intent.succeeded": _on_succeeded,
    "payment_intent.payment_failed": _on_failed,
    "payment_intent.canceled": _on_canceled,
    "payment_intent.processing": _on_processing,
}
