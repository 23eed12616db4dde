"""When a booking's 创新券 part may be redeemed or given back: the rules the portal shows its buttons by."""

import pytest

from services.vouchers.schemas import RedemptionStatus, VoucherPart
from services.vouchers.service import booking_redeemable, booking_releasable


def _part(status: RedemptionStatus = RedemptionStatus.RESERVED, fen: int = 40_000) -> VoucherPart:
    return VoucherPart(voucher_id=1, face_value_fen=60_000, voucher_fen=fen, status=status)


@pytest.mark.parametrize(
    ("status", "fee", "expected"),
    [
        ("completed", 0, True),
        ("cancelled", 20_000, True),  # the voucher pays its part of the cancellation fee
        ("cancelled", 0, False),
        ("pending", 0, False),
        ("approved", 0, False),
        ("in_progress", 0, False),
        ("rejected", 0, False),
    ],
)
def test_a_part_is_redeemed_once_the_service_is_done_or_a_fee_is_kept(status, fee, expected):
    assert booking_redeemable(status, fee) is expected


@pytest.mark.parametrize("status", ["cancelled", "rejected", "expired"])
def test_the_part_of_a_booking_that_fell_through_is_given_back(status):
    assert booking_releasable(status, 0, _part())


def test_nothing_is_given_back_of_a_live_booking_a_settled_part_or_what_pays_the_fee():
    assert not booking_releasable("approved", 0, _part())
    assert not booking_releasable("cancelled", 0, _part(RedemptionStatus.RELEASED))
    assert not booking_releasable("cancelled", 0, _part(RedemptionStatus.REDEEMED))
    assert not booking_releasable("cancelled", 40_000, _part())  # all of it pays the fee
    assert booking_releasable("cancelled", 20_000, _part())  # half of it comes back
