"""Royalties (提成): the licensee's statements of sales per period, each due amount paid as a milestone."""

from datetime import date
from typing import Any

from services.accounts.policies import Actor
from services.core import clock
from services.core.bodies import parse_body
from services.core.clock import CHINA_TZ
from services.core.db import UniqueViolation, transaction
from services.core.errors import Conflict, Invalid, NotFound
from services.core.outbox import record_event
from services.deals import policies, repository
from services.deals.models import Contract, RoyaltyStatement
from services.deals.payments import service as payments
from services.deals.payments.port import PaymentProvider
from services.deals.schemas import (
    ContractStatus,
    PaymentRead,
    RoyaltyPeriod,
    RoyaltyStatementIn,
    RoyaltyStatementRead,
    RoyaltyTerm,
)

ROYALTY_TOPIC = "royalty.filed"
_CLOSED = (ContractStatus.CANCELLED, ContractStatus.TERMINATED)


def royalty_columns(term: RoyaltyTerm | None) -> dict[str, Any]:
    """The contract columns that store a royalty term (all null without one)."""
    return {
        "royalty_bp": term.rate_bp if term else None,
        "royalty_period": term.period.value if term else None,
        "royalty_minimum_fen": term.minimum_fen if term else None,
    }


def royalty_term(contract: Contract) -> RoyaltyTerm | None:
    """A contract's royalty term, if it has one."""
    if contract.royalty_bp is None or contract.royalty_period is None:
        return None
    return RoyaltyTerm(
        rate_bp=contract.royalty_bp,
        period=RoyaltyPeriod(contract.royalty_period),
        minimum_fen=contract.royalty_minimum_fen,
    )


def royalty_due_fen(*, sales_fen: int, rate_bp: int, minimum_fen: int | None) -> int:
    """Royalty due in integer fen: sales × rate / 10 000 rounded half up, at least the period's minimum."""
    due = (sales_fen * rate_bp + 5_000) // 10_000
    return max(due, minimum_fen or 0)


def period_end_of(start: date, period: RoyaltyPeriod) -> date | None:
    """The last day of the calendar quarter or year beginning on `start`; None when `start` begins none."""
    if start.day != 1:
        return None
    if period == RoyaltyPeriod.YEAR:
        return date(start.year, 12, 31) if start.month == 1 else None
    if start.month not in (1, 4, 7, 10):
        return None
    last_month = start.month + 2
    next_first = date(start.year + 1, 1, 1) if last_month == 12 else date(start.year, last_month + 1, 1)
    return date.fromordinal(next_first.toordinal() - 1)


def _statement_read(statement: RoyaltyStatement) -> RoyaltyStatementRead:
    return RoyaltyStatementRead.model_validate(statement, from_attributes=True)


def _check_period(data: RoyaltyStatementIn, term: RoyaltyTerm, contract: Contract) -> None:
    end = period_end_of(data.period_start, term.period)
    if end is None:
        raise Invalid.field(
            ["body", "period_start"],
            "提成期间须从自然季度或自然年度的第一天开始",
            f"the period must start on the first day of a calendar {term.period.value}",
        )
    if data.period_end != end:
        raise Invalid.field(
            ["body", "period_end"],
            f"提成期间须在 {end.isoformat()} 结束",
            f"the {term.period.value} starting {data.period_start.isoformat()} ends on {end.isoformat()}",
        )
    if data.period_end >= clock.now().astimezone(CHINA_TZ).date():
        raise Invalid.field(["body", "period_end"], "提成期间尚未结束", "the period has not ended yet")
    if data.period_end < contract.signed_at:
        raise Invalid.field(
            ["body", "period_end"],
            "提成期间早于合同签订日期",
            "the period ends before the contract was signed",
        )


async def file_statement(*, actor: Actor, contract_id: int, body: Any) -> RoyaltyStatementRead:
    """The licensee files its sales for one period; the royalty due becomes a payable milestone."""
    data = parse_body(RoyaltyStatementIn, body)
    try:
        async with transaction() as conn:
            contract = policies.require_visible_contract(
                actor, await repository.lock_contract(contract_id, conn), contract_id
            )
            policies.require_licensee(actor, contract)
            term = royalty_term(contract)
            if term is None:
                raise Conflict("no_royalty_term", "该合同未约定提成", "the contract has no royalty term")
            if contract.status in _CLOSED:
                raise Conflict(
                    "contract_closed", "合同已取消或终止", "the contract is cancelled or terminated"
                )
            _check_period(data, term, contract)
            if await repository.royalty_period_taken(contract.id, data.period_start, data.period_end, conn):
                raise Conflict(
                    "royalty_period_filed", "该期间的提成报表已提交", "a statement for this period exists"
                )
            due = royalty_due_fen(
                sales_fen=data.sales_fen, rate_bp=term.rate_bp, minimum_fen=term.minimum_fen
            )
            statement = await repository.insert_royalty_statement(
                {
                    "contract_id": contract.id,
                    "period_start": data.period_start,
                    "period_end": data.period_end,
                    "sales_fen": data.sales_fen,
                    "due_fen": due,
                    "currency": contract.currency,
                    "filed_by_id": actor.user_id,
                },
                f"提成 {data.period_start.isoformat()}–{data.period_end.isoformat()}",
                conn,
            )
            await record_event(
                connection=conn,
                topic=ROYALTY_TOPIC,
                aggregate_type="contract",
                aggregate_id=contract.id,
                payload={"statement_id": statement.id, "due_fen": due},
            )
    except UniqueViolation as exc:
        # Two filings of the same period raced past the check: the unique constraint decides.
        raise Conflict(
            "royalty_period_filed", "该期间的提成报表已提交", "a statement for this period exists"
        ) from exc
    return _statement_read(statement)


async def list_statements(*, actor: Actor, contract_id: int) -> list[RoyaltyStatementRead]:
    """The licensee, the licensor and admins read a contract's royalty statements, oldest period first."""
    contract = policies.require_visible_contract(
        actor, await repository.get_contract(contract_id), contract_id
    )
    policies.require_royalty_reader(actor, contract)
    return [_statement_read(s) for s in await repository.royalty_statements(contract.id)]


async def pay_statement(
    *, actor: Actor, contract_id: int, statement_id: int, body: Any, provider: PaymentProvider
) -> PaymentRead:
    """Pay a statement's royalty through its milestone: the same PaymentIntent and webhook path."""
    contract = policies.require_visible_contract(
        actor, await repository.get_contract(contract_id), contract_id
    )
    statement = await repository.royalty_statement(contract.id, statement_id)
    if statement is None:
        raise NotFound(
            "royalty_statement_not_found", f"提成报表 {statement_id} 不存在", "statement not found"
        )
    if statement.milestone_id is None:
        raise Conflict("nothing_due", "该期间无应付提成", "no royalty is due for this period")
    return await payments.start_milestone_payment(
        actor=actor,
        contract_id=contract.id,
        milestone_id=statement.milestone_id,
        body=body,
        provider=provider,
    )
