"""Usage recording on 预约审批: the instrument's owner records the start, the end with its effective hours (有效机时),
or a no-show, for approved bookings; refusals are said in Chinese beside the booking and change nothing, and
another organisation cannot record anything."""

from typing import Any

import asyncpg
import pytest

from tests.factories import create_org, unique
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
    published_instrument,
    slot,
)

pytestmark = pytest.mark.integration


async def _approved_booking(api: Any, admin: str, supply: dict[str, Any], days: int, hour: int) -> int:
    ent = await create_org(api, admin, kind="enterprise", region="500107")
    buyer = await api.token(
        await make_user(api, admin, org_id=ent["id"], role="enterprise", name="企业用户"), PASSWORD
    )
    start, end = slot(days=days, start_hour=hour, hours=2)
    made = await api.json(
        "POST",
        "/api/v1/bookings",
        token=buyer,
        expect=201,
        json={
            "instrument_id": supply["instrument"]["id"],
            "start": f"{start}:00+08:00",
            "end": f"{end}:00+08:00",
            "mode": "self",
        },
    )
    await api.json("POST", f"/api/v1/bookings/{made['id']}/approve", token=supply["provider"])
    return int(made["id"])


async def _status(db: asyncpg.Connection, booking_id: int) -> tuple[str, Any]:
    row = await db.fetchrow("SELECT status, effective_hours FROM deals_booking WHERE id = $1", booking_id)
    return row["status"], row["effective_hours"]


async def test_the_owner_records_start_end_and_effective_hours_or_a_no_show(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given an approved two-hour booking in three days, and the owner signed in to 预约审批
    supply = await published_instrument(api, admin_token, name=unique("激光共聚焦显微镜"))
    booking_id = await _approved_booking(api, admin_token, supply, days=3, hour=9)
    owner = portal_factory()
    await owner.login(supply["provider_email"])
    page = await owner.page("/me/booking-approvals")
    assert f'action="/bookings/{booking_id}/start"' in page
    assert f'action="/bookings/{booking_id}/no-show"' in page

    # when another university's provider tries to record its start, then it is refused and nothing changes
    rival_org = await create_org(api, admin_token, kind="university")
    rival = portal_factory()
    await rival.login(
        await make_user(api, admin_token, org_id=rival_org["id"], role="provider", name="他校管理员")
    )
    refused = await rival.client.post(
        f"/bookings/{booking_id}/start", data={"csrf_token": await rival.token("/me/booking-approvals")}
    )
    assert refused.status_code in (403, 404)
    assert await _status(db, booking_id) == ("approved", None)

    # when the owner records the start days early, then the page says why beside the booking, nothing changes
    early = await owner.post(f"/bookings/{booking_id}/start", {}, expect=422)
    assert "最早可在预约时段开始前 1 小时记录开始使用" in early.text
    assert f'id="err-usage-{booking_id}"' in early.text
    assert await _status(db, booking_id) == ("approved", None)

    # when the slot is about to begin (moved to 50 minutes from now, instead of waiting), then the start is recorded
    await db.execute(
        "UPDATE deals_booking SET starts_at = now() + interval '50 minutes', "
        "ends_at = now() + interval '170 minutes' WHERE id = $1",
        booking_id,
    )
    started = await owner.post(f"/bookings/{booking_id}/start", {})
    assert started.headers["location"] == "/me/booking-approvals?notice=booking_started"
    assert (await _status(db, booking_id))[0] == "in_progress"
    in_use = await owner.page("/me/booking-approvals")
    assert f'action="/bookings/{booking_id}/finish"' in in_use

    # when the owner finishes with no number, or more hours than were booked, then each is refused in Chinese
    for hours, message in (("abc", "请填写有效机时"), ("2.5", "有效机时不能超过预约时长 2.00 小时")):
        wrong = await owner.post(f"/bookings/{booking_id}/finish", {"effective_hours": hours}, expect=422)
        assert message in wrong.text
        assert (await _status(db, booking_id))[0] == "in_progress"

    # when they finish with 1.5 effective hours, then the booking is completed with them, and the page shows it
    done = await owner.post(f"/bookings/{booking_id}/finish", {"effective_hours": "1.5"})
    assert done.headers["location"] == "/me/booking-approvals?notice=booking_finished"
    status, hours = await _status(db, booking_id)
    assert (status, str(hours)) == ("completed", "1.50")
    assert "有效机时 1.5 小时" in await owner.page("/me/booking-approvals")

    # and a second booking whose user never came is marked a no-show once its slot has begun, not before
    absent = await _approved_booking(api, admin_token, supply, days=4, hour=14)
    too_soon = await owner.post(f"/bookings/{absent}/no-show", {}, expect=422)
    assert "预约时段尚未开始" in too_soon.text
    await db.execute(
        "UPDATE deals_booking SET starts_at = now() - interval '30 minutes', "
        "ends_at = now() + interval '90 minutes' WHERE id = $1",
        absent,
    )
    marked = await owner.post(f"/bookings/{absent}/no-show", {})
    assert marked.headers["location"] == "/me/booking-approvals?notice=booking_no_show"
    assert (await _status(db, absent))[0] == "no_show"
