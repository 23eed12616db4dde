"""The one place that reads the wall clock, so tests and rules agree on time zones."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def today_in_china() -> str:
    """Today's date in Beijing time as ISO text."""
    return datetime.now(CHINA_TZ).date().isoformat()
