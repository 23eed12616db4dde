"""Deals: technology contracts, milestone payments and contract registration."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from services.accounts import service as accounts_service
from services.accounts.policies import Actor, require_admin
from services.catalog.reference import contract_rule_set, registered_contract_type
from services.catalog.service import validate_json_body, validation_errors
from services.core import clock
from services.core.audit import record_audit
from services.core.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from services.core.outbox import record_event
from services.deals import repository
from services.deals.models import Contract, LedgerEntry, Milestone, NonTechnicalItem, Payment
from services.deals.payments.port import (
    InvalidSignature,
    PaymentProvider,
    TerminalPaymentError,
    TransientPaymentError,
)
from services.deals.schemas import (
    ContractCreate,
    ContractRead,
    MilestoneRead,
    PaymentRead,
    PaymentStart,
    RegistrationApprove,
    RegistrationReject,
)

CONTRACT_TOPIC = "contract.changed"
_M = TypeVar("_M", bound=BaseModel)


def _parse(model: type[_M], body: Any) -> _M:
    if not isinstance(body, dict):
        raise Invalid.field(["body"], "需要 JSON 对象 (a JSON object is required)")
    try:
        return validate_json_body(model, body)
    except ValidationError as exc:
        raise validation_errors(exc, ["body"]) from exc


# --- contracts -------------------------------------------------------------------------------------------


def _contract_read(contract: Contract, milestones: list[Milestone]) -> ContractRead:
    ordered = sorted(milestones, key=lambda m: m.seq)
    return ContractRead(
        id=contract.id,
        contract_type=contract.contract_type,
        rule_set=contract.rule_set,
        title=contract.title,
        buyer_org_id=contract.buyer_org_id,
        seller_org_id=contract.seller_org_id,
        broker_id=contract.broker_id,
        match_id=contract.match_id,
        field=contract.field,
        total_fen=contract.total_fen,
        tech_fen=contract.tech_fen,
        certified_tech_fen=contract.certified_tech_fen,
        currency=contract.currency,
        signed_at=contract.signed_at,
        status=contract.status,
        registration_no=contract.registration_no,
        registered_at=contract.registered_at,
        registration_reject_reason=contract.registration_reject_reason,
        milestones=[
            MilestoneRead(
                id=m.id,
                seq=m.seq,
                name=m.name,
                due=m.due,
                amount_fen=m.amount_fen,
                status=m.status,
                paid_at=m.paid_at,
            )
            for m in ordered
        ],
        paid_fen=sum(m.amount_fen for m in ordered if m.status == "paid"),
        created_at=contract.created_at,
    )


def _is_party(actor: Actor, contract: Contract) -> bool:
    return (
        actor.is_admin
        or actor.org_id in (contract.buyer_org_id, contract.seller_org_id)
        or (contract.broker_id is not None and actor.user_id == contract.broker_id)
    )


async def create_contract(*, actor: Actor, body: Any) -> ContractRead:
    """Record a signed technology contract with its payment milestones."""
    data = _parse(ContractCreate, body)
    if not (
        actor.is_admin or actor.role == "broker" or actor.org_id in (data.buyer_org_id, data.seller_org_id)
    ):
        raise Forbidden(
            "not_a_party", "仅合同当事方、技术经纪人或管理员可登记合同 (not a party to this contract)"
        )
    if data.match_id is not None and (await repository.contracts_for_matches([data.match_id])):
        # One deal per match: a second recording would count the same turnover twice.
        raise Conflict("match_has_contract", "该匹配已登记技术合同 (this match already has a contract)")
    buyer = await accounts_service.get_org(org_id=data.buyer_org_id)
    seller = await accounts_service.get_org(org_id=data.seller_org_id)
    rule_set = contract_rule_set(data.signed_at)
    async with in_transaction() as conn:
        contract = await Contract.create(
            contract_type=data.contract_type.value,
            legacy_type=registered_contract_type(data.contract_type.value, data.signed_at),
            rule_set=rule_set.code,
            title=data.title,
            buyer_org_id=buyer.id,
            seller_org_id=seller.id,
            broker_id=data.broker_id
            if data.broker_id is not None
            else (actor.user_id if actor.role == "broker" else None),
            match_id=data.match_id,
            created_by_id=actor.user_id,
            field=data.field,
            total_fen=data.total_fen,
            tech_fen=data.tech_fen,
            currency=data.currency,
            signed_at=data.signed_at,
            seller_region=seller.region,
            buyer_region=buyer.region,
            using_db=conn,
        )
        milestones = [
            Milestone(contract_id=contract.id, seq=i, name=m.name, due=m.due, amount_fen=m.amount_fen)
            for i, m in enumerate(data.milestones, start=1)
        ]
        await Milestone.bulk_create(milestones, using_db=conn)
        if data.non_technical_items:
            await NonTechnicalItem.bulk_create(
                [
                    NonTechnicalItem(contract_id=contract.id, name=i.name, amount_fen=i.amount_fen)
                    for i in data.non_technical_items
                ],
                using_db=conn,
            )
        await record_event(
            connection=conn,
            topic=CONTRACT_TOPIC,
            aggregate_type="contract",
            aggregate_id=contract.id,
            payload={"status": contract.status},
        )
    return await get_contract(actor=actor, contract_id=contract.id)


async def get_contract(*, actor: Actor, contract_id: int) -> ContractRead:
    """A contract with its milestones (parties, its broker and admins)."""
    contract = await repository.get_contract(contract_id)
    if contract is None or not _is_party(actor, contract):
        raise NotFound("contract_not_found", f"合同 {contract_id} 不存在 (contract not found)")
    return _contract_read(contract, list(contract.milestones))


async def list_contracts(*, actor: Actor, status: str | None, page: int, size: int) -> dict[str, Any]:
    """Contracts of the caller's organisation (admins: all)."""
    org_id = None if actor.is_admin else actor.org_id
    if org_id is None and not actor.is_admin:
        raise Forbidden("no_organisation", "需要先加入一个机构 (join an organisation first)")
    total, rows = await repository.page_contracts(
        org_id=org_id, status=status, offset=(page - 1) * size, limit=size
    )
    return {
        "total": total,
        "page": page,
        "size": size,
        "items": [_contract_read(c, list(c.milestones)) for c in rows],
    }


async def start_milestone_payment(
    *, actor: Actor, contract_id: int, milestone_id: int, body: Any, provider: PaymentProvider
) -> PaymentRead:
    """The buyer pays a milestone: one PaymentIntent per attempt, idempotent on our ids."""
    start = _parse(PaymentStart, body or {})
    allowed = {"card", "alipay", "wechat_pay"}
    if not start.methods or not set(start.methods) <= allowed:
        raise Invalid.field(
            ["body", "methods"], f"支付方式只能是 {sorted(allowed)} (unsupported payment method)"
        )
    async with in_transaction() as conn:
        contract = await repository.lock_contract(contract_id, conn)
        if contract is None or not _is_party(actor, contract):
            raise NotFound("contract_not_found", f"合同 {contract_id} 不存在 (contract not found)")
        if not (actor.is_admin or actor.org_id == contract.buyer_org_id):
            raise Forbidden("buyer_only", "仅买方可支付 (only the buyer pays)")
        if contract.status == "cancelled":
            raise Conflict("contract_cancelled", "合同已取消 (contract cancelled)")
        milestone = await repository.lock_milestone(contract_id, milestone_id, conn)
        if milestone is None:
            raise NotFound("milestone_not_found", f"里程碑 {milestone_id} 不存在 (milestone not found)")
        if milestone.status == "paid":
            raise Conflict("milestone_paid", "该里程碑已支付 (milestone already paid)")
        existing = await repository.open_payment(milestone.id, conn)
        if existing is not None and existing.provider_ref:
            return _payment_read(existing)
        payment = existing or await Payment.create(
            contract_id=contract.id,
            milestone_id=milestone.id,
            provider=provider.name,
            idempotency_key=f"tm-milestone-{milestone.id}-attempt-{clock.now().strftime('%Y%m%d%H%M%S%f')}",
            amount_fen=milestone.amount_fen,
            currency=contract.currency,
            status="created",
            payer_id=actor.user_id,
            using_db=conn,
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
            "payment_provider_unavailable", "支付服务暂不可用，请稍后重试 (payment provider unavailable)"
        ) from exc
    except TerminalPaymentError as exc:
        await Payment.filter(id=payment.id).update(status="failed", failure_reason=str(exc)[:500])
        raise Invalid("payment_refused", f"支付请求被拒绝 (payment refused): {exc}") from exc
    async with in_transaction() as conn:
        locked = await repository.payment_by_id(payment.id, conn)
        assert locked is not None
        locked.provider_ref = intent.provider_ref
        locked.client_secret = intent.client_secret
        if locked.status == "created":
            locked.status = (
                intent.status
                if intent.status in ("requires_payment_method", "processing", "succeeded")
                else "requires_payment_method"
            )
            if locked.status == "succeeded":
                locked.status = "processing"  # only a verified webhook marks money as received
        await locked.save(using_db=conn)
        await Milestone.filter(id=milestone.id, status="unpaid").using_db(conn).update(status="processing")
    return _payment_read(locked)


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


async def handle_webhook(*, payload: bytes, signature: str, provider: PaymentProvider) -> dict[str, Any]:
    """Verify, store once by event id, and apply a payment event in one transaction."""
    try:
        event = provider.parse_webhook(payload=payload, signature=signature)
    except InvalidSignature as exc:
        raise Invalid("bad_signature", "Stripe 签名校验失败 (webhook signature verification failed)") from exc
    async with in_transaction() as conn:
        if not await repository.store_event_once(event.id, event.type, event.payload, conn):
            return {"received": True, "duplicate": True}
        outcome = await _apply_payment_event(event.type, event.object_id, event.metadata, conn)
        await repository.mark_event_processed(event.id, clock.now(), conn)
    return {"received": True, "duplicate": False, "outcome": outcome}


async def _apply_payment_event(
    event_type: str, object_id: str | None, metadata: dict[str, Any], conn: Any
) -> str:
    if not event_type.startswith("payment_intent.") or object_id is None:
        return "ignored"
    payment = await repository.payment_by_ref(object_id, conn)
    if payment is None and metadata.get("payment_id", "").isdigit():
        payment = await repository.payment_by_id(int(metadata["payment_id"]), conn)
    if payment is None:
        return "unknown_payment"
    if event_type == "payment_intent.succeeded":
        if payment.status == "succeeded":
            return "already_succeeded"
        payment.status = "succeeded"
        payment.succeeded_at = clock.now()
        await payment.save(using_db=conn)
        await (
            Milestone.filter(id=payment.milestone_id)
            .using_db(conn)
            .update(status="paid", paid_at=payment.succeeded_at)
        )
        group = f"payment-{payment.id}"
        # Double entry: cash arrives at the platform's clearing account and is owed to the seller.
        await repository.add_ledger(
            [
                LedgerEntry(
                    entry_group=group,
                    account="provider_clearing",
                    amount_fen=payment.amount_fen,
                    currency=payment.currency,
                    contract_id=payment.contract_id,
                    payment_id=payment.id,
                    memo="milestone payment received",
                ),
                LedgerEntry(
                    entry_group=group,
                    account=f"seller_payable:contract-{payment.contract_id}",
                    amount_fen=-payment.amount_fen,
                    currency=payment.currency,
                    contract_id=payment.contract_id,
                    payment_id=payment.id,
                    memo="owed to seller",
                ),
            ],
            conn,
        )
        return "succeeded"
    if event_type in ("payment_intent.payment_failed", "payment_intent.canceled"):
        # Events arrive out of order: a late failure never undoes a success.
        if payment.status == "succeeded":
            return "ignored_after_success"
        payment.status = "failed" if event_type.endswith("failed") else "canceled"
        await payment.save(using_db=conn)
        await (
            Milestone.filter(id=payment.milestone_id, status="processing")
            .using_db(conn)
            .update(status="unpaid")
        )
        return payment.status
    if event_type == "payment_intent.processing" and payment.status in ("created", "requires_payment_method"):
        payment.status = "processing"
        await payment.save(using_db=conn)
        return "processing"
    return "ignored"


async def submit_registration(*, actor: Actor, contract_id: int) -> ContractRead:
    """The seller submits a contract for 认定登记."""
    async with in_transaction() as conn:
        contract = await repository.lock_contract(contract_id, conn)
        if contract is None or not _is_party(actor, contract):
            raise NotFound("contract_not_found", f"合同 {contract_id} 不存在 (contract not found)")
        if not (
            actor.is_admin or actor.org_id == contract.seller_org_id or actor.user_id == contract.broker_id
        ):
            raise Forbidden("seller_only", "认定登记由卖方提交 (the seller registers the contract)")
        if contract.status not in ("signed", "registration_rejected"):
            raise Conflict("invalid_transition", f"状态 {contract.status} 不能提交登记 (cannot submit)")
        contract.status = "registration_pending"
        contract.registration_submitted_at = clock.now()
        contract.registration_reject_reason = None
        await contract.save(using_db=conn)
    return await get_contract(actor=actor, contract_id=contract_id)


async def approve_registration(*, actor: Actor, contract_id: int, body: Any) -> ContractRead:
    """An admin records the registry's number: the contract now counts in the turnover indicator."""
    require_admin(actor)
    data = _parse(RegistrationApprove, body)
    try:
        async with in_transaction() as conn:
            contract = await repository.lock_contract(contract_id, conn)
            if contract is None:
                raise NotFound("contract_not_found", f"合同 {contract_id} 不存在 (contract not found)")
            if contract.status != "registration_pending":
                raise Conflict(
                    "invalid_transition", f"状态 {contract.status} 不能批准登记 (not pending registration)"
                )
            if data.certified_tech_fen is not None and data.certified_tech_fen > contract.total_fen:
                raise Invalid.field(
                    ["body", "certified_tech_fen"], "认定技术交易额不能超过合同总额 (exceeds total)"
                )
            contract.status = "registered"
            contract.registration_no = data.registration_no
            contract.registered_at = clock.now()
            contract.certified_tech_fen = data.certified_tech_fen
            await contract.save(using_db=conn)
            await record_audit(
                connection=conn,
                actor_id=actor.user_id,
                action="contract.register",
                object_type="contract",
                object_id=contract.id,
                detail={"registration_no": data.registration_no},
            )
            await record_event(
                connection=conn,
                topic=CONTRACT_TOPIC,
                aggregate_type="contract",
                aggregate_id=contract.id,
                payload={"status": "registered"},
            )
    except IntegrityError as exc:
        raise Conflict("registration_no_taken", "登记号已被使用 (registration number already used)") from exc
    return await get_contract(actor=actor, contract_id=contract_id)


async def reject_registration(*, actor: Actor, contract_id: int, body: Any) -> ContractRead:
    """An admin refuses a registration with a reason."""
    require_admin(actor)
    data = _parse(RegistrationReject, body)
    async with in_transaction() as conn:
        contract = await repository.lock_contract(contract_id, conn)
        if contract is None:
            raise NotFound("contract_not_found", f"合同 {contract_id} 不存在 (contract not found)")
        if contract.status != "registration_pending":
            raise Conflict(
                "invalid_transition", f"状态 {contract.status} 不能驳回登记 (not pending registration)"
            )
        contract.status = "registration_rejected"
        contract.registration_reject_reason = data.reason
        await contract.save(using_db=conn)
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="contract.registration_reject",
            object_type="contract",
            object_id=contract.id,
            detail={"reason": data.reason},
        )
    return await get_contract(actor=actor, contract_id=contract_id)


async def record_registered_contract(
    *, actor: Actor, body: Any, registration_no: str, registered_at: Any
) -> ContractRead | None:
    """Load a contract the registry has already certified (history import and demo data); idempotent by number."""
    require_admin(actor)
    if await Contract.exists(registration_no=registration_no):
        return None
    created = await create_contract(actor=actor, body=body)
    async with in_transaction() as conn:
        await (
            Contract.filter(id=created.id)
            .using_db(conn)
            .update(
                status="registered",
                registration_no=registration_no,
                registered_at=registered_at,
                registration_submitted_at=registered_at,
            )
        )
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="contract.import_registered",
            object_type="contract",
            object_id=created.id,
            detail={"registration_no": registration_no},
        )
    return await get_contract(actor=actor, contract_id=created.id)


async def contracts_for_matches(*, match_ids: list[int]) -> dict[int, int]:
    """Which matches already became a contract (match id -> contract id)."""
    return await repository.contracts_for_matches(match_ids)
