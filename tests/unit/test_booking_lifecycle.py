"""The booking transition table: named actions move a booking, anything else is a conflict."""

import pytest

from services.bookings.lifecycle import TRANSITIONS, BookingAction, next_status
from services.bookings.schemas import BookingStatus
from services.core.errors import Conflict


def test_a_pending_booking_is_approved_or_rejected():
    assert next_status("pending", BookingAction.APPROVE) is BookingStatus.APPROVED
    assert next_status("pending", BookingAction.REJECT) is BookingStatus.REJECTED


@pytest.mark.parametrize("status", ["approved", "rejected", "cancelled", "completed"])
def test_a_decided_booking_cannot_be_decided_again(status):
    for action in (BookingAction.APPROVE, BookingAction.REJECT):
        with pytest.raises(Conflict) as caught:
            next_status(status, action)
        assert caught.value.code == "invalid_transition"
        assert status in caught.value.message_zh


def test_every_transition_ends_in_a_known_status():
    assert all(isinstance(target, BookingStatus) for target in TRANSITIONS.values())


def test_the_bulk_expiry_applies_the_tables_expire_action():
    # The sweep's bulk UPDATE takes its source and target states from the table, not from its own list.
    from services.bookings import service

    assert service._EXPIRE_FROM == ["pending"]
    assert service._EXPIRED is next_status("pending", BookingAction.EXPIRE) is BookingStatus.EXPIRED
    for status in ("approved", "in_progress", "cancelled", "expired"):
        with pytest.raises(Conflict):
            next_status(status, BookingAction.EXPIRE)
