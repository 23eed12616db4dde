"""The booking status transition table: every status change is one named action over it."""

from enum import StrEnum

from services.bookings.schemas import BookingStatus
from services.core.errors import Conflict


class BookingAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


TRANSITIONS: dict[tuple[BookingStatus, BookingAction], BookingStatus] = {
    (BookingStatus.PENDING, BookingAction.APPROVE): BookingStatus.APPROVED,
    (BookingStatus.PENDING, BookingAction.REJECT): BookingStatus.REJECTED,
}


def next_status(status: str, action: BookingAction) -> BookingStatus:
    """The status a booking moves to by an action, or a Conflict naming why it cannot."""
    target = TRANSITIONS.get((BookingStatus(status), action))
    if target is None:
        raise Conflict(
            "invalid_transition",
            f"状态 {status} 的预约不能执行 {action.value}",
            f"a {status} booking cannot {action.value}",
        )
    return target
