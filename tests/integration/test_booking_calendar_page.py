"""The booking calendar beside an instrument's form: when this week has no bookable slot left (its notice period
runs past Sunday's working day), the page opens on the next week that has one; asked for this week, it says so."""

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.core.clock import CHINA_TZ
from tests.factories import unique
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    portal_factory,
    published_instrument,
    signed_in_enterprise,
)

pytestmark = pytest.mark.integration

WEEK_LABEL = re.compile(r"可预约时段 · (\d+)月(\d+)日")
SLOT = re.compile(r'<a class="slot[^"]*" href="\?week=(\d{4}-\d{2}-\d{2})&amp;start=([0-9T:-]+)')


async def test_a_week_without_free_slots_opens_on_the_next_week_that_has_them(
    api: Any,
    admin_token: str,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given an instrument whose notice period ends after this week's last working day (Sunday 20:00 Beijing)
    now = datetime.now(CHINA_TZ)
    monday = now.date() - timedelta(days=now.weekday())
    sunday_close = datetime.combine(monday + timedelta(days=6), datetime.min.time(), tzinfo=CHINA_TZ).replace(
        hour=20
    )
    notice = int((sunday_close - now).total_seconds() // 3600) + 2
    booking = {"min_notice_hours": notice, "max_hours": 8, "needs_training": False}
    supply = await published_instrument(
        api, admin_token, name=unique("场发射扫描电子显微镜"), booking=booking
    )
    instrument_id = supply["instrument"]["id"]
    buyer = portal_factory()
    await signed_in_enterprise(api, admin_token, buyer)

    # when the buyer opens its page, then the calendar shows next week, with slots, and a way back
    page = await buyer.page(f"/listings/instrument/{instrument_id}")
    next_monday = monday + timedelta(weeks=1)
    assert WEEK_LABEL.search(page).groups() == (str(next_monday.month), str(next_monday.day))  # type: ignore[union-attr]
    slots = SLOT.findall(page)
    assert slots, "the opened week offers no slot"
    assert all(
        next_monday.isoformat() <= day < (next_monday + timedelta(weeks=1)).isoformat() for day, _ in slots
    )
    assert f'href="?week={monday.isoformat()}#booking"' in page  # 上一周
    # and the form starts on the first of them
    assert f'value="{slots[0][1]}"' in page

    # when they ask for this week, then it is shown, with no slot, each day past or full
    this_week = await buyer.page(f"/listings/instrument/{instrument_id}?week={monday.isoformat()}")
    assert WEEK_LABEL.search(this_week).groups() == (str(monday.month), str(monday.day))  # type: ignore[union-attr]
    assert not SLOT.findall(this_week)
    assert "已过预约期" in this_week
