"""Opening hours, closures and taken slots as intervals (pure; times are aware datetimes)."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

Interval = tuple[datetime, datetime]
# Beijing time has had no daylight saving since 1991: a fixed offset is exact and much cheaper than a zone.
BEIJING = timezone(timedelta(hours=8))


def _clock(text: str) -> timedelta:
    hours, minutes = text.split(":")
    return timedelta(hours=int(hours), minutes=int(minutes))


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals joined."""
    items = list(intervals)
    # Bookings and opening hours usually arrive sorted already: sort only when they are not.
    if any(items[i][0] < items[i - 1][0] for i in range(1, len(items))):
        items.sort()
    merged: list[Interval] = []
    for start, end in items:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def opening_intervals(
    periods: Sequence[dict[str, Any]] | None, start: datetime, end: datetime
) -> list[Interval]:
    """The instrument's open time inside [start, end) in UTC; no periods means open around the clock."""
    if periods is None:
        return [(start, end)] if end > start else []
    by_weekday: dict[int, list[tuple[timedelta, timedelta]]] = {}
    for period in periods:
        by_weekday.setdefault(int(period["weekday"]), []).append(
            (_clock(period["open"]), _clock(period["close"]))
        )
    found: list[Interval] = []
    day = start.astimezone(BEIJING).date() - timedelta(days=1)
    last = end.astimezone(BEIJING).date()
    while day <= last:
        hours = by_weekday.get(day.isoweekday())
        if hours:
            midnight = datetime.combine(day, time(0), tzinfo=BEIJING).astimezone(UTC)
            for opens_after, closes_after in hours:
                opens, closes = midnight + opens_after, midnight + closes_after
                if closes > start and opens < end:
                    found.append((max(opens, start), min(closes, end)))
        day += timedelta(days=1)
    return merge(found)


def subtract(intervals: Sequence[Interval], blocks: Iterable[Interval]) -> list[Interval]:
    """The parts of `intervals` (sorted, disjoint) not covered by any block, in one sweep over both."""
    merged = merge(blocks)
    result: list[Interval] = []
    first = 0
    for start, end in intervals:
        while first < len(merged) and merged[first][1] <= start:
            first += 1
        cursor = start
        index = first
        while index < len(merged) and merged[index][0] < end:
            block_start, block_end = merged[index]
            if block_start > cursor:
                result.append((cursor, block_start))
            cursor = max(cursor, block_end)
            index += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def outside_field(
    periods: Sequence[dict[str, Any]] | None, start: datetime, end: datetime, *, long_runs: bool
) -> str | None:
    """Which end of a booking falls outside opening hours ("start" or "end"), or None when it fits.

    A normal booking lies inside one opening stretch; a long run only starts and ends in opening hours.
    """
    if periods is None:
        return None
    margin = timedelta(days=1)
    stretches = opening_intervals(periods, start - margin, end + margin)
    holding_start = next((s for s in stretches if s[0] <= start < s[1]), None)
    if holding_start is None:
        return "start"
    if long_runs:
        return None if any(s[0] < end <= s[1] for s in stretches) else "end"
    return None if end <= holding_start[1] else "end"
