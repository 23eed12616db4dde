"""Booking prices come from the instrument's fee schedule, in integer fen."""

from decimal import Decimal

from services.bookings.pricing import price_booking

FEES = [{"unit": "hour", "price_fen": 40_000}, {"unit": "sample", "price_fen": 20_000}]


def test_started_hours_bill_in_full():
    assert price_booking(FEES, Decimal("2.5"), None, "self") == 120_000
    assert price_booking(FEES, Decimal("0.25"), None, "self") == 40_000
    assert price_booking(FEES, Decimal(3), None, "self") == 120_000


def test_commissioned_work_bills_per_sample():
    assert price_booking(FEES, Decimal(1), 7, "commissioned") == 140_000


def test_day_rates_round_up_to_whole_days():
    assert price_booking([{"unit": "day", "price_fen": 300_000}], Decimal(25), None, "self") == 600_000


def test_no_fee_schedule_is_free_and_never_a_float():
    price = price_booking([], Decimal("1.5"), None, "self")
    assert price == 0
    assert isinstance(price, int)
