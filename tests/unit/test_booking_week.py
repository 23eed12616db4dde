"""The booking form's week calendar (web/pages/week.py): free time cut into slots, nothing outside it."""

from datetime import UTC, date, datetime, timedelta

from services.core.clock import CHINA_TZ
from web.pages.week import first_slot, slot_hours, week_days, week_start

MONDAY = date(2026, 12, 7)


def beijing(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=CHINA_TZ)


def test_the_week_starts_on_monday():
    assert week_start(date(2026, 12, 10)) == MONDAY
    assert week_start(MONDAY) == MONDAY
    assert week_start(date(2026, 12, 13)) == MONDAY


def test_slots_are_two_hours_or_the_longest_booking_allowed():
    assert slot_hours(None) == 2.0
    assert slot_hours(8) == 2.0
    assert slot_hours(1) == 1.0


def test_only_slots_wholly_inside_free_time_after_the_notice_are_offered():
    # free: Monday 09:00–13:30 and Wednesday all day (as UTC intervals, the way the availability API gives them)
    free = [
        (beijing(7, 9).astimezone(UTC), beijing(7, 13, 30).astimezone(UTC)),
        (beijing(9, 0).astimezone(UTC), beijing(10, 0).astimezone(UTC)),
    ]
    days = week_days(monday=MONDAY, free=free, earliest=beijing(7, 9), hours=2.0)
    assert [d.label for d in days][:3] == ["周一 12/7", "周二 12/8", "周三 12/9"]
    # Monday: 08:00 is before the free time; 12:00–14:00 runs past 13:30
    assert [s.label for s in days[0].slots] == ["10:00–12:00"]
    assert days[1].slots == []
    # Wednesday: the working day 08:00–20:00, six two-hour slots
    assert [s.label for s in days[2].slots] == [
        "08:00–10:00",
        "10:00–12:00",
        "12:00–14:00",
        "14:00–16:00",
        "16:00–18:00",
        "18:00–20:00",
    ]
    assert first_slot(days) is not None
    assert (first_slot(days).start, first_slot(days).end) == ("2026-12-07T10:00", "2026-12-07T12:00")


def test_a_booked_week_offers_nothing_and_no_suggestion():
    days = week_days(monday=MONDAY, free=[], earliest=beijing(7, 0), hours=2.0)
    assert all(d.slots == [] for d in days)
    assert first_slot(days) is None


def test_the_notice_period_hides_slots_that_start_too_soon():
    free = [(beijing(7, 0).astimezone(UTC), (beijing(7, 0) + timedelta(days=7)).astimezone(UTC))]
    days = week_days(monday=MONDAY, free=free, earliest=beijing(10, 13), hours=2.0)
    assert all(d.slots == [] and d.past for d in days[:3])
    assert not days[3].past
    assert days[3].slots[0].label == "14:00–16:00"
