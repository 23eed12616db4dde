"""Queries of enquiries to experts, achievements and agencies."""

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.catalog.models import ExpertContact, Listing
from services.enquiries.models import Enquiry
from services.reference.vocabulary import EnquiryStatus


async def create_enquiry(connection: BaseDBAsyncClient, **values: Any) -> Enquiry:
    return await Enquiry.create(using_db=connection, **values)


async def save_enquiry(enquiry: Enquiry, connection: BaseDBAsyncClient) -> None:
    await enquiry.save(using_db=connection)


async def lock_enquiry(enquiry_id: int, connection: BaseDBAsyncClient) -> Enquiry | None:
    return await Enquiry.filter(id=enquiry_id).using_db(connection).select_for_update().first()


async def get_listing_of(
    listing_id: int, types: tuple[str, ...], connection: BaseDBAsyncClient | None = None
) -> Listing | None:
    """The listing an enquiry may be about: one of these types, any status (the caller decides)."""
    return await Listing.filter(id=listing_id, type__in=list(types)).using_db(connection).first()


async def page_enquiries(
    *, expert_org_id: int | None, sender_id: int | None, offset: int, limit: int
) -> tuple[int, list[Enquiry]]:
    """A page of enquiries, newest first, with their expert listing fetched."""
    query = Enquiry.all()
    if expert_org_id is not None:
        query = query.filter(expert_org_id=expert_org_id)
    if sender_id is not None:
        query = query.filter(sender_id=sender_id)
    total = await query.count()
    rows = await query.order_by("-id").offset(offset).limit(limit).prefetch_related("listing")
    return total, rows


async def count_open(expert_org_id: int) -> int:
    return await Enquiry.filter(expert_org_id=expert_org_id, status=EnquiryStatus.OPEN.value).count()


async def contacts_of(listing_ids: list[int]) -> dict[int, ExpertContact]:
    """Private contacts of experts by listing id, in one query."""
    if not listing_ids:
        return {}
    rows = await ExpertContact.filter(listing_id__in=sorted(set(listing_ids)))
    return {row.listing_id: row for row in rows}


async def between(listing_id: int, sender_org_id: int) -> list[Enquiry]:
    """Enquiries members of one organisation sent to one expert listing, oldest first."""
    return await Enquiry.filter(listing_id=listing_id, sender_org_id=sender_org_id).order_by("id")
