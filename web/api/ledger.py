"""The money ledger: all of it for admins, each organisation's own statement."""

from typing import Annotated, Any

from fastapi import APIRouter, Body

from services.deals import ledger
from web.deps import AdminUser, CurrentUser, Page, Size

router = APIRouter(prefix="/api/v1", tags=["ledger"])


@router.get("/ledger")
async def list_ledger(user: AdminUser, page: Page = 1, size: Size = 50) -> dict[str, Any]:
    return await ledger.list_ledger(actor=user, page=page, size=size)


@router.get("/orgs/{org_id}/statement")
async def org_statement(org_id: int, user: CurrentUser, page: Page = 1, size: Size = 50) -> dict[str, Any]:
    return await ledger.org_statement(actor=user, org_id=org_id, page=page, size=size)


@router.post("/orgs/{org_id}/payout-account")
async def set_payout_account(
    org_id: int, body: Annotated[dict[str, Any], Body()], user: AdminUser
) -> dict[str, Any]:
    return await ledger.set_payout_account(actor=user, org_id=org_id, body=body)
