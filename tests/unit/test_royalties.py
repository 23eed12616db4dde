"""Royalty arithmetic and periods: integer fen, half up, calendar quarters and years."""

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from services.deals.royalties import period_end_of, royalty_due_fen
from services.deals.schemas import RoyaltyPeriod


def test_the_royalty_due_is_sales_times_rate_rounded_half_up_in_fen():
    rng = random.Random(8)
    for _ in range(5_000):
        sales, rate = rng.randrange(0, 10**13), rng.randrange(1, 10_001)
        exact = (Decimal(sales) * Decimal(rate) / Decimal(10_000)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        assert royalty_due_fen(sales_fen=sales, rate_bp=rate, minimum_fen=None) == int(exact)


def test_half_a_fen_rounds_up_and_less_rounds_down():
    # 5% of 1 234 570 fen is 61 728.5 fen; of 1 234 569 fen it is 61 728.45 fen
    assert royalty_due_fen(sales_fen=1_234_570, rate_bp=500, minimum_fen=None) == 61_729
    assert royalty_due_fen(sales_fen=1_234_569, rate_bp=500, minimum_fen=None) == 61_728


def test_the_minimum_per_period_applies_only_when_the_share_is_smaller():
    assert royalty_due_fen(sales_fen=0, rate_bp=500, minimum_fen=50_000) == 50_000
    assert royalty_due_fen(sales_fen=2_000_000, rate_bp=500, minimum_fen=50_000) == 100_000
    assert royalty_due_fen(sales_fen=0, rate_bp=500, minimum_fen=None) == 0


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 9, 30)),
        (date(2025, 10, 1), date(2025, 12, 31)),
        (date(2024, 1, 1), date(2024, 3, 31)),
    ],
)
def test_a_quarter_ends_on_its_last_calendar_day(start, end):
    assert period_end_of(start, RoyaltyPeriod.QUARTER) == end


def test_a_year_runs_from_january_first_to_december_thirty_first():
    assert period_end_of(date(2025, 1, 1), RoyaltyPeriod.YEAR) == date(2025, 12, 31)


def test_a_period_that_does_not_start_a_calendar_quarter_or_year_has_no_end():
    day = date(2025, 1, 1)
    while day.year == 2025:
        quarter_start = day.day == 1 and day.month in (1, 4, 7, 10)
        assert (period_end_of(day, RoyaltyPeriod.QUARTER) is not None) == quarter_start
        assert (period_end_of(day, RoyaltyPeriod.YEAR) is not None) == (day == date(2025, 1, 1))
        day += timedelta(days=1)
