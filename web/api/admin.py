"""Admin API: the review queue, the organisation verification queue and the audit trail."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.accounts import service as accounts_service
from services.catalog import service as catalog_service
from services.catalog.schemas import ListingPage
from services.core.audit import list_audit
from services.demand import service as demand_service
from services.demand.schemas import DemandPage
from services.reference.vocabulary import ListingType
from web.deps import AdminUser, Page, Size

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


@router.get("/review-queue")
async def review_queue(
    user: AdminUser, type: ListingType | None = None, page: Page = 1, size: Size = 20
) -> ListingPage:
    """Listings and held edits waiting for review, oldest submission first, with quality and spam flags."""
    return await catalog_service.review_queue(actor=user, listing_type=type, page=page, size=size)


@router.get("/review-queue/demands")
async def demand_review_queue(user: AdminUser, page: Page = 1, size: Size = 20) -> DemandPage:
    """Demands submitted for review and held edits of published demands, oldest submission first."""
    return await demand_service.review_queue(actor=user, page=page, size=size)


@router.get("/orgs")
async def orgs(
    user: AdminUser, verified: Annotated[bool | None, Query()] = None, page: Page = 1, size: Size = 20
) -> dict[str, Any]:
    return await accounts_service.list_orgs(actor=user, verified=verified, page=page, size=size)


@router.get("/audit")
async def audit(
    user: AdminUser, object_type: str | None = None, page: Page = 1, size: Size = 50
) -> dict[str, Any]:
    total, items = await list_audit(object_type=object_type, offset=(page - 1) * size, limit=size)
    return {"total": total, "page": page, "size": size, "items": items}
