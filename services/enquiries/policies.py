"""Who may answer an enquiry, and when the expert's contact goes along."""

from services.accounts.policies import Actor
from services.catalog.models import Listing
from services.core.errors import Forbidden, NotFound
from services.enquiries.models import Enquiry


def is_expert_side(actor: Actor, enquiry: Enquiry) -> bool:
    """The expert's organisation (and admins) receive the enquiry."""
    return actor.is_admin or actor.org_id == enquiry.expert_org_id


def require_may_reply(actor: Actor, enquiry: Enquiry) -> None:
    """Only the expert's side replies; the sender is told so, anyone else does not learn the enquiry exists."""
    if is_expert_side(actor, enquiry):
        return
    if actor.user_id != enquiry.sender_id:
        raise NotFound("enquiry_not_found", f"咨询 {enquiry.id} 不存在", "enquiry not found")
    raise Forbidden("expert_only", "仅专家所在机构可回复", "only the expert's organisation replies")


def shares_contact(enquiry: Enquiry, expert: Listing) -> bool:
    """Whether the reply carries the expert's contact: shared by the reply and consented to by the expert."""
    # Read at every display: withdrawing contact consent hides a contact shared earlier.
    consent = (expert.attributes or {}).get("consent") or {}
    return enquiry.contact_shared and bool(consent.get("contact"))
