"""Opening hours, closures and taken slots as intervals (pure; times are aware datetimes)."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from services.core.clock import CHINA_TZ

Interval = tuple[datetime, datetime]


def _clock(text: str) -> timedelta:
    hours, minutes = text.split(":")
    return timedelta(hours=int(hours), minutes=int(minutes))


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals joined."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def opening_intervals(
    periods: Sequence[dict[str, Any]] | None, start: datetime, end: datetime
) -> list[Interval]:
    """The instrument's open time inside [start, end); no periods means open around the clock."""
    if periods is None:
        return [(start, end)] if end > start else []
    found: list[Interval] = []
    day = start.astimezone(CHINA_TZ).date() - timedelta(days=1)
    last = end.astimezone(CHINA_TZ).date()
    while day <= last:
        midnight = datetime.combine(day, time(0), tzinfo=CHINA_TZ)
        for period in periods:
            if int(period["weekday"]) != day.isoweekday():
                continue
            opens, closes = midnight + _clock(period["open"]), midnight + _clock(period["close"])
            if closes > start and opens < end:
                found.append((max(opens, start).astimezone(UTC), min(closes, end).astimezone(UTC)))
        day += timedelta(days=1)
    return merge(found)


def subtract(intervals: Sequence[Interval], blocks: Iterable[Interval]) -> list[Interval]:
    """The parts of `intervals` not covered by any block."""
    result = list(intervals)
    for block_start, block_end in merge(blocks):
        cut: list[Interval] = []
        for start, end in result:
            if block_end <= start or block_start >= end:
                cut.append((start, end))
                continue
            if start < block_start:
                cut.append((start, block_start))
            if block_end < end:
                cut.append((block_end, end))
        result = cut
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
