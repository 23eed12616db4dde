"""Booking prices from an instrument's fee schedule and the booker's price group (pure)."""

import math
from datetime import timedelta
from decimal import Decimal
from typing import Any

from services.reference.vocabulary import OrgKind, PriceGroup

ACADEMIC_KINDS = frozenset({OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.HOSPITAL})


def price_group(*, booker_org_id: int, booker_kind: str, owner_org_id: int) -> str:
    """校内 (own institution), 校外 (other universities, institutes, hospitals) or 企业 (everyone else)."""
    if booker_org_id == owner_org_id:
        return PriceGroup.OWN
    return PriceGroup.ACADEMIC if booker_kind in ACADEMIC_KINDS else PriceGroup.ENTERPRISE


def fees_for_group(fees: list[dict[str, Any]], group: str | None) -> dict[str, int]:
    """Price per unit for a group: the group's own fee where it has one, else the general fee."""
    general = {f["unit"]: int(f["price_fen"]) for f in fees if not f.get("group")}
    own = {f["unit"]: int(f["price_fen"]) for f in fees if group and f.get("group") == group}
    return general | own


def price_booking(
    fees: list[dict[str, Any]], hours: Decimal, samples: int | None, mode: str, group: str | None = None
) -> int:
    """Price of a booking from the instrument's fee schedule, in fen (hours rounded up)."""
    by_unit = fees_for_group(fees, group)
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


def cancellation_fee(*, price_fen: int, notice: timedelta, free_hours: int, fee_percent: int) -> int:
    """Free with at least `free_hours` of notice before the start, then `fee_percent` of the price (floored fen)."""
    if notice >= timedelta(hours=free_hours):
        return 0
    return price_fen * fee_percent // 100
