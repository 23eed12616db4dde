"""The booking status transition table: every status change is one named action over it."""

from enum import StrEnum

from services.bookings.schemas import BookingStatus
from services.core.transitions import TransitionTable, next_state


class BookingAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    EXPIRE = "expire"
    CANCEL = "cancel"
    START = "start"
    FINISH = "finish"
    MARK_NO_SHOW = "mark_no_show"


_S, _A = BookingStatus, BookingAction
TRANSITIONS: TransitionTable[BookingStatus] = {
    (_S.PENDING, _A.APPROVE): _S.APPROVED,
    (_S.PENDING, _A.REJECT): _S.REJECTED,
    (_S.PENDING, _A.EXPIRE): _S.EXPIRED,
    (_S.PENDING, _A.CANCEL): _S.CANCELLED,
    (_S.APPROVED, _A.CANCEL): _S.CANCELLED,
    (_S.APPROVED, _A.START): _S.IN_PROGRESS,
    (_S.APPROVED, _A.MARK_NO_SHOW): _S.NO_SHOW,
    (_S.IN_PROGRESS, _A.FINISH): _S.COMPLETED,
}


SUBJECT = ("预约", "booking")


def next_status(status: str, action: BookingAction) -> BookingStatus:
    """The status a booking moves to by an action, or a Conflict naming why it cannot."""
    return next_state(TRANSITIONS, status, action, subject=SUBJECT)
