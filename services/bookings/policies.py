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


def require_verified_org(org_verified: bool) -> None:
    """Only organisations an administrator has verified may book instruments."""
    if not org_verified:
        raise Forbidden(
            "org_not_verified",
            "机构通过管理员认证后才能预约仪器",
            "the organisation must be verified to book",
        )


def require_booker(actor: Actor, booker_org_id: int) -> Actor:
    """The organisation that made a booking (or an admin) may cancel it."""
    if actor.is_admin or actor.org_id == booker_org_id:
        return actor
    raise Forbidden("not_the_booker", "仅预约方可取消预约", "only the booking organisation may cancel")


def require_training(*, needs_training: bool, mode: str, trained: bool) -> None:
    """Self-operated use of an instrument that needs training requires a valid training record."""
    if needs_training and mode == "self" and not trained:
        raise Forbidden(
            "training_required", "自主上机需要该仪器的有效培训记录", "a valid training record is required"
        )


def require_not_suspended(*, mode: str, no_shows: int, limit: int) -> None:
    """After `limit` no-shows in 90 days a user may no longer book self-operated time."""
    if mode == "self" and no_shows >= limit:
        raise Forbidden(
            "self_booking_suspended",
            f"90 天内爽约 {no_shows} 次，自主上机预约已暂停",
            "self-operated booking suspended after repeated no-shows",
        )


def require_report_reader(actor: Actor, org_id: int | None) -> int | None:
    """Admins read any institution's sharing report (or all); members read their own institution's only."""
    if actor.is_admin:
        return org_id
    if actor.org_id is None or (org_id is not None and org_id != actor.org_id):
        raise Forbidden("not_a_member", "仅可查看本单位的开放共享报表", "only your own institution's report")
    return actor.org_id
