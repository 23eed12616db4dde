"""One Jinja2 environment for the portal, with filters and label tables registered once."""

from datetime import date, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from services.core.clock import CHINA_TZ
from services.core.money import format_wan, format_yuan
from services.reference.fields import field_label
from services.reference.maturity import TRL_LEVELS
from services.reference.regions import region_name
from services.reference.vocabulary import (
    AGENCY_TYPE_LABELS,
    BOOKING_STATUS_LABELS,
    CONTRACT_STATUS_LABELS,
    CONTRACT_TYPE_LABELS,
    DEMAND_KIND_LABELS,
    EXPERT_SERVICE_LABELS,
    FEE_UNIT_LABELS,
    INSTRUMENT_AVAILABILITY_LABELS,
    IP_KIND_LABELS,
    LISTING_STATUS_LABELS,
    LISTING_TYPE_LABELS,
    MATCH_STATUS_LABELS,
    MATURITY_LABELS,
    ORG_KIND_LABELS,
    PRICE_MODE_LABELS,
    SERVICE_MODE_LABELS,
    TRANSFER_MODE_LABELS,
)

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

REASON_LABELS = {
    "keywords": "内容相关",
    "field": "技术领域",
    "kind": "供给类型",
    "budget": "预算匹配",
    "maturity": "成熟度",
    "region": "地域相近",
    "track_record": "成交记录",
    "availability": "仪器可用",
}


def _beijing_time(value: datetime | str | None) -> str:
    """An instant as Beijing wall-clock time, 'YYYY-MM-DD HH:MM'."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _day(value: date | datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).date().isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


templates.env.filters["yuan"] = format_yuan
templates.env.filters["wan"] = format_wan
templates.env.filters["field_label"] = field_label
templates.env.filters["region_name"] = lambda code: region_name(code) or code if code else ""
templates.env.filters["beijing_time"] = _beijing_time
templates.env.filters["day"] = _day
templates.env.globals.update(
    TYPE_LABELS=dict(LISTING_TYPE_LABELS),
    MATURITY_LABELS=dict(MATURITY_LABELS),
    TRL_LABELS=dict(TRL_LEVELS),
    STATUS_LABELS=dict(LISTING_STATUS_LABELS),
    IP_KIND_LABELS=dict(IP_KIND_LABELS),
    TRANSFER_MODE_LABELS=dict(TRANSFER_MODE_LABELS),
    PRICE_MODE_LABELS=dict(PRICE_MODE_LABELS),
    AGENCY_TYPE_LABELS=dict(AGENCY_TYPE_LABELS),
    EXPERT_SERVICE_LABELS=dict(EXPERT_SERVICE_LABELS),
    SERVICE_MODE_LABELS=dict(SERVICE_MODE_LABELS),
    FEE_UNIT_LABELS=dict(FEE_UNIT_LABELS),
    AVAILABILITY_LABELS=dict(INSTRUMENT_AVAILABILITY_LABELS),
    DEMAND_KIND_LABELS=dict(DEMAND_KIND_LABELS),
    CONTRACT_TYPE_LABELS=dict(CONTRACT_TYPE_LABELS),
    ORG_KIND_LABELS=dict(ORG_KIND_LABELS),
    BOOKING_STATUS_LABELS=dict(BOOKING_STATUS_LABELS),
    MATCH_STATUS_LABELS=dict(MATCH_STATUS_LABELS),
    CONTRACT_STATUS_LABELS=dict(CONTRACT_STATUS_LABELS),
    REASON_LABELS=REASON_LABELS,
)
