"""Who may see and change a listing."""

from services.accounts.policies import Actor, require_admin, require_member
from services.catalog.models import Listing
from services.core.errors import Forbidden, NotFound

# Only the zone's administrators review: they publish and reject; the owning organisation does the rest.
REVIEW_ACTIONS = frozenset({"publish", "reject", "approve_edit", "reject_edit"})


def may_see_private(actor: Actor | None, listing: Listing) -> bool:
    """Whether the caller sees the listing's private side (drafts, quality, contacts): its org and admins."""
    return actor is not None and (actor.is_admin or actor.org_id == listing.org_id)


def require_may_change(actor: Actor, listing: Listing) -> None:
    """Members (and admins) pass; to anyone else an unpublished listing does not exist (404, not 403)."""
    if listing.status != "published" and not may_see_private(actor, listing):
        raise NotFound("listing_not_found", f"{listing.type} {listing.id} 不存在", "not found")
    require_member(actor, listing.org_id)


def require_may_link_person(actor: Actor, listing: Listing) -> None:
    """The organisation's clerks (and admins) link an expert profile to its person's account."""
    require_may_change(actor, listing)
    if actor.role == "expert":
        # An expert naming the account of a profile would take over its consent: the organisation's clerks link.
        raise Forbidden("not_your_profile", "专家账号不能关联专家资料", "experts cannot link profiles")


def require_consent_of_person(actor: Actor, listing: Listing) -> None:
    """Once a profile has its person, consent is theirs alone to give or withdraw (PIPL Art. 25)."""
    if listing.person_id is not None and listing.person_id != actor.user_id:
        raise Forbidden(
            "consent_is_the_experts",
            "该专家已关联本人账号，同意只能由专家本人更改",
            "only the expert changes consent",
        )


def require_may_transition(actor: Actor, listing: Listing, action: str) -> None:
    """Admins review (publish, reject); members submit, unpublish and archive their own listings."""
    if action in REVIEW_ACTIONS:
        require_admin(actor)
    else:
        require_may_change(actor, listing)


def is_moderation(actor: Actor, action: str) -> bool:
    """An admin publishing or rejecting a listing moderates it: that step goes to the audit log."""
    return actor.is_admin and action in ("publish", "reject")
