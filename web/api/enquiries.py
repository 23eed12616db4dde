"""Enquiries API: questions to experts, achievements and agencies relayed through the platform, inbox and sent box."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from services.enquiries import service
from services.enquiries.schemas import EnquiryCreate, EnquiryPage, EnquiryRead, EnquiryReply
from web.deps import CurrentUser, Page, Size

router = APIRouter(prefix="/api/v1", tags=["enquiries"])


@router.post("/experts/{expert_id}/enquiries", status_code=status.HTTP_201_CREATED)
async def create(expert_id: int, body: EnquiryCreate, user: CurrentUser) -> EnquiryRead:
    return await service.create_enquiry(actor=user, expert_id=expert_id, data=body)


@router.post("/achievements/{listing_id}/enquiries", status_code=status.HTTP_201_CREATED)
async def create_about_achievement(listing_id: int, body: EnquiryCreate, user: CurrentUser) -> EnquiryRead:
    return await service.enquire_listing(
        actor=user, listing_type="achievement", listing_id=listing_id, data=body
    )


@router.post("/agencies/{listing_id}/enquiries", status_code=status.HTTP_201_CREATED)
async def create_about_agency(listing_id: int, body: EnquiryCreate, user: CurrentUser) -> EnquiryRead:
    return await service.enquire_listing(actor=user, listing_type="agency", listing_id=listing_id, data=body)


@router.get("/enquiries")
async def list_(
    user: CurrentUser,
    box: Annotated[
        service.Box, Query(description="inbox: to my organisation's experts; sent: mine")
    ] = "inbox",
    page: Page = 1,
    size: Size = 20,
) -> EnquiryPage:
    return await service.list_enquiries(actor=user, box=box, page=page, size=size)


@router.post("/enquiries/{enquiry_id}/reply")
async def reply(enquiry_id: int, body: EnquiryReply, user: CurrentUser) -> EnquiryRead:
    return await service.reply_enquiry(actor=user, enquiry_id=enquiry_id, data=body)
