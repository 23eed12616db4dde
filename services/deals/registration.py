"""认定登记: the seller submits a contract, an admin records the registry's decision."""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.accounts import service as accounts_service
from services.accounts.policies import Actor, require_admin
from services.core import clock
from services.core.audit import record_audit
from services.core.bodies import parse_body
from services.core.clock import CHINA_TZ
from services.core.db import UniqueViolation, transaction
from services.core.errors import Conflict, Invalid, NotFound
from services.core.transitions import TransitionTable, next_state
from services.deals import policies, repository
from services.deals.contracts import create_contract, get_contract, record_contract_changed
from services.deals.models import Contract
from services.deals.schemas import (
    CURRENCY_EXPONENTS,
    ContractRead,
    ContractStatus,
    ExchangeRate,
    RegistrationApprove,
    RegistrationReject,
)

REGISTRATION_TRANSITIONS: TransitionTable[ContractStatus] = {
    (ContractStatus.SIGNED, "submit"): ContractStatus.REGISTRATION_PENDING,
    (ContractStatus.REGISTRATION_REJECTED, "submit"): ContractStatus.REGISTRATION_PENDING,
    (ContractStatus.REGISTRATION_PENDING, "approve"): ContractStatus.REGISTERED,
    (ContractStatus.REGISTRATION_PENDING, "reject"): ContractStatus.REGISTRATION_REJECTED,
}
_SUBJECT = ("合同", "contract")


def cny_fen(amount_minor: int, currency: str, rate: Decimal) -> int:
    """An amount in a currency's minor unit converted to CNY fen at `rate` CNY per unit (half up)."""
    if currency == "cny":
        return amount_minor
    units = Decimal(amount_minor).scaleb(-CURRENCY_EXPONENTS[currency])
    return int((units * rate * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def _require_registrable(contract: Contract) -> None:
    if contract.buyer_confirmed_at is None or contract.seller_confirmed_at is None:
        raise Conflict(
            "contract_not_confirmed",
            "买卖双方确认合同后才能提交认定登记",
            "both parties must confirm the contract before registration",
        )
    for org_id in (contract.seller_org_id, contract.buyer_org_id):
        if not (await accounts_service.get_org(org_id=org_id)).verified:
            raise Conflict(
                "organisation_not_verified",
                f"机构 {org_id} 尚未经管理员认证，合同不能登记",
                "both organisations must be verified by an admin before their contract is registered",
            )


async def submit_registration(*, actor: Actor, contract_id: int) -> ContractRead:
    """The seller submits a contract both parties confirmed, between verified organisations, for 认定登记."""
    async with transaction() as conn:
        contract = policies.require_visible_contract(
            actor, await repository.lock_contract(contract_id, conn), contract_id
        )
        policies.require_registrant(actor, contract)
        status = next_state(REGISTRATION_TRANSITIONS, contract.status, "submit", subject=_SUBJECT)
        await _require_registrable(contract)
        await repository.update_contract(
            contract.id,
            conn,
            status=status.value,
            registration_submitted_at=clock.now(),
            registration_reject_reason=None,
        )
    return await get_contract(actor=actor, contract_id=contract_id)


async def approve_registration(*, actor: Actor, contract_id: int, body: Any) -> ContractRead:
    """An admin records the registry's number: the contract now counts in the turnover indicator."""
    require_admin(actor)
    data = parse_body(RegistrationApprove, body)
    try:
        async with transaction() as conn:
            contract = await repository.lock_contract(contract_id, conn)
            if contract is None:
                raise NotFound("contract_not_found", f"合同 {contract_id} 不存在", "contract not found")
            status = next_state(REGISTRATION_TRANSITIONS, contract.status, "approve", subject=_SUBJECT)
            now = clock.now()
            if data.certified_tech_fen is not None and data.certified_tech_fen > contract.total_fen:
                raise Invalid.field(
                    ["body", "certified_tech_fen"], "认定技术交易额不能超过合同总额", "exceeds total"
                )
            await repository.update_contract(
                contract.id,
                conn,
                status=status.value,
                registration_no=data.registration_no,
                registered_at=now,
                certified_tech_fen=data.certified_tech_fen,
                **_cny_columns(contract, data.exchange_rate, data.certified_tech_fen, now),
            )
            await record_audit(
                connection=conn,
                actor_id=actor.user_id,
                action="contract.register",
                object_type="contract",
                object_id=contract.id,
                detail={"registration_no": data.registration_no},
            )
            await record_contract_changed(contract.id, status.value, conn)
    except UniqueViolation as exc:
        raise Conflict("registration_no_taken", "登记号已被使用", "registration number already used") from exc
    return await get_contract(actor=actor, contract_id=contract_id)


# The rate is the one in force at registration: the registration day's, or the last one published before it
# (中间价 are not published on weekends and holidays; the longest closure, 春节, is about a week).
RATE_STALE_AFTER = timedelta(days=15)


def _cny_columns(
    contract: Contract,
    exchange_rate: ExchangeRate | None,
    certified_tech_fen: int | None,
    registered_at: datetime,
) -> dict[str, Any]:
    """The contract's amounts in CNY fen, at the rate recorded now (required for any other currency)."""
    tech = certified_tech_fen if certified_tech_fen is not None else contract.tech_fen
    if contract.currency == "cny":
        return {"total_cny_fen": contract.total_fen, "tech_cny_fen": tech}
    if exchange_rate is None:
        raise Invalid.field(
            ["body", "exchange_rate"],
            f"{contract.currency.upper()} 合同登记时须记录汇率（日期、来源）",
            "exchange rate required for non-CNY contracts",
        )
    registered_on = registered_at.astimezone(CHINA_TZ).date()
    if not registered_on - RATE_STALE_AFTER <= exchange_rate.date <= registered_on:
        raise Invalid.field(
            ["body", "exchange_rate", "date"],
            f"汇率日期须为登记日 {registered_on} 或其前 {RATE_STALE_AFTER.days} 天内公布的汇率",
            "the rate must be the one in force at registration",
        )
    return {
        "total_cny_fen": cny_fen(contract.total_fen, contract.currency, exchange_rate.rate),
        "tech_cny_fen": cny_fen(tech, contract.currency, exchange_rate.rate),
        "fx_rate": exchange_rate.rate,
        "fx_rate_date": exchange_rate.date,
        "fx_source": exchange_rate.source,
    }


async def reject_registration(*, actor: Actor, contract_id: int, body: Any) -> ContractRead:
    """An admin refuses a registration with a reason."""
    require_admin(actor)
    data = parse_body(RegistrationReject, body)
    async with transaction() as conn:
        contract = await repository.lock_contract(contract_id, conn)
        if contract is None:
            raise NotFound("contract_not_found", f"合同 {contract_id} 不存在", "contract not found")
        status = next_state(REGISTRATION_TRANSITIONS, contract.status, "reject", subject=_SUBJECT)
        await repository.update_contract(
            contract.id, conn, status=status.value, registration_reject_reason=data.reason
        )
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
    *,
    actor: Actor,
    body: Any,
    registration_no: str,
    registered_at: datetime,
    exchange_rate: ExchangeRate | None = None,
) -> ContractRead | None:
    """Load a contract the registry has already certified (history import and demo data); idempotent by number."""
    require_admin(actor)
    if await repository.registration_no_known(registration_no):
        return None
    created = await create_contract(actor=actor, body=body)
    async with transaction() as conn:
        # Certified elsewhere: the registry's decision is the fact we record, so submit and approve at once.
        status = next_state(REGISTRATION_TRANSITIONS, created.status, "submit", subject=_SUBJECT)
        status = next_state(REGISTRATION_TRANSITIONS, status, "approve", subject=_SUBJECT)
        contract = await repository.lock_contract(created.id, conn)
        assert contract is not None
        await repository.update_contract(
            created.id,
            conn,
            status=status.value,
            registration_no=registration_no,
            registered_at=registered_at,
            registration_submitted_at=registered_at,
            buyer_confirmed_at=registered_at,
            seller_confirmed_at=registered_at,
            **_cny_columns(contract, exchange_rate, None, registered_at),
        )
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="contract.import_registered",
            object_type="contract",
            object_id=created.id,
            detail={"registration_no": registration_no},
        )
        await record_contract_changed(created.id, status.value, conn)
    return await get_contract(actor=actor, contract_id=created.id)
