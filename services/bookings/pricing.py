"""Booking prices from an instrument's fee schedule (pure)."""

import math
from decimal import Decimal
from typing import Any


def price_booking(fees: list[dict[str, Any]], hours: Decimal, samples: int | None, mode: str) -> int:
    """Price of a booking from the instrument's fee schedule, in fen (hours rounded up)."""
    by_unit = {f["unit"]: int(f["price_fen"]) for f in fees}
    if mode == "commissioned" and samples and "sample" in by_unit:
        return by_unit["sample"] * samples
    # Started hours bill in full (Decimal's // truncates toward zero, so ceil explicitly).
    whole_hours = math.ceil(hours)
    if "hour" in by_unit:
        return by_unit["hour"] * whole_hours
    if "day" in by_unit:
        return by_unit["day"] * int(-(-whole_hours // 24))
    if "sample" in by_unit:
        return by_unit["sample"] * (samples or 1)
    return 0
