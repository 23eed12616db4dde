"""Milestone payments: PaymentIntents through the payment port, and provider events applied once."""

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from services.accounts.policies import Actor
from services.core import clock
from services.core.bodies import parse_body
from services.core.db import Connection, transaction
from services.core.errors import Conflict, Invalid, Malformed, NotFound, Unavailable
from services.core.transitions import TransitionTable, allows, next_state
from services.deals import policies, repository
from services.deals.models import Contract, Milestone, Payment
from services.deals.payments.port import (
    InvalidSignature,
    MalformedEvent,
    PaymentProvider,
    Payout,
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
    RefundStart,
    RefundStatus,
)
from services.deals.shares import refund_shares

_OPEN = (PaymentStatus.CREATED, PaymentStatus.REQUIRES_PAYMENT_METHOD, PaymentStatus.PROCESSING)

# A payment attempt follows its PaymentIntent. A failed intent goes back to awaiting a payment method, so it
# may still be retried (processing, succeed) or canceled; a canceled intent can never succeed.
PAYMENT_TRANSITIONS: TransitionTable[PaymentStatus] = {
    (PaymentStatus.CREATED, "await_method"): PaymentStatus.REQUIRES_PAYMENT_METHOD,
    (PaymentStatus.CREATED, "process"): PaymentStatus.PROCESSING,
    (PaymentStatus.REQUIRES_PAYMENT_METHOD, "process"): PaymentStatus.PROCESSING,
    **{(state, "succeed"): PaymentStatus.SUCCEEDED for state in (*_OPEN, PaymentStatus.FAILED)},
    **{(state, "fail"): PaymentStatus.FAILED for state in _OPEN},
    **{(state, "cancel"): PaymentStatus.CANCELED for state in (*_OPEN, PaymentStatus.FAILED)},
    (PaymentStatus.FAILED, "process"): PaymentStatus.PROCESSING,
}

# A milestone is unpaid, has an attempt under way, or is paid; a failed attempt puts it back.
MILESTONE_TRANSITIONS: TransitionTable[MilestoneStatus] = {
    (MilestoneStatus.UNPAID, "start"): MilestoneStatus.PROCESSING,
    (MilestoneStatus.PROCESSING, "fail"): MilestoneStatus.UNPAID,
    (MilestoneStatus.UNPAID, "credit"): MilestoneStatus.PAID,
    (MilestoneStatus.PROCESSING, "credit"): MilestoneStatus.PAID,
    (MilestoneStatus.PAID, "refund"): MilestoneStatus.REFUNDED,
    (MilestoneStatus.REFUNDED, "start"): MilestoneStatus.PROCESSING,
}
_PAYMENT = ("支付", "payment")
CLEARING = "provider_clearing"


def _payment_read(payment: Payment) -> PaymentRead:
    return PaymentRead.model_validate(payment, from_attributes=True)


async def _move_milestone(milestone_id: int, action: str, connection: Connection, **extra: Any) -> bool:
    """Apply a milestone transition if its current state allows it; False when it does not."""
    sources = [state for (state, act) in MILESTONE_TRANSITIONS if act == action]
    targets = {MILESTONE_TRANSITIONS[(state, action)] for state in sources}
    (target,) = targets
    return bool(
        await repository.move_milestone(milestone_id, sources, connection, status=target.value, **extra)
    )


async def start_milestone_payment(
    *,
    actor: Actor,
    contract_id: int,
    milestone_id: int,
    body: Any,
    provider: PaymentProvider,
) -> PaymentRead:
    """The buyer pays a milestone (less the part a 创新券 pays): one PaymentIntent per attempt, idempotent."""
    start = parse_body(PaymentStart, body or {})
    allowed = {m.value for m in PaymentMethod}
    if not start.methods or not set(start.methods) <= allowed:
        raise Invalid.field(
            ["body", "methods"], f"支付方式只能是 {sorted(allowed)}", "unsupported payment method"
        )
    async with transaction() as conn:
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
        if milestone.voucher_fen >= milestone.amount_fen:
            raise Conflict(
                "milestone_covered_by_voucher",
                f"里程碑 {milestone.seq} 由创新券全额支付，无需付款",
                "the voucher pays this milestone in full",
            )
        existing = await repository.open_payment(milestone.id, conn)
        if existing is not None and existing.provider_ref:
            return _payment_read(existing)
        destination = await repository.payout_account(contract.seller_org_id)
        amount_fen = milestone.amount_fen - milestone.voucher_fen
        shares = _split(amount_fen, contract)
        payment = existing or await repository.insert_payment(
            {
                "contract_id": contract.id,
                "milestone_id": milestone.id,
                "provider": provider.name,
                "idempotency_key": f"tm-milestone-{milestone.id}-attempt-{clock.now().strftime('%Y%m%d%H%M%S%f')}",
                "amount_fen": amount_fen,
                "currency": contract.currency,
                "status": PaymentStatus.CREATED.value,
                "payer_id": actor.user_id,
                "payout_destination": destination,
                "application_fee_fen": shares["fee"] + shares["commission"] if destination else None,
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
            payout=Payout(payment.payout_destination, payment.application_fee_fen or 0)
            if payment.payout_destination
            else None,
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
    async with transaction() as conn:
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


async def credit_milestone_by_voucher(*, contract_id: int, milestone_id: int) -> bool:
    """A milestone a redeemed 创新券 paid in full is paid: no money moved through the provider, so no ledger rows."""
    async with transaction() as conn:
        milestone = await repository.lock_milestone(contract_id, milestone_id, conn)
        if milestone is None:
            raise NotFound("milestone_not_found", f"里程碑 {milestone_id} 不存在", "milestone not found")
        return await _move_milestone(milestone.id, "credit", conn, paid_at=clock.now())


async def handle_webhook(*, payload: bytes, signature: str, provider: PaymentProvider) -> dict[str, Any]:
    """Verify a webhook, store it once by event id, and apply it in one transaction; refuse malformed ones."""
    try:
        event = provider.parse_webhook(payload=payload, signature=signature)
    except InvalidSignature as exc:
        raise Malformed(
            "bad_signature", "Stripe 签名校验失败", "webhook signature verification failed"
        ) from exc
    except MalformedEvent as exc:
        # Signed by the provider but unusable: keep it as evidence, and tell the sender it was refused.
        event_id = exc.event_id or f"malformed-{hashlib.sha256(payload).hexdigest()[:40]}"
        await repository.store_rejected_event(
            event_id, {"raw": payload[:20_000].decode("utf-8", errors="replace")}, exc.reason
        )
        raise Malformed(
            "malformed_event", f"事件格式无法处理: {exc.reason}", f"malformed event: {exc.reason}"
        ) from exc
    return await apply_event(event=event)


async def apply_event(*, event: ProviderEvent) -> dict[str, Any]:
    """Store a verified provider event under its id and apply it at most once, in one transaction."""
    async with transaction() as conn:
        if not await repository.store_event_once(event.id, event.type, event.payload, conn):
            return {"received": True, "duplicate": True}
        outcome, reason = await _outcome(event, conn)
        await repository.mark_event_processed(event.id, clock.now(), outcome, reason, conn)
    return {"received": True, "duplicate": False, "outcome": outcome}


async def _outcome(event: ProviderEvent, conn: Connection) -> tuple[str, str | None]:
    handler = EVENT_HANDLERS.get(event.type)
    if handler is None:
        return "ignored", None
    # Only PaymentIntents this system created count; metadata in an event proves nothing.
    payment = await repository.payment_by_ref(event.intent_id, conn) if event.intent_id else None
    if payment is None:
        return "rejected", "unknown PaymentIntent"
    if event.amount != payment.amount_fen or event.currency != payment.currency:
        return "rejected", (
            f"amount/currency {event.amount} {event.currency} "
            f"differ from the expected {payment.amount_fen} {payment.currency}"
        )
    milestone = await repository.lock_milestone(payment.contract_id, payment.milestone_id, conn)
    assert milestone is not None  # a payment's milestone is never deleted (RESTRICT)
    return await handler(event, payment, milestone, conn), None


EventHandler = Callable[[ProviderEvent, Payment, Milestone, Connection], Awaitable[str]]


def _split(amount_fen: int, contract: Contract) -> dict[str, int]:
    """A milestone payment's shares: the platform fee, the broker's commission (pro rata), the seller's rest."""
    fee = amount_fen * contract.platform_fee_bp // 10_000
    commission = (
        contract.broker_commission_fen * amount_fen // contract.total_fen if contract.broker_id else 0
    )
    return {"fee": fee, "commission": commission, "seller": amount_fen - fee - commission}


async def _on_succeeded(
    event: ProviderEvent, payment: Payment, milestone: Milestone, conn: Connection
) -> str:
    if payment.status == PaymentStatus.SUCCEEDED:
        return "already_succeeded"
    if not allows(PAYMENT_TRANSITIONS, payment.status, "succeed"):
        return f"ignored_after_{payment.status}"
    status = next_state(PAYMENT_TRANSITIONS, payment.status, "succeed", subject=_PAYMENT)
    now = clock.now()
    await repository.update_payment(payment.id, conn, status=status.value, succeeded_at=now)
    common = {"currency": payment.currency, "contract_id": payment.contract_id, "payment_id": payment.id}
    received = {
        **common,
        "account": "provider_clearing",
        "amount_fen": payment.amount_fen,
        "memo": "payment received",
    }
    if not allows(MILESTONE_TRANSITIONS, milestone.status, "credit"):
        # Paid already through another attempt (events out of order, or the buyer paid twice): the money
        # is real, so book it, but as owed back to the buyer; the milestone is credited once.
        await repository.add_ledger(
            [
                {**received, "entry_group": f"payment-{payment.id}"},
                {
                    **common,
                    "entry_group": f"payment-{payment.id}",
                    "account": f"buyer_refund_due:contract-{payment.contract_id}",
                    "amount_fen": -payment.amount_fen,
                    "memo": "duplicate payment, owed to the buyer",
                },
                *_payout_rows(payment),
            ],
            conn,
        )
        return "succeeded_duplicate"
    await _move_milestone(milestone.id, "credit", conn, paid_at=now)
    contract = await repository.get_contract(payment.contract_id)
    assert contract is not None
    shares = _split(payment.amount_fen, contract)
    group = {"entry_group": f"payment-{payment.id}"}
    rows = [
        {**received, **group},
        {
            **common,
            **group,
            "account": f"seller_payable:contract-{payment.contract_id}",
            "amount_fen": -shares["seller"],
            "memo": "owed to the seller",
        },
    ]
    if shares["fee"]:
        rows.append(
            {
                **common,
                **group,
                "account": "platform_fee",
                "amount_fen": -shares["fee"],
                "memo": "platform fee",
            }
        )
    if shares["commission"] and contract.broker_id is not None:
        rows.append(
            {
                **common,
                **group,
                "account": f"broker_payable:user-{contract.broker_id}",
                "amount_fen": -shares["commission"],
                "memo": "broker commission",
            }
        )
    rows += _payout_rows(payment)
    await repository.add_ledger(rows, conn)
    return status.value


def _payout_rows(payment: Payment) -> list[dict[str, Any]]:
    """A destination charge: the provider moved all but the application fee to the seller's account at once
    (for a duplicate payment too, which the seller then holds until the refund reverses it)."""
    if not payment.payout_destination:
        return []
    out = payment.amount_fen - (payment.application_fee_fen or 0)
    payout = {
        "currency": payment.currency,
        "contract_id": payment.contract_id,
        "payment_id": payment.id,
        "entry_group": f"payout-{payment.id}",
    }
    return [
        {
            **payout,
            "account": f"seller_payable:contract-{payment.contract_id}",
            "amount_fen": out,
            "memo": f"paid out to {payment.payout_destination}",
        },
        {**payout, "account": CLEARING, "amount_fen": -out, "memo": "destination transfer"},
    ]


async def _on_failed_or_canceled(
    payment: Payment, milestone: Milestone, conn: Connection, action: str
) -> str:
    # Events arrive out of order: a late failure never undoes a success.
    if payment.status == PaymentStatus.SUCCEEDED:
        return "ignored_after_success"
    if not allows(PAYMENT_TRANSITIONS, payment.status, action):
        return f"already_{payment.status}"
    status = next_state(PAYMENT_TRANSITIONS, payment.status, action, subject=_PAYMENT)
    await repository.update_payment(payment.id, conn, status=status.value)
    await _move_milestone(milestone.id, "fail", conn)
    return status.value


async def _on_failed(event: ProviderEvent, payment: Payment, milestone: Milestone, conn: Connection) -> str:
    return await _on_failed_or_canceled(payment, milestone, conn, "fail")


async def _on_canceled(event: ProviderEvent, payment: Payment, milestone: Milestone, conn: Connection) -> str:
    return await _on_failed_or_canceled(payment, milestone, conn, "cancel")


async def _on_processing(
    event: ProviderEvent, payment: Payment, milestone: Milestone, conn: Connection
) -> str:
    if not allows(PAYMENT_TRANSITIONS, payment.status, "process"):
        return "ignored"
    status = next_state(PAYMENT_TRANSITIONS, payment.status, "process", subject=_PAYMENT)
    await repository.update_payment(payment.id, conn, status=status.value)
    return status.value


async def _on_refunded(event: ProviderEvent, payment: Payment, milestone: Milestone, conn: Connection) -> str:
    # Stripe reports the charge's cumulative refunded amount: book only what is new, so replays and
    # out-of-order partial refunds never refund twice.
    refunded = event.amount_refunded or 0
    if payment.status != PaymentStatus.SUCCEEDED or refunded > payment.amount_fen:
        return "ignored"
    if refunded <= payment.refunded_fen:
        return "already_refunded"
    # The refund is taken back from the accounts the payment was booked to, in proportion: a credited payment's
    # seller share, platform fee and broker commission; a duplicate payment's debt to the buyer.
    shares = {
        account: -amount
        for account, amount in (await repository.ledger_group(f"payment-{payment.id}", conn)).items()
        if account != CLEARING
    }
    seller = f"seller_payable:contract-{payment.contract_id}"
    credited = seller in shares
    paid_out = (await repository.ledger_group(f"payout-{payment.id}", conn)).get(seller, 0)
    step = refund_shares(
        shares=shares,
        residual=seller if credited else next(iter(shares)),
        paid_out_fen=paid_out,
        paid_out_account=seller,
        amount_fen=payment.amount_fen,
        refunded_before=payment.refunded_fen,
        refunded_after=refunded,
    )
    await repository.update_payment(payment.id, conn, refunded_fen=refunded)
    new = refunded - payment.refunded_fen
    common = {"currency": payment.currency, "contract_id": payment.contract_id, "payment_id": payment.id}
    group = {**common, "entry_group": f"refund-{payment.id}-{refunded}"}
    rows = [{**group, "account": CLEARING, "amount_fen": -new, "memo": "refund paid to the buyer"}]
    rows += [
        {**group, "account": account, "amount_fen": amount, "memo": "refunded share"}
        for account, amount in step.back.items()
        if amount
    ]
    if step.reversal_fen:
        # The provider pulled this back from the seller's connected account (transfer reversal).
        reversal = {**common, "entry_group": f"reversal-{payment.id}-{refunded}"}
        rows += [
            {**reversal, "account": seller, "amount_fen": -step.reversal_fen, "memo": "transfer reversed"},
            {**reversal, "account": CLEARING, "amount_fen": step.reversal_fen, "memo": "transfer reversed"},
        ]
    await repository.add_ledger(rows, conn)
    if refunded < payment.amount_fen:
        return "partially_refunded"
    # Only the attempt that credited the milestone makes it payable again; a refunded duplicate leaves it paid.
    if credited and allows(MILESTONE_TRANSITIONS, milestone.status, "refund"):
        await _move_milestone(milestone.id, "refund", conn)
    return "refunded"


# Stripe event type -> what it does to our payment; any other type is stored and ignored.
EVENT_HANDLERS: dict[str, EventHandler] = {
    "payment_intent.succeeded": _on_succeeded,
    "payment_intent.payment_failed": _on_failed,
    "payment_intent.canceled": _on_canceled,
    "payment_intent.processing": _on_processing,
    "charge.refunded": _on_refunded,
}


async def refund_payment(
    *, actor: Actor, payment_id: int, body: Any, provider: PaymentProvider
) -> PaymentRead:
    """The seller (or an admin) refunds part or all of a received payment through the provider."""
    data = parse_body(RefundStart, body)
    async with transaction() as conn:
        payment = await repository.payment_by_id(payment_id, conn)
        contract = await repository.get_contract(payment.contract_id) if payment else None
        if payment is None or contract is None or not policies.can_see_contract(actor, contract):
            raise NotFound("payment_not_found", f"支付 {payment_id} 不存在", "payment not found")
        policies.require_refunder(actor, contract)
        if payment.status != PaymentStatus.SUCCEEDED or not payment.provider_ref:
            raise Conflict(
                "payment_not_refundable", "仅已成功的支付可以退款", "only a succeeded payment is refunded"
            )
        # Refunds asked for but not yet reported count too, so two quick requests cannot exceed the payment.
        taken = max(payment.refunded_fen, await repository.refund_requested_total(payment.id, conn))
        if data.amount_fen > payment.amount_fen - taken:
            raise Invalid.field(["body", "amount_fen"], "退款金额超过可退金额", "refund exceeds what is left")
        refund = await repository.insert_refund(
            {
                "payment_id": payment.id,
                "amount_fen": data.amount_fen,
                "reverse_payout": payment.payout_destination is not None,
                "requested_by_id": actor.user_id,
            },
            conn,
        )
    try:
        provider_ref = await provider.refund(
            intent_id=payment.provider_ref,
            amount_fen=data.amount_fen,
            idempotency_key=f"tm-refund-{refund.id}",
            reverse_payout=refund.reverse_payout,
        )
    except TransientPaymentError as exc:
        await repository.update_refund(
            refund.id, status=RefundStatus.FAILED.value, failure_reason=str(exc)[:500]
        )
        raise Unavailable(
            "payment_provider_unavailable", "支付服务暂不可用，请稍后重试", "payment provider unavailable"
        ) from exc
    except TerminalPaymentError as exc:
        await repository.update_refund(
            refund.id, status=RefundStatus.FAILED.value, failure_reason=str(exc)[:500]
        )
        raise Invalid("refund_refused", f"退款请求被拒绝: {exc}", "refund refused") from exc
    await repository.update_refund(refund.id, status=RefundStatus.SUBMITTED.value, provider_ref=provider_ref)
    # The money moves when the provider's charge.refunded event arrives; until then nothing is booked.
    return _payment_read(payment)
