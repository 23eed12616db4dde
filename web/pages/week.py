"""The booking form's week calendar: the instrument's free time cut into bookable slots per day (pure)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from services.core.clock import CHINA_TZ

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
# Slots are offered inside the working day even when an instrument is open around the clock.
DAY_FROM = time(8, 0)
DAY_TO = time(20, 0)
SLOTS_PER_DAY = 6


@dataclass(frozen=True)
class Slot:
    start: str  # datetime-local values in Beijing time, as the form's inputs take them
    end: str
    label: str


@dataclass
class Day:
    day: date
    label: str
    slots: list[Slot] = field(default_factory=list)
    past: bool = False  # the whole working day lies inside the notice period


def week_start(day: date) -> date:
    """The Monday of the week a day falls in."""
    return day - timedelta(days=day.weekday())


def slot_hours(max_hours: float | None) -> float:
    """How long an offered slot is: two hours, or the instrument's longest booking if shorter."""
    return min(2.0, float(max_hours)) if max_hours else 2.0


def week_days(
    *, monday: date, free: list[tuple[datetime, datetime]], earliest: datetime, hours: float
) -> list[Day]:
    """Seven days from a Monday, each with the slots (of `hours`) that lie wholly in free time after `earliest`."""
    length = timedelta(hours=hours)
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        entry = Day(day=day, label=f"{WEEKDAYS[day.weekday()]} {day.month}/{day.day}")
        start = datetime.combine(day, DAY_FROM, tzinfo=CHINA_TZ)
        close = datetime.combine(day, DAY_TO, tzinfo=CHINA_TZ)
        entry.past = close <= earliest
        while start + length <= close and len(entry.slots) < SLOTS_PER_DAY:
            end = start + length
            if start >= earliest and any(s <= start and end <= e for s, e in free):
                entry.slots.append(
                    Slot(
                        start=start.strftime("%Y-%m-%dT%H:%M"),
                        end=end.strftime("%Y-%m-%dT%H:%M"),
                        label=f"{start:%H:%M}–{end:%H:%M}",
                    )
                )
            start = end
        days.append(entry)
    return days


def first_slot(days: list[Day]) -> Slot | None:
    """The earliest slot of the week, the form's suggestion."""
    return next((slot for day in days for slot in day.slots), None)
