"""Service orders: the buyer requests, the provider quotes, the accepted quote is the order, then delivery."""

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from services.accounts import service as accounts_service
from services.accounts.policies import Actor, organisation_scope, require_organisation
from services.catalog import service as catalog_service
from services.core import clock
from services.core.audit import record_audit
from services.core.bodies import parse_body
from services.core.db import Connection, transaction
from services.core.errors import Conflict, Invalid, NotFound
from services.core.files import file_store
from services.core.outbox import record_event
from services.deals import contracts as contracts_service
from services.deals.payments import service as payments_service
from services.deals.payments.port import PaymentProvider
from services.deals.schemas import ContractRead, PaymentRead
from services.notifications import service as notifications
from services.notifications.schemas import NotificationKind
from services.orders import policies, repository
from services.orders.lifecycle import BY, PAYABLE, OrderAction, Side, next_status
from services.orders.models import ServiceOrder
from services.orders.schemas import (
    DisputeCreate,
    QuoteAcceptance,
    QuoteCreate,
    Resolution,
    ResolutionCreate,
    ServiceOrderCreate,
    ServiceOrderPage,
    ServiceOrderRead,
    ServiceOrderStatus,
)
from services.reference.fields import TECH_FIELD_CODES

ORDER_TOPIC = "service_order.changed"
MAX_DELIVERABLE_BYTES = 50 * 2**20
# Agencies of these kinds and every expert take service orders (testing has its own 送样检测 flow).
ORDERABLE_TYPES = ("agency", "expert")
_RESOLUTION_ACTIONS = {
    Resolution.COMPLETE: OrderAction.RESOLVE_COMPLETE,
    Resolution.REDELIVER: OrderAction.RESOLVE_REDELIVER,
    Resolution.CANCEL: OrderAction.RESOLVE_CANCEL,
}
_NOTICES = {
    OrderAction.QUOTE: "服务方已报价",
    OrderAction.ACCEPT_QUOTE: "委托方已接受报价，订单成立",
    OrderAction.DECLINE_QUOTE: "委托方已拒绝报价",
    OrderAction.WITHDRAW: "委托方已撤回服务需求",
    OrderAction.DELIVER: "服务方已提交交付成果",
    OrderAction.ACCEPT_DELIVERY: "委托方已验收交付成果",
    OrderAction.DISPUTE: "委托方对交付成果提出异议",
    OrderAction.RESOLVE_COMPLETE: "平台裁决：交付成果有效，订单完成",
    OrderAction.RESOLVE_REDELIVER: "平台裁决：服务方重新交付",
    OrderAction.RESOLVE_CANCEL: "平台裁决：订单取消",
}


def _not_found(order_id: int) -> NotFound:
    return NotFound("service_order_not_found", f"服务订单 {order_id} 不存在", "service order not found")


def _read(order: ServiceOrder) -> ServiceOrderRead:
    return ServiceOrderRead(
        id=order.id,
        listing_id=order.listing_id,
        listing_type=order.listing_type,
        provider_org_id=order.provider_org_id,
        buyer_org_id=order.buyer_org_id,
        title=order.title,
        description=order.description,
        field=order.field,
        status=ServiceOrderStatus(order.status),
        quote_lines=list(order.quote_lines),
        quote_milestones=list(order.quote_milestones),
        quote_total_fen=order.quote_total_fen,
        quote_version=order.quote_version,
        quote_note=order.quote_note,
        price_fen=order.price_fen,
        ordered_at=order.ordered_at,
        delivery_note=order.delivery_note,
        deliverable_name=order.deliverable_name,
        deliverable_sha256=order.deliverable_sha256,
        delivered_at=order.delivered_at,
        dispute_reason=order.dispute_reason,
        resolution=Resolution(order.resolution) if order.resolution else None,
        resolution_note=order.resolution_note,
        contract_id=order.contract_id,
        created_at=order.created_at,
        voucher_cover=voucher_cover(order),
    )


async def _record_change(order: ServiceOrder, action: str, connection: Connection) -> None:
    await record_event(
        connection=connection,
        topic=ORDER_TOPIC,
        aggregate_type="service_order",
        aggregate_id=order.id,
        payload={"status": order.status, "action": action},
    )


def _field_of(listing: dict[str, Any]) -> str:
    known = [f for f in listing.get("fields") or [] if f in TECH_FIELD_CODES]
    if not known:
        raise Invalid.field(
            ["body", "listing_id"], "该服务未标明技术领域，无法下单", "the listing names no technology field"
        )
    return str(known[0])


async def create_service_order(*, actor: Actor, body: Any) -> ServiceOrderRead:
    """A verified organisation asks an agency or expert for a service."""
    data = parse_body(ServiceOrderCreate, body)
    org = await accounts_service.get_org(org_id=require_organisation(actor))
    policies.require_verified_buyer(org.verified)
    listing = await catalog_service.published_listing(listing_id=data.listing_id)
    if listing is None or listing.get("type") not in ORDERABLE_TYPES:
        raise Invalid.field(
            ["body", "listing_id"], "只能向已发布的服务机构或专家委托服务", "not a published agency or expert"
        )
    if int(listing["org_id"]) == actor.org_id:
        raise Invalid.field(
            ["body", "listing_id"], "不能向本机构委托服务", "an organisation cannot order from itself"
        )
    async with transaction() as conn:
        order = await repository.insert_order(
            {
                "listing_id": data.listing_id,
                "listing_type": listing["type"],
                "provider_org_id": int(listing["org_id"]),
                "buyer_org_id": actor.org_id,
                "requester_id": actor.user_id,
                "title": data.title,
                "description": data.description,
                "field": _field_of(listing),
            },
            conn,
        )
        await _record_change(order, "request", conn)
    return _read(order)


async def get_service_order(*, actor: Actor, order_id: int) -> ServiceOrderRead:
    """One service order (its two parties and admins)."""
    return _read(await _visible_order(actor, order_id))


async def milestone_statuses(*, actor: Actor, order_id: int) -> dict[int, str]:
    """The payment status of each milestone (by seq) of the order's contract; empty before there is one."""
    order = await _visible_order(actor, order_id)
    if order.contract_id is None:
        return {}
    contract = await contracts_service.get_contract(actor=actor, contract_id=order.contract_id)
    return {m.seq: m.status for m in contract.milestones}


async def _visible_order(actor: Actor, order_id: int) -> ServiceOrder:
    order = await repository.get_order(order_id)
    if order is None:
        raise _not_found(order_id)
    policies.require_party(actor, order_id, order.provider_org_id, order.buyer_org_id)
    return order


async def list_service_orders(
    *, actor: Actor, status: ServiceOrderStatus | None, page: int, size: int
) -> ServiceOrderPage:
    """Orders the caller's organisation placed or received (admins: all)."""
    total, rows = await repository.page_orders(
        org_id=organisation_scope(actor),
        status=status.value if status else None,
        offset=(page - 1) * size,
        limit=size,
    )
    return ServiceOrderPage(total=total, page=page, size=size, items=[_read(r) for r in rows])


async def _step(
    *,
    actor: Actor,
    order_id: int,
    action: OrderAction,
    change: Callable[[ServiceOrder], None] | None = None,
) -> ServiceOrderRead:
    """Authorise the side whose step it is, move the order along the table, record and notify, in one go."""
    async with transaction() as conn:
        order = await repository.lock_order(order_id, conn)
        if order is None:
            raise _not_found(order_id)
        policies.require_party(actor, order_id, order.provider_org_id, order.buyer_org_id)
        policies.require_side(
            actor, BY[action], provider_org_id=order.provider_org_id, buyer_org_id=order.buyer_org_id
        )
        status = next_status(order.status, action)
        if change is not None:
            change(order)
        order.status = status.value
        await repository.save_order(order, conn)
        await _record_change(order, action.value, conn)
        await notifications.notify(
            connection=conn,
            user_ids=[order.requester_id, order.quoted_by_id],
            kind=NotificationKind.SERVICE_ORDER,
            title=f"{_NOTICES[action]}：{order.title}",
            link=f"/me/service-orders/{order.id}",
            skip_user_id=actor.user_id,
        )
    return _read(order)


async def quote_service_order(*, actor: Actor, order_id: int, body: Any) -> ServiceOrderRead:
    """The provider quotes line items and payment milestones (every amount positive, milestones = total)."""
    data = parse_body(QuoteCreate, body)

    def change(order: ServiceOrder) -> None:
        order.quote_lines = [line.model_dump() for line in data.lines]
        order.quote_milestones = [m.model_dump(mode="json") for m in data.milestones]
        order.quote_total_fen = sum(line.amount_fen for line in data.lines)
        order.quote_note = data.note
        order.quote_version += 1
        order.quoted_by_id = actor.user_id
        order.quoted_at = clock.now()

    return await _step(actor=actor, order_id=order_id, action=OrderAction.QUOTE, change=change)


async def accept_quote(*, actor: Actor, order_id: int, body: Any) -> ServiceOrderRead:
    """The buyer accepts the quote version they saw: the order stands and its price is frozen."""
    data = parse_body(QuoteAcceptance, body)

    def change(order: ServiceOrder) -> None:
        if order.quote_version != data.quote_version:
            raise Conflict(
                "quote_changed",
                f"报价已更新为第 {order.quote_version} 版，请查看后再接受",
                "the quote was revised; review it before accepting",
            )
        order.price_fen = order.quote_total_fen
        order.ordered_at = clock.now()

    return await _step(actor=actor, order_id=order_id, action=OrderAction.ACCEPT_QUOTE, change=change)


async def decline_quote(*, actor: Actor, order_id: int) -> ServiceOrderRead:
    """The buyer declines the quote."""
    return await _step(actor=actor, order_id=order_id, action=OrderAction.DECLINE_QUOTE)


async def withdraw_service_order(*, actor: Actor, order_id: int) -> ServiceOrderRead:
    """The buyer withdraws a request that is not yet an order."""
    return await _step(actor=actor, order_id=order_id, action=OrderAction.WITHDRAW)


async def deliver_service_order(
    *, actor: Actor, order_id: int, note: str, content: bytes | None, filename: str | None
) -> ServiceOrderRead:
    """The provider delivers: a deliverable file (stored through the file store), notes, or both."""
    note = note.strip()
    if len(note) > 4000:
        raise Invalid.field(["note"], "交付说明不能超过 4000 字", "the note exceeds 4000 characters")
    if content is not None and len(content) > MAX_DELIVERABLE_BYTES:
        raise Invalid.field(["file"], "交付文件不能超过 50 MB", "the deliverable exceeds 50 MB")
    if not note and not content:
        raise Invalid.field(
            ["note"], "请上传交付文件或填写交付说明", "a deliverable file or notes are required"
        )
    order = await _visible_order(actor, order_id)
    policies.require_side(
        actor, Side.PROVIDER, provider_org_id=order.provider_org_id, buyer_org_id=order.buyer_org_id
    )
    next_status(order.status, OrderAction.DELIVER)
    key = digest = None
    if content:
        # Written before the row and under a fresh key: a failed step leaves an unreferenced file, never a row
        # pointing at nothing.
        key = f"service-orders/{order_id}/{uuid.uuid4().hex}"
        digest = await file_store().put(key, content)

    def change(locked: ServiceOrder) -> None:
        locked.delivery_note = note
        locked.deliverable_key = key
        locked.deliverable_name = (filename or "deliverable")[-200:] if key else None
        locked.deliverable_sha256 = digest
        locked.delivered_at = clock.now()

    return await _step(actor=actor, order_id=order_id, action=OrderAction.DELIVER, change=change)


async def download_deliverable(*, actor: Actor, order_id: int) -> tuple[bytes, str]:
    """The delivered file and its name (the two parties and admins)."""
    order = await _visible_order(actor, order_id)
    if order.deliverable_key is None:
        raise NotFound("deliverable_not_found", "尚未提交交付文件", "no deliverable file yet")
    return await file_store().get(order.deliverable_key), order.deliverable_name or "deliverable"


async def accept_delivery(*, actor: Actor, order_id: int) -> ServiceOrderRead:
    """The buyer accepts the delivery: the order is completed."""

    def change(order: ServiceOrder) -> None:
        order.closed_at = clock.now()

    return await _step(actor=actor, order_id=order_id, action=OrderAction.ACCEPT_DELIVERY, change=change)


async def dispute_delivery(*, actor: Actor, order_id: int, body: Any) -> ServiceOrderRead:
    """The buyer disputes the delivery with a reason; an admin resolves it."""
    data = parse_body(DisputeCreate, body)

    def change(order: ServiceOrder) -> None:
        order.dispute_reason = data.reason
        order.disputed_at = clock.now()

    return await _step(actor=actor, order_id=order_id, action=OrderAction.DISPUTE, change=change)


async def resolve_dispute(*, actor: Actor, order_id: int, body: Any) -> ServiceOrderRead:
    """An admin rules on a dispute: the delivery stands, the provider delivers again, or the order ends."""
    data = parse_body(ResolutionCreate, body)
    action = _RESOLUTION_ACTIONS[data.outcome]
    policies.require_dispute_judge(actor)

    def change(order: ServiceOrder) -> None:
        order.resolution = data.outcome.value
        order.resolution_note = data.note
        if data.outcome is not Resolution.REDELIVER:
            order.closed_at = clock.now()

    read = await _step(actor=actor, order_id=order_id, action=action, change=change)
    await record_audit(
        connection=None,
        actor_id=actor.user_id,
        action="service_order.resolve",
        object_type="service_order",
        object_id=order_id,
        detail={"outcome": data.outcome.value},
    )
    return read


def _signed_on(order: ServiceOrder) -> date:
    return (order.ordered_at or clock.now()).astimezone(clock.CHINA_TZ).date()


def _contract_body(order: ServiceOrder) -> dict[str, Any]:
    return {
        "contract_type": "service",
        "title": order.title,
        "buyer_org_id": order.buyer_org_id,
        "seller_org_id": order.provider_org_id,
        "field": order.field,
        "total_fen": order.price_fen,
        "signed_at": _signed_on(order).isoformat(),
        "milestones": [
            {"name": m["name"], "amount_fen": m["amount_fen"], "due": m.get("due")}
            for m in order.quote_milestones
        ],
    }


async def create_order_contract(*, actor: Actor, order_id: int) -> ContractRead:
    """One step to a 技术服务 contract for 登记: parties, frozen price and milestones from the order (once)."""
    async with transaction() as conn:
        order = await repository.lock_order(order_id, conn)
        if order is None:
            raise _not_found(order_id)
        policies.require_party(actor, order_id, order.provider_org_id, order.buyer_org_id)
        if order.contract_id is not None:
            # A replay returns the contract already made: one order, one contract (also a unique column).
            return await contracts_service.get_contract(actor=actor, contract_id=order.contract_id)
        if order.status not in PAYABLE or order.price_fen is None:
            raise Conflict(
                "order_not_agreed",
                f"订单状态为 {order.status}，报价被接受后才能生成技术服务合同",
                "a contract needs an accepted quote",
            )
        # The deals service records the contract in this same transaction (a savepoint): both or neither.
        contract = await contracts_service.create_contract(actor=actor, body=_contract_body(order))
        if order.voucher_cover:
            await contracts_service.set_voucher_parts(
                contract_id=contract.id, parts=voucher_cover(order), connection=conn
            )
        order.contract_id = contract.id
        await repository.save_order(order, conn)
        await _record_change(order, "contract", conn)
    return contract


async def pay_order_milestone(
    *, actor: Actor, order_id: int, seq: int, body: Any, provider: PaymentProvider
) -> PaymentRead:
    """The buyer pays a milestone through the payment port, as a milestone of the order's contract."""
    order = await _visible_order(actor, order_id)
    policies.require_side(
        actor, Side.BUYER, provider_org_id=order.provider_org_id, buyer_org_id=order.buyer_org_id
    )
    if order.status not in PAYABLE:
        raise Conflict(
            "order_not_payable",
            f"订单状态为 {order.status}，不能付款",
            "only an agreed order without an open dispute is paid",
        )
    if not 1 <= seq <= len(order.quote_milestones):
        raise NotFound("milestone_not_found", f"里程碑 {seq} 不存在", "milestone not found")
    covered = voucher_cover(order).get(seq, 0)
    if covered >= int(order.quote_milestones[seq - 1]["amount_fen"]):
        raise Conflict(
            "milestone_covered_by_voucher",
            f"里程碑 {seq} 由创新券全额支付，无需付款",
            "the voucher pays this milestone in full",
        )
    contract = await create_order_contract(actor=actor, order_id=order_id)
    milestone = next(m for m in contract.milestones if m.seq == seq)
    # Split billing: the port charges the buyer's part only; the voucher part is redeemed by the provider.
    return await payments_service.start_milestone_payment(
        actor=actor,
        contract_id=contract.id,
        milestone_id=milestone.id,
        body=body,
        provider=provider,
    )


# --- 创新券 (the vouchers service calls these inside its own reservation or release) ---------------------


def voucher_cover(order: ServiceOrder) -> dict[int, int]:
    """The part of each milestone (by seq) the order's voucher pays."""
    return {int(seq): int(fen) for seq, fen in (order.voucher_cover or {}).items()}


def allocate_cover(targets: list[tuple[int, int]], amount_fen: int) -> dict[int, int]:
    """Spread a voucher part over milestones (seq, amount) in order, each up to its amount (pure)."""
    cover: dict[int, int] = {}
    left = amount_fen
    for seq, milestone_fen in targets:
        part = min(left, milestone_fen)
        if part > 0:
            cover[seq] = part
            left -= part
    return cover


async def order_for_billing(*, actor: Actor, order_id: int, seq: int | None) -> dict[str, Any]:
    """What a voucher needs of an order: parties, status, price, and the milestones (seq, amount) it may pay —
    the one named, or all of them — leaving out those paid or being paid."""
    order = await _visible_order(actor, order_id)
    milestones = list(order.quote_milestones)
    if seq is not None and not 1 <= seq <= len(milestones):
        raise Invalid.field(["body", "milestone_seq"], f"里程碑 {seq} 不存在", "no such milestone")
    settled: set[int] = set()
    if order.contract_id is not None:
        contract = await contracts_service.get_contract(actor=actor, contract_id=order.contract_id)
        settled = {m.seq for m in contract.milestones if m.status in ("processing", "paid")}
    return {
        "id": order.id,
        "buyer_org_id": order.buyer_org_id,
        "provider_org_id": order.provider_org_id,
        "status": order.status,
        "price_fen": order.price_fen,
        "has_voucher": bool(order.voucher_cover),
        "targets": [
            (i, int(m["amount_fen"]))
            for i, m in enumerate(milestones, start=1)
            if (seq is None or i == seq) and i not in settled
        ],
    }


async def set_voucher_cover(*, order_id: int, cover: dict[int, int], connection: Connection) -> None:
    """Record which milestones a voucher pays (an empty cover: the voucher was given back)."""
    order = await repository.lock_order(order_id, connection)
    if order is None:
        raise _not_found(order_id)
    order.voucher_cover = {str(seq): fen for seq, fen in cover.items()} or None
    await repository.save_order(order, connection)
    if order.contract_id is not None:
        # The contract's milestones carry the same parts: paying through the contract charges no more.
        await contracts_service.set_voucher_parts(
            contract_id=order.contract_id, parts=cover, connection=connection
        )
    await _record_change(order, "voucher", connection)


async def credit_voucher_milestones(*, actor: Actor, order_id: int) -> None:
    """Milestones the voucher paid in full count as paid once the provider redeems it (no charge through the port)."""
    order = await _visible_order(actor, order_id)
    full = [
        seq
        for seq, fen in voucher_cover(order).items()
        if fen >= int(order.quote_milestones[seq - 1]["amount_fen"])
    ]
    if not full:
        return
    contract = await create_order_contract(actor=actor, order_id=order_id)
    for milestone in contract.milestones:
        if milestone.seq in full:
            await payments_service.credit_milestone_by_voucher(
                contract_id=contract.id, milestone_id=milestone.id
            )
