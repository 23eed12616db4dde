"""Who may do what with a booking."""

from services.accounts.policies import Actor
from services.core.errors import Forbidden, NotFound


def require_instrument_owner(actor: Actor, owner_org_id: int | None) -> Actor:
    """Members of the organisation that owns the instrument (or admins) pass."""
    if actor.is_admin or (owner_org_id is not None and actor.org_id == owner_org_id):
        return actor
    raise Forbidden(
        "not_a_member", "仅仪器所属机构成员可执行此操作", "members of the instrument's organisation only"
    )


def require_booking_visible(
    actor: Actor, booking_id: int, booker_org_id: int, owner_org_id: int | None
) -> Actor:
    """The booking organisation, the instrument's owner and admins see a booking; others get a 404."""
    if actor.is_admin or (actor.org_id is not None and actor.org_id in (booker_org_id, owner_org_id)):
        return actor
    raise NotFound("booking_not_found", f"预约 {booking_id} 不存在", "booking not found")


def require_organisation(actor: Actor) -> int:
    """Bookings are made and listed by an organisation: the caller's."""
    if actor.org_id is None:
        raise Forbidden("no_organisation", "需要先加入一个机构", "join an organisation first")
    return actor.org_id
