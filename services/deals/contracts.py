"""Technology contracts: recorded from a match or directly, confirmed by both parties, read by those involved."""

from typing import Any

from services.accounts import service as accounts_service
from services.accounts.policies import Actor, require_admin
from services.core import clock
from services.core.audit import record_audit
from services.core.bodies import parse_body
from services.core.db import Connection, UniqueViolation, transaction
from services.core.errors import Conflict, Invalid, NotFound
from services.core.outbox import record_event
from services.core.settings import get_settings
from services.core.transitions import TransitionTable, next_state
from services.deals import policies, repository
from services.deals.models import Contract
from services.deals.royalties import royalty_columns, royalty_term
from services.deals.schemas import (
    ContractCreate,
    ContractRead,
    ContractStatus,
    ContractTerminate,
    ExchangeRate,
    MilestoneRead,
    MilestoneStatus,
    NonTechnicalItemRead,
)
from services.demand import service as demand_service
from services.reference.contracts import contract_rule_set, registered_contract_type
from services.reference.vocabulary import MatchStatus

CONTRACT_TOPIC = "contract.changed"
# A contract may come from a match only once the parties are really dealing.
MATCH_STATUSES_FOR_CONTRACT = (MatchStatus.NEGOTIATING, MatchStatus.WON)

# The contract's own life-cycle outside registration (registration.py owns the 认定登记 steps).
CONTRACT_TRANSITIONS: TransitionTable[ContractStatus] = {
    (ContractStatus.SIGNED, "cancel"): ContractStatus.CANCELLED,
    (ContractStatus.REGISTRATION_REJECTED, "cancel"): ContractStatus.CANCELLED,
    # A registered contract ends through the registry's cancel registration: it leaves the indicator.
    (ContractStatus.REGISTERED, "terminate"): ContractStatus.TERMINATED,
}
_SUBJECT = ("合同", "contract")
_UNITEMISED = "非技术性费用（未分项）"


def contract_read(contract: Contract) -> ContractRead:
    """Schema of a contract with its milestones and deductions (both prefetched)."""
    ordered = sorted(contract.milestones, key=lambda m: m.seq)
    rate = (
        ExchangeRate(rate=contract.fx_rate, date=contract.fx_rate_date, source=contract.fx_source)
        if contract.fx_rate is not None and contract.fx_rate_date is not None and contract.fx_source
        else None
    )
    return ContractRead(
        id=contract.id,
        contract_type=contract.contract_type,
        subtype=contract.subtype,
        registered_type=contract.legacy_type or contract.contract_type,
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
        counted_tech_fen=contract.certified_tech_fen
        if contract.certified_tech_fen is not None
        else contract.tech_fen,
        non_technical_items=[
            NonTechnicalItemRead(name=i.name, amount_fen=i.amount_fen)
            for i in sorted(contract.non_technical_items, key=lambda i: i.id)
        ],
        currency=contract.currency,
        exchange_rate=rate,
        total_cny_fen=contract.total_cny_fen,
        tech_cny_fen=contract.tech_cny_fen,
        signed_at=contract.signed_at,
        buyer_confirmed_at=contract.buyer_confirmed_at,
        seller_confirmed_at=contract.seller_confirmed_at,
        platform_fee_bp=contract.platform_fee_bp,
        broker_commission_fen=contract.broker_commission_fen,
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
                voucher_fen=m.voucher_fen,
                status=m.status,
                paid_at=m.paid_at,
            )
            for m in ordered
        ],
        paid_fen=sum(m.amount_fen for m in ordered if m.status == MilestoneStatus.PAID),
        royalty=royalty_term(contract),
        created_at=contract.created_at,
    )


async def _parties(actor: Actor, data: ContractCreate) -> tuple[int, int, int | None]:
    """Buyer, seller and broker of a new contract, bound to its match when it has one."""
    broker_id = data.broker_id
    if data.match_id is None:
        if data.buyer_org_id is None or data.seller_org_id is None:
            raise Invalid.field(
                ["body", "buyer_org_id" if data.buyer_org_id is None else "seller_org_id"],
                "未关联匹配的合同须写明买方和卖方",
                "buyer and seller are required without a match",
            )
        policies.require_party_to_record(actor, data.buyer_org_id, data.seller_org_id)
        buyer, seller, worked_by = data.buyer_org_id, data.seller_org_id, []
    else:
        match = await demand_service.match_facts(match_id=data.match_id)
        if match is None:
            raise Invalid.field(["body", "match_id"], f"匹配 {data.match_id} 不存在", "match not found")
        if match["status"] not in MATCH_STATUSES_FOR_CONTRACT:
            raise Conflict(
                "match_not_in_negotiation",
                f"匹配状态为 {match['status']}，只有洽谈中或已成交的匹配可以签订合同",
                "a contract needs a match in negotiating or won",
            )
        buyer, seller = match["buyer_org_id"], match["seller_org_id"]
        if data.buyer_org_id not in (None, buyer) or data.seller_org_id not in (None, seller):
            raise Conflict(
                "parties_not_from_match",
                "合同当事方必须是匹配中的需求方（买方）和资源方（卖方）",
                "the parties must be the match's demand organisation (buyer) and listing organisation (seller)",
            )
        worked_by = [*match["worked_by"], *([match["broker_id"]] if match["broker_id"] else [])]
        policies.require_may_record_from_match(actor, buyer, seller, worked_by)
        if broker_id is None:
            broker_id = policies.recording_broker(actor)
    if broker_id is not None:
        role = await accounts_service.role_of(user_id=broker_id)
        policies.require_attributable_broker(
            broker_id, role, worked_by, through_match=data.match_id is not None
        )
    elif data.broker_commission_fen:
        raise Invalid.field(
            ["body", "broker_commission_fen"], "没有经纪人的合同不能约定经纪佣金", "no broker, no commission"
        )
    # The commission and the platform fee both come out of the seller's share, which may not go negative.
    fee_fen = data.total_fen * get_settings().platform_fee_bp // 10_000
    if data.broker_commission_fen > data.total_fen - fee_fen:
        raise Invalid.field(
            ["body", "broker_commission_fen"],
            "经纪佣金与平台服务费之和不能超过合同总额",
            "commission plus platform fee exceed the total",
        )
    if buyer == seller:
        raise Invalid.field(
            ["body", "seller_org_id"], "买方与卖方不能是同一机构", "buyer and seller must differ"
        )
    return buyer, seller, broker_id


async def create_contract(*, actor: Actor, body: Any) -> ContractRead:
    """Record a signed technology contract with its payment milestones; the recording party confirms it."""
    data = parse_body(ContractCreate, body)
    buyer_id, seller_id, broker_id = await _parties(actor, data)
    buyer = await accounts_service.get_org(org_id=buyer_id)
    seller = await accounts_service.get_org(org_id=seller_id)
    deducted = sum(i.amount_fen for i in data.non_technical_items)
    tech_fen = data.tech_fen if data.tech_fen is not None else data.total_fen - deducted
    items = [i.model_dump() for i in data.non_technical_items]
    if not items and tech_fen < data.total_fen:
        # A declared technical amount below the total implies deductions: keep them visible as one item,
        # so total − Σ items = tech_fen holds for every contract.
        items = [{"name": _UNITEMISED, "amount_fen": data.total_fen - tech_fen}]
    now = clock.now()
    try:
        async with transaction() as conn:
            contract = await repository.insert_contract(
                {
                    "contract_type": data.contract_type.value,
                    "subtype": data.subtype,
                    "legacy_type": registered_contract_type(data.contract_type.value, data.signed_at),
                    "rule_set": contract_rule_set(data.signed_at).code,
                    "title": data.title,
                    "buyer_org_id": buyer.id,
                    "seller_org_id": seller.id,
                    "broker_id": broker_id,
                    "match_id": data.match_id,
                    "created_by_id": actor.user_id,
                    "field": data.field,
                    "total_fen": data.total_fen,
                    "tech_fen": tech_fen,
                    "currency": data.currency,
                    "signed_at": data.signed_at,
                    "seller_region": seller.region,
                    "buyer_region": buyer.region,
                    "buyer_confirmed_at": now if actor.org_id == buyer.id else None,
                    "seller_confirmed_at": now if actor.org_id == seller.id else None,
                    "platform_fee_bp": get_settings().platform_fee_bp,
                    "broker_commission_fen": data.broker_commission_fen,
                    **royalty_columns(data.royalty),
                },
                [m.model_dump() for m in data.milestones],
                items,
                conn,
            )
            await record_contract_changed(contract.id, contract.status, conn)
    except UniqueViolation as exc:
        if "deals_contract_one_live_per_match" in str(exc):
            # One deal per match: a second recording would count the same turnover twice.
            raise Conflict(
                "match_has_contract", "该匹配已登记技术合同", "this match already has a contract"
            ) from exc
        raise
    return await get_contract(actor=actor, contract_id=contract.id)


async def set_voucher_parts(*, contract_id: int, parts: dict[int, int], connection: Connection) -> None:
    """The part of each milestone (by seq) a 创新券 pays, in the caller's transaction: paying the milestone then
    charges the buyer the rest only, whichever endpoint it is paid through."""
    await repository.set_milestone_voucher_parts(contract_id, parts, connection)


async def record_contract_changed(contract_id: int, status: str, connection: Connection) -> None:
    """The outbox row every contract change writes in its own transaction."""
    await record_event(
        connection=connection,
        topic=CONTRACT_TOPIC,
        aggregate_type="contract",
        aggregate_id=contract_id,
        payload={"status": status},
    )


async def confirm_contract(*, actor: Actor, contract_id: int) -> ContractRead:
    """A party confirms the contract as signed on its side (both must before 认定登记)."""
    async with transaction() as conn:
        contract = policies.require_visible_contract(
            actor, await repository.lock_contract(contract_id, conn), contract_id
        )
        side = policies.party_side(actor, contract)
        if contract.status != ContractStatus.SIGNED:
            raise Conflict(
                "contract_not_open",
                f"合同状态为 {contract.status}，不能确认",
                "only a signed contract is confirmed",
            )
        column = f"{side}_confirmed_at"
        if getattr(contract, column) is None:
            await repository.update_contract(contract.id, conn, **{column: clock.now()})
            await record_audit(
                connection=conn,
                actor_id=actor.user_id,
                action="contract.confirm",
                object_type="contract",
                object_id=contract.id,
                detail={"side": side},
            )
    return await get_contract(actor=actor, contract_id=contract_id)


async def cancel_contract(*, actor: Actor, contract_id: int) -> ContractRead:
    """A party withdraws a contract that was never registered."""
    async with transaction() as conn:
        contract = policies.require_visible_contract(
            actor, await repository.lock_contract(contract_id, conn), contract_id
        )
        policies.require_party_or_admin(actor, contract)
        status = next_state(CONTRACT_TRANSITIONS, contract.status, "cancel", subject=_SUBJECT)
        await repository.update_contract(contract.id, conn, status=status.value)
        await record_contract_changed(contract.id, status.value, conn)
    return await get_contract(actor=actor, contract_id=contract_id)


async def terminate_contract(*, actor: Actor, contract_id: int, body: Any) -> ContractRead:
    """An admin records the registry's cancel registration: the contract leaves the indicator."""
    require_admin(actor)
    data = parse_body(ContractTerminate, body)
    async with transaction() as conn:
        contract = await repository.lock_contract(contract_id, conn)
        if contract is None:
            raise NotFound("contract_not_found", f"合同 {contract_id} 不存在", "contract not found")
        status = next_state(CONTRACT_TRANSITIONS, contract.status, "terminate", subject=_SUBJECT)
        await repository.update_contract(contract.id, conn, status=status.value)
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="contract.terminate",
            object_type="contract",
            object_id=contract.id,
            detail={"reason": data.reason},
        )
        await record_contract_changed(contract.id, status.value, conn)
    return await get_contract(actor=actor, contract_id=contract_id)


async def get_contract(*, actor: Actor, contract_id: int) -> ContractRead:
    """A contract with its milestones (parties, its broker and admins)."""
    contract = policies.require_visible_contract(
        actor, await repository.get_contract(contract_id), contract_id
    )
    return contract_read(contract)


async def trace_contract(*, actor: Actor, contract_id: int) -> dict[str, Any]:
    """Where a contract began and what happened since: listing, demand, match history, broker, payments, 登记."""
    contract = contract_read(
        policies.require_visible_contract(actor, await repository.get_contract(contract_id), contract_id)
    )
    origin: dict[str, Any] | None = None
    if contract.match_id is not None:
        facts = await demand_service.match_facts(match_id=contract.match_id)
        if facts is not None:
            origin = {
                "match_id": facts["id"],
                "match_status": facts["status"],
                "listing": {
                    "type": facts["listing_type"],
                    "id": facts["listing_id"],
                    "title": facts["listing_title"],
                },
                "demand": {
                    "id": facts["demand_id"],
                    "title": facts["demand_title"],
                    "org_id": facts["buyer_org_id"],
                },
                "history": await demand_service.match_history(match_id=facts["id"]),
                "contacts": await demand_service.match_contacts(match_id=facts["id"]),
            }
    return {
        "contract_id": contract.id,
        "came_through": "marketplace" if contract.match_id is not None else "direct",
        "origin": origin,
        "parties": {"buyer_org_id": contract.buyer_org_id, "seller_org_id": contract.seller_org_id},
        "broker_id": contract.broker_id,
        "confirmations": {"buyer": contract.buyer_confirmed_at, "seller": contract.seller_confirmed_at},
        "payments": await repository.payments_of_contract(contract.id),
        "refunds": await repository.refunds_of_contract(contract.id),
        "royalty_statements": [
            {
                "id": statement.id,
                "period_start": statement.period_start,
                "period_end": statement.period_end,
                "sales_fen": statement.sales_fen,
                "due_fen": statement.due_fen,
                "milestone_id": statement.milestone_id,
            }
            for statement in await repository.royalty_statements(contract.id)
        ],
        "registration": {
            "status": contract.status,
            "rule_set": contract.rule_set,
            "registered_type": contract.registered_type,
            "registration_no": contract.registration_no,
            "registered_at": contract.registered_at,
            "reject_reason": contract.registration_reject_reason,
            "total_cny_fen": contract.total_cny_fen,
            "tech_cny_fen": contract.tech_cny_fen,
        },
    }


async def list_contracts(*, actor: Actor, status: str | None, page: int, size: int) -> dict[str, Any]:
    """Contracts of the caller's organisation, or attributed to the calling broker (admins: all)."""
    org_id, broker_id = policies.contract_list_scope(actor)
    total, rows = await repository.page_contracts(
        org_id=org_id,
        broker_id=broker_id,
        status=status,
        offset=(page - 1) * size,
        limit=size,
    )
    return {"total": total, "page": page, "size": size, "items": [contract_read(c) for c in rows]}


async def contracts_for_matches(*, match_ids: list[int]) -> dict[int, int]:
    """Which matches already became a contract (match id -> contract id)."""
    return await repository.contracts_for_matches(match_ids)
