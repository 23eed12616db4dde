"""Technology contracts: recording a signed contract with its milestones, reading and listing them."""

from typing import Any

from tortoise.transactions import in_transaction

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.core.errors import Conflict, Forbidden
from services.core.outbox import record_event
from services.deals import policies, repository
from services.deals.models import Contract, Milestone
from services.deals.schemas import (
    ContractCreate,
    ContractRead,
    ContractStatus,
    MilestoneRead,
    MilestoneStatus,
    parse_body,
)
from services.deals.transitions import TransitionTable, next_state
from services.reference.contracts import contract_rule_set, registered_contract_type

CONTRACT_TOPIC = "contract.changed"

# The contract's own life-cycle outside registration (registration.py owns the 认定登记 steps).
CONTRACT_TRANSITIONS: TransitionTable[ContractStatus] = {
    (ContractStatus.SIGNED, "cancel"): ContractStatus.CANCELLED,
    (ContractStatus.REGISTRATION_REJECTED, "cancel"): ContractStatus.CANCELLED,
}


def contract_read(contract: Contract, milestones: list[Milestone]) -> ContractRead:
    """Schema of a contract with its milestones in order."""
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
        paid_fen=sum(m.amount_fen for m in ordered if m.status == MilestoneStatus.PAID),
        created_at=contract.created_at,
    )


async def create_contract(*, actor: Actor, body: Any) -> ContractRead:
    """Record a signed technology contract with its payment milestones."""
    data = parse_body(ContractCreate, body)
    policies.require_may_record_contract(actor, data.buyer_org_id, data.seller_org_id)
    if data.match_id is not None and (await repository.contracts_for_matches([data.match_id])):
        # One deal per match: a second recording would count the same turnover twice.
        raise Conflict("match_has_contract", "该匹配已登记技术合同", "this match already has a contract")
    buyer = await accounts_service.get_org(org_id=data.buyer_org_id)
    seller = await accounts_service.get_org(org_id=data.seller_org_id)
    async with in_transaction() as conn:
        contract = await repository.insert_contract(
            {
                "contract_type": data.contract_type.value,
                "legacy_type": registered_contract_type(data.contract_type.value, data.signed_at),
                "rule_set": contract_rule_set(data.signed_at).code,
                "title": data.title,
                "buyer_org_id": buyer.id,
                "seller_org_id": seller.id,
                "broker_id": data.broker_id
                if data.broker_id is not None
                else (actor.user_id if actor.role == "broker" else None),
                "match_id": data.match_id,
                "created_by_id": actor.user_id,
                "field": data.field,
                "total_fen": data.total_fen,
                "tech_fen": data.tech_fen,
                "currency": data.currency,
                "signed_at": data.signed_at,
                "seller_region": seller.region,
                "buyer_region": buyer.region,
            },
            [m.model_dump() for m in data.milestones],
            [i.model_dump() for i in data.non_technical_items],
            conn,
        )
        await record_contract_changed(contract.id, contract.status, conn)
    return await get_contract(actor=actor, contract_id=contract.id)


async def record_contract_changed(contract_id: int, status: str, connection: Any) -> None:
    """The outbox row every contract change writes in its own transaction."""
    await record_event(
        connection=connection,
        topic=CONTRACT_TOPIC,
        aggregate_type="contract",
        aggregate_id=contract_id,
        payload={"status": status},
    )


async def cancel_contract(*, actor: Actor, contract_id: int) -> ContractRead:
    """A party withdraws a contract that was never registered."""
    async with in_transaction() as conn:
        contract = policies.require_visible_contract(
            actor, await repository.lock_contract(contract_id, conn), contract_id
        )
        if not (actor.is_admin or actor.org_id in (contract.buyer_org_id, contract.seller_org_id)):
            raise Forbidden("party_only", "仅合同当事方可取消合同", "only a party cancels a contract")
        status = next_state(CONTRACT_TRANSITIONS, contract.status, "cancel", subject=("合同", "contract"))
        await repository.update_contract(contract.id, conn, status=status.value)
        await record_contract_changed(contract.id, status.value, conn)
    return await get_contract(actor=actor, contract_id=contract_id)


async def get_contract(*, actor: Actor, contract_id: int) -> ContractRead:
    """A contract with its milestones (parties, its broker and admins)."""
    contract = policies.require_visible_contract(
        actor, await repository.get_contract(contract_id), contract_id
    )
    return contract_read(contract, list(contract.milestones))


async def list_contracts(*, actor: Actor, status: str | None, page: int, size: int) -> dict[str, Any]:
    """Contracts of the caller's organisation (admins: all)."""
    if actor.org_id is None and not actor.is_admin:
        raise Forbidden("no_organisation", "需要先加入一个机构", "join an organisation first")
    total, rows = await repository.page_contracts(
        org_id=None if actor.is_admin else actor.org_id, status=status, offset=(page - 1) * size, limit=size
    )
    return {
        "total": total,
        "page": page,
        "size": size,
        "items": [contract_read(c, list(c.milestones)) for c in rows],
    }


async def contracts_for_matches(*, match_ids: list[int]) -> dict[int, int]:
    """Which matches already became a contract (match id -> contract id)."""
    return await repository.contracts_for_matches(match_ids)
