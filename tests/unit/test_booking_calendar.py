"""Opening hours, closures and taken time as intervals; price groups and the cancellation fee."""

from datetime import datetime, timedelta
from decimal import Decimal

from services.bookings.calendar import merge, opening_intervals, outside_field, subtract
from services.bookings.pricing import cancellation_fee, price_booking, price_group
from services.core.clock import CHINA_TZ

WEEKDAYS = [{"weekday": d, "open": "09:00", "close": "17:00"} for d in range(1, 6)]
MONDAY = datetime(2027, 3, 1, 0, 0, tzinfo=CHINA_TZ)  # a Monday


def at(days: float, hour: float) -> datetime:
    return MONDAY + timedelta(days=days, hours=hour)


def test_opening_intervals_follow_the_weekly_hours_in_beijing_time():
    found = opening_intervals(WEEKDAYS, MONDAY, at(7, 0))
    assert [(s.astimezone(CHINA_TZ).weekday(), s.astimezone(CHINA_TZ).hour) for s, _ in found] == [
        (d, 9) for d in range(5)
    ]
    assert all(e - s == timedelta(hours=8) for s, e in found)


def test_no_opening_hours_means_open_around_the_clock():
    assert opening_intervals(None, MONDAY, at(1, 0)) == [(MONDAY, at(1, 0))]
    assert outside_field(None, at(6, 2), at(6, 4), long_runs=False) is None


def test_a_booking_must_lie_inside_one_opening_stretch():
    assert outside_field(WEEKDAYS, at(0, 9), at(0, 17), long_runs=False) is None
    assert outside_field(WEEKDAYS, at(6, 2), at(6, 4), long_runs=False) == "start"  # Sunday 02:00
    assert outside_field(WEEKDAYS, at(0, 15), at(0, 18), long_runs=False) == "end"
    assert outside_field(WEEKDAYS, at(0, 15), at(1, 10), long_runs=False) == "end"  # overnight


def test_a_long_run_only_starts_and_ends_in_opening_hours():
    assert outside_field(WEEKDAYS, at(0, 10), at(42, 10), long_runs=True) is None
    assert outside_field(WEEKDAYS, at(0, 10), at(5, 10), long_runs=True) == "end"  # ends on a Saturday
    assert outside_field(WEEKDAYS, at(0, 8), at(3, 10), long_runs=True) == "start"


def test_adjacent_periods_join_across_midnight():
    around = [{"weekday": d, "open": "00:00", "close": "24:00"} for d in range(1, 8)]
    assert outside_field(around, at(0, 22), at(2, 3), long_runs=False) is None
    assert len(opening_intervals(around, MONDAY, at(3, 0))) == 1


def test_subtract_and_merge():
    day = [(at(0, 9), at(0, 17))]
    assert subtract(day, [(at(0, 10), at(0, 12)), (at(0, 11), at(0, 13))]) == [
        (at(0, 9), at(0, 10)),
        (at(0, 13), at(0, 17)),
    ]
    assert subtract(day, [(at(0, 8), at(0, 18))]) == []
    assert merge([(at(0, 9), at(0, 10)), (at(0, 10), at(0, 11))]) == [(at(0, 9), at(0, 11))]


def test_price_groups_pick_their_own_fee_else_the_general_one():
    fees = [
        {"unit": "hour", "price_fen": 40_000},
        {"unit": "hour", "price_fen": 10_000, "group": "own"},
        {"unit": "sample", "price_fen": 5_000},
    ]
    assert price_booking(fees, Decimal(2), None, "self", "own") == 20_000
    assert price_booking(fees, Decimal(2), None, "self", "academic") == 80_000
    assert price_booking(fees, Decimal(1), 3, "commissioned", "own") == 15_000
    assert price_group(booker_org_id=1, booker_kind="enterprise", owner_org_id=1) == "own"
    assert price_group(booker_org_id=2, booker_kind="institute", owner_org_id=1) == "academic"
    assert price_group(booker_org_id=2, booker_kind="hospital", owner_org_id=1) == "academic"
    assert price_group(booker_org_id=2, booker_kind="agency", owner_org_id=1) == "enterprise"


def test_cancellation_fee_applies_only_after_the_cut_off():
    assert cancellation_fee(price_fen=80_000, notice=timedelta(hours=24), free_hours=24, fee_percent=30) == 0
    assert (
        cancellation_fee(price_fen=80_000, notice=timedelta(hours=23.9), free_hours=24, fee_percent=30)
        == 24_000
    )
    assert cancellation_fee(price_fen=99, notice=timedelta(hours=1), free_hours=24, fee_percent=50) == 49
