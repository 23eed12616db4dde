"""Deals API: contracts, milestone payments, registration."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status

from services.deals import contracts, registration, royalties
from services.deals.payments import service as payments
from services.deals.schemas import ContractRead, PaymentRead, RoyaltyStatementRead
from web.deps import CurrentUser, Page, Payments, Size
from web.routes import add_actions

router = APIRouter(prefix="/api/v1", tags=["deals"])
JsonBody = Annotated[dict[str, Any], Body()]
OptionalBody = Annotated[dict[str, Any] | None, Body()]


@router.post("/contracts", status_code=status.HTTP_201_CREATED)
async def create_contract(body: JsonBody, user: CurrentUser) -> ContractRead:
    return await contracts.create_contract(actor=user, body=body)


@router.get("/contracts")
async def list_contracts(
    user: CurrentUser,
    page: Page = 1,
    size: Size = 20,
    status_: Annotated[str | None, Query(alias="status")] = None,
) -> dict[str, Any]:
    return await contracts.list_contracts(actor=user, status=status_, page=page, size=size)


@router.get("/contracts/{contract_id}")
async def get_contract(contract_id: int, user: CurrentUser) -> ContractRead:
    return await contracts.get_contract(actor=user, contract_id=contract_id)


@router.get("/contracts/{contract_id}/trace")
async def trace_contract(contract_id: int, user: CurrentUser) -> dict[str, Any]:
    return await contracts.trace_contract(actor=user, contract_id=contract_id)


@router.post("/contracts/{contract_id}/milestones/{milestone_id}/pay")
async def pay_milestone(
    contract_id: int, milestone_id: int, user: CurrentUser, provider: Payments, body: OptionalBody = None
) -> PaymentRead:
    return await payments.start_milestone_payment(
        actor=user, contract_id=contract_id, milestone_id=milestone_id, body=body, provider=provider
    )


@router.post("/contracts/{contract_id}/royalty-statements", status_code=status.HTTP_201_CREATED)
async def file_royalty_statement(contract_id: int, body: JsonBody, user: CurrentUser) -> RoyaltyStatementRead:
    return await royalties.file_statement(actor=user, contract_id=contract_id, body=body)


@router.get("/contracts/{contract_id}/royalty-statements")
async def list_royalty_statements(contract_id: int, user: CurrentUser) -> list[RoyaltyStatementRead]:
    return await royalties.list_statements(actor=user, contract_id=contract_id)


@router.post("/contracts/{contract_id}/royalty-statements/{statement_id}/pay")
async def pay_royalty_statement(
    contract_id: int, statement_id: int, user: CurrentUser, provider: Payments, body: OptionalBody = None
) -> PaymentRead:
    return await royalties.pay_statement(
        actor=user, contract_id=contract_id, statement_id=statement_id, body=body, provider=provider
    )


add_actions(
    router,
    "/contracts/{contract_id}",
    {
        "registration": registration.submit_registration,
        "confirm": contracts.confirm_contract,
        "cancel": contracts.cancel_contract,
    },
    item="contract_id",
    read=ContractRead,
)
add_actions(
    router,
    "/contracts/{contract_id}",
    {
        "registration/approve": registration.approve_registration,
        "registration/reject": registration.reject_registration,
        "terminate": contracts.terminate_contract,
    },
    item="contract_id",
    read=ContractRead,
    admin=True,
    with_body=frozenset({"registration/approve", "registration/reject", "terminate"}),
)


@router.post("/payments/{payment_id}/refund")
async def refund_payment(
    payment_id: int, body: JsonBody, user: CurrentUser, provider: Payments
) -> PaymentRead:
    return await payments.refund_payment(actor=user, payment_id=payment_id, body=body, provider=provider)
