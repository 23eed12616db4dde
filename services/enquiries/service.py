"""Enquiries to experts, achievements and agencies: contact goes through the platform, never by showing an
expert's phone or e-mail.

The sender writes about a published listing; the provider organisation reads it in its inbox and replies. An
expert's contact reaches the sender only when the reply shares it and the expert's current consent allows
contact (PIPL Art. 23); withdrawing that consent hides it again. Instruments are booked, not enquired about.
"""

from typing import Any, Literal

from services.accounts.policies import Actor, require_organisation
from services.catalog.models import ExpertContact, Listing
from services.core import clock
from services.core.db import Connection, transaction
from services.core.errors import Conflict, NotFound
from services.core.outbox import record_event
from services.core.transitions import TransitionTable, allows, run_transition
from services.enquiries import repository
from services.enquiries.models import Enquiry
from services.enquiries.policies import require_may_reply, shares_contact
from services.enquiries.schemas import (
    EnquiryCreate,
    EnquiryPage,
    EnquiryRead,
    EnquiryReply,
    ExpertContactRead,
)
from services.notifications import service as notifications
from services.notifications.schemas import NotificationKind
from services.reference.vocabulary import EnquiryStatus, ListingType

ENQUIRY_TOPIC = "enquiry.changed"
# An enquiry is answered once; nothing reopens it.
ENQUIRY_TRANSITIONS: TransitionTable[EnquiryStatus] = {(EnquiryStatus.OPEN, "reply"): EnquiryStatus.REPLIED}
Box = Literal["inbox", "sent"]


# The columns an enquiry shows as they are stored; the expert's side and the contact are added per read.
_STORED_FIELDS = tuple(
    name
    for name in EnquiryRead.model_fields
    if name not in ("expert_id", "expert_name", "listing_type", "contact")
)
# What an enquiry may be about: the supply a person answers (an instrument is booked instead).
ENQUIRABLE_TYPES = (ListingType.EXPERT.value, ListingType.ACHIEVEMENT.value, ListingType.AGENCY.value)


def _read(enquiry: Enquiry, expert: Listing, contacts: dict[int, ExpertContact]) -> EnquiryRead:
    stored = contacts.get(expert.id) if shares_contact(enquiry, expert) else None
    contact = ExpertContactRead(phone=stored.phone, email=stored.email) if stored else None
    return EnquiryRead(
        **{name: getattr(enquiry, name) for name in _STORED_FIELDS},
        expert_id=expert.id,
        expert_name=expert.title,
        listing_type=expert.type,
        contact=contact,
    )


async def _read_all(rows: list[tuple[Enquiry, Listing]]) -> list[EnquiryRead]:
    contacts = await repository.contacts_of(
        [expert.id for enquiry, expert in rows if shares_contact(enquiry, expert)]
    )
    return [_read(enquiry, expert, contacts) for enquiry, expert in rows]


async def create_enquiry(*, actor: Actor, expert_id: int, data: EnquiryCreate) -> EnquiryRead:
    """Send a question to a published expert; it lands in the inbox of the expert's organisation."""
    return await enquire_listing(actor=actor, listing_type="expert", listing_id=expert_id, data=data)


async def enquire_listing(
    *, actor: Actor, listing_type: str, listing_id: int, data: EnquiryCreate
) -> EnquiryRead:
    """Send a question about a published expert, achievement or agency to the organisation that offers it."""
    if listing_type not in ENQUIRABLE_TYPES:
        raise NotFound("listing_not_found", f"{listing_type} {listing_id} 不存在", "not found")
    expert = await repository.get_listing_of(listing_id, (listing_type,))
    if expert is None or expert.status != "published":
        raise NotFound("listing_not_found", f"{listing_type} {listing_id} 不存在", "not found")
    async with transaction() as conn:
        enquiry = await repository.create_enquiry(
            conn,
            listing_id=expert.id,
            expert_org_id=expert.org_id,
            sender_id=actor.user_id,
            sender_org_id=actor.org_id,
            subject=data.subject,
            message=data.message,
            contact_back=data.contact_back,
        )
        await record_event(
            connection=conn,
            topic=ENQUIRY_TOPIC,
            aggregate_type="enquiry",
            aggregate_id=enquiry.id,
            payload={"status": "open", "expert_org_id": expert.org_id},
        )
    return (await _read_all([(enquiry, expert)]))[0]


async def list_enquiries(*, actor: Actor, box: Box, page: int, size: int) -> EnquiryPage:
    """The caller's organisation's inbox (enquiries to its experts) or the caller's sent enquiries."""
    if box == "inbox":
        require_organisation(actor)
    total, rows = await repository.page_enquiries(
        expert_org_id=actor.org_id if box == "inbox" else None,
        sender_id=actor.user_id if box == "sent" else None,
        offset=(page - 1) * size,
        limit=size,
    )
    items = await _read_all([(row, row.listing) for row in rows])
    return EnquiryPage(total=total, page=page, size=size, items=items)


async def reply_enquiry(*, actor: Actor, enquiry_id: int, data: EnquiryReply) -> EnquiryRead:
    """The expert's organisation answers once; the contact goes along only if shared and consented."""
    experts: list[Listing] = []

    def authorise(enquiry: Enquiry) -> None:
        require_may_reply(actor, enquiry)
        if not allows(ENQUIRY_TRANSITIONS, enquiry.status, "reply"):
            raise Conflict("already_replied", "该咨询已回复", "enquiry already answered")

    def change(enquiry: Enquiry) -> None:
        enquiry.reply = data.message
        enquiry.contact_shared = data.share_contact
        enquiry.replied_by_id = actor.user_id
        enquiry.replied_at = clock.now()

    async def save(enquiry: Enquiry, conn: Connection) -> None:
        expert = await repository.get_listing_of(enquiry.listing_id, ENQUIRABLE_TYPES, conn)
        if expert is None:
            raise NotFound("enquiry_not_found", f"咨询 {enquiry_id} 不存在", "enquiry not found")
        if data.share_contact and not (expert.attributes.get("consent") or {}).get("contact"):
            raise Conflict(
                "contact_consent_missing",
                "专家未同意提供联系方式",
                "the expert has not consented to sharing contact",
            )
        experts.append(expert)
        await repository.save_enquiry(enquiry, conn)

    async def after(enquiry: Enquiry, conn: Connection) -> None:
        await record_event(
            connection=conn,
            topic=ENQUIRY_TOPIC,
            aggregate_type="enquiry",
            aggregate_id=enquiry.id,
            payload={"status": enquiry.status, "sender_id": enquiry.sender_id},
        )
        await notifications.notify(
            connection=conn,
            user_ids=[enquiry.sender_id],
            kind=NotificationKind.ENQUIRY_ANSWERED,
            title=f"您的咨询“{enquiry.subject}”已有回复",
            link="/me/enquiries",
        )

    enquiry = await run_transition(
        table=ENQUIRY_TRANSITIONS,
        subject=("咨询", "enquiry"),
        action="reply",
        lock=lambda conn: repository.lock_enquiry(enquiry_id, conn),
        not_found=lambda: NotFound("enquiry_not_found", f"咨询 {enquiry_id} 不存在", "enquiry not found"),
        authorise=authorise,
        change=change,
        save=save,
        after=after,
    )
    return (await _read_all([(enquiry, experts[0])]))[0]


async def unread_counts(*, actor: Actor) -> dict[str, int]:
    """What waits for the caller: enquiries to the organisation's experts not yet answered (inbox), and
    answers to the caller's own enquiries not yet seen (sent: the unread 咨询已有回复 notifications)."""
    inbox = await repository.count_open(actor.org_id) if actor.org_id is not None else 0
    sent = await notifications.unread_count(actor=actor, kind=NotificationKind.ENQUIRY_ANSWERED)
    return {"inbox": inbox, "sent": sent}


async def mark_answers_seen(*, actor: Actor) -> int:
    """The caller opened their sent enquiries: the answers there are read."""
    return await notifications.mark_kind_read(actor=actor, kind=NotificationKind.ENQUIRY_ANSWERED)


async def contacts_between(*, listing_id: int, org_id: int) -> list[dict[str, Any]]:
    """When an organisation's members asked this expert and when they were answered: dates only — no names,
    no addresses, no message text (attribution evidence)."""
    return [
        {
            "kind": "enquiry",
            "from": "buyer",
            "at": enquiry.created_at.isoformat(),
            "answered_at": enquiry.replied_at.isoformat() if enquiry.replied_at else None,
        }
        for enquiry in await repository.between(listing_id, org_id)
    ]
