"""Booking rules a core facility would accept: calendar, training, price groups, verified bookers, life-cycle."""

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.core.clock import CHINA_TZ
from tests.factories import create_listing, create_org, create_user, publish_listing
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Processes
from tests.integration.invariants import assert_problem, nothing_saved

pytestmark = pytest.mark.integration

WEEKDAYS_9_TO_17 = [{"weekday": d, "open": "09:00", "close": "17:00"} for d in range(1, 6)]


@dataclass
class Facility:
    api: Api
    admin: str
    lab: dict[str, Any]  # the instrument's owner (a university)
    owner: str
    ent: dict[str, Any]
    booker: str
    booker_id: int
    other_uni: dict[str, Any]
    academic: str
    own_member: str
    rival: str  # a provider of another university: the attacker


@pytest.fixture(scope="module")
async def fac(stack: Processes) -> Any:
    async with httpx.AsyncClient(base_url=stack.base, timeout=120) as client:
        api = Api(client)
        admin = await api.token(ADMIN_EMAIL, ADMIN_PASSWORD)
        lab = await create_org(api, admin, kind="university", region="500106")
        ent = await create_org(api, admin, kind="enterprise", region="500107")
        other_uni = await create_org(api, admin, kind="institute", region="500106")
        rival_org = await create_org(api, admin, kind="university", region="500106")
        _, owner = await create_user(api, admin, org_id=lab["id"], role="provider")
        _, own_member = await create_user(api, admin, org_id=lab["id"], role="provider")
        booker_id, booker = await create_user(api, admin, org_id=ent["id"], role="enterprise")
        _, academic = await create_user(api, admin, org_id=other_uni["id"], role="provider")
        _, rival = await create_user(api, admin, org_id=rival_org["id"], role="provider")
        yield Facility(api, admin, lab, owner, ent, booker, booker_id, other_uni, academic, own_member, rival)


async def instrument(fac: Facility, **booking: Any) -> int:
    rules = {"min_notice_hours": 1, "max_hours": 8, "needs_training": False, **booking}
    made = await create_listing(
        fac.api,
        fac.owner,
        "instrument",
        booking=rules,
        fees=[
            {"unit": "hour", "price_fen": 40_000},
            {"unit": "hour", "price_fen": 10_000, "group": "own"},
            {"unit": "hour", "price_fen": 20_000, "group": "academic"},
        ],
    )
    await publish_listing(fac.api, fac.owner, fac.admin, "instrument", made["id"])
    return int(made["id"])


def ahead(days: int, hour: int = 10, hours: int = 2) -> tuple[datetime, datetime]:
    """A slot `days` ahead at a Beijing hour."""
    day = (datetime.now(CHINA_TZ) + timedelta(days=days)).date()
    start = datetime(day.year, day.month, day.day, hour, tzinfo=CHINA_TZ)
    return start, start + timedelta(hours=hours)


def next_weekday(iso_weekday: int, hour: int, minute: int = 0) -> datetime:
    """The next given weekday (at least two days ahead) at a Beijing wall-clock time."""
    day = (datetime.now(CHINA_TZ) + timedelta(days=2)).date()
    while day.isoweekday() != iso_weekday:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA_TZ)


async def book(
    fac: Facility,
    token: str,
    instrument_id: int,
    start: datetime,
    end: datetime,
    mode: str = "self",
    expect=201,
) -> httpx.Response:
    return await fac.api.call(
        "POST",
        "/api/v1/bookings",
        token=token,
        expect=expect,
        json={
            "instrument_id": instrument_id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "mode": mode,
            "note": "样品含钴，需通风",
        },
    )


# --- who may book, at which price --------------------------------------------------------------------------


async def test_untrained_self_booking_is_403_until_the_owner_grants_training(fac, db):
    # given an instrument that needs training
    inst = await instrument(fac, needs_training=True)
    start, end = ahead(3)

    # when an untrained enterprise books self-operated time, then 403 and nothing is saved
    async with nothing_saved(db):
        refused = await book(fac, fac.booker, inst, start, end, expect=403)
    assert refused.json()["code"] == "training_required"
    # and a commissioned booking (the lab operates) needs no training
    await book(fac, fac.booker, inst, *ahead(4), mode="commissioned")

    # when another university's provider tries to grant the training, then 403 and no record
    grant = {"user_id": fac.booker_id, "expires_at": (datetime.now(UTC) + timedelta(days=180)).isoformat()}
    async with nothing_saved(db):
        forged = await fac.api.call(
            "POST", f"/api/v1/instruments/{inst}/trainings", token=fac.rival, json=grant, expect=403
        )
    assert_problem(forged, 403)
    # nor may the booker grant it to themselves
    await fac.api.call(
        "POST", f"/api/v1/instruments/{inst}/trainings", token=fac.booker, json=grant, expect=403
    )

    # when the owner grants it, then self-operated booking works
    record = await fac.api.json(
        "POST", f"/api/v1/instruments/{inst}/trainings", token=fac.owner, json=grant, expect=201
    )
    assert record["valid"] is True
    assert record["user_id"] == fac.booker_id
    await book(fac, fac.booker, inst, start, end)

    # when the owner revokes it, then the next self-operated booking is refused again
    revoked = await fac.api.json(
        "POST", f"/api/v1/instruments/{inst}/trainings/{record['id']}/revoke", token=fac.owner
    )
    assert revoked["valid"] is False
    assert (await book(fac, fac.booker, inst, *ahead(5), expect=403)).json()["code"] == "training_required"
    # and the rival cannot even read the instrument's training records
    await fac.api.call("GET", f"/api/v1/instruments/{inst}/trainings", token=fac.rival, expect=403)


async def test_expired_training_does_not_count(fac, db):
    inst = await instrument(fac, needs_training=True)
    grant = {"user_id": fac.booker_id, "expires_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()}
    await fac.api.json(
        "POST", f"/api/v1/instruments/{inst}/trainings", token=fac.owner, json=grant, expect=201
    )
    # valid on day 1, expired by day 3
    await book(fac, fac.booker, inst, *ahead(1, hour=12))
    assert (await book(fac, fac.booker, inst, *ahead(3), expect=403)).json()["code"] == "training_required"
    # an expiry in the past is refused, naming the field
    past = {"user_id": fac.booker_id, "expires_at": "2020-01-01T00:00:00+08:00"}
    response = await fac.api.call("POST", f"/api/v1/instruments/{inst}/trainings", token=fac.owner, json=past)
    assert_problem(response, 422, ("body", "expires_at"))


async def test_price_group_is_applied_and_frozen_at_booking(fac, db):
    # given 400 元/h in general, 100 元/h for the own institution, 200 元/h for other universities/institutes
    inst = await instrument(fac)

    own = (await book(fac, fac.own_member, inst, *ahead(3, hours=2))).json()
    academic = (await book(fac, fac.academic, inst, *ahead(4, hours=2))).json()
    enterprise = (await book(fac, fac.booker, inst, *ahead(5, hours=2))).json()

    assert (own["price_group"], own["price_fen"]) == ("own", 20_000)
    assert (academic["price_group"], academic["price_fen"]) == ("academic", 40_000)
    assert (enterprise["price_group"], enterprise["price_fen"]) == ("enterprise", 80_000)

    # when the owner raises the fees later, then existing bookings keep their price
    await fac.api.json(
        "PATCH",
        f"/api/v1/instruments/{inst}",
        token=fac.owner,
        json={"fees": [{"unit": "hour", "price_fen": 90_000}]},
    )
    again = await fac.api.json("GET", f"/api/v1/bookings/{enterprise['id']}", token=fac.booker)
    assert again["price_fen"] == 80_000
    assert await db.fetchval("SELECT price_fen FROM deals_booking WHERE id = $1", own["id"]) == 20_000


async def test_unverified_organisation_cannot_book(fac, db):
    # given a self-registered enterprise (its organisation is not verified by an admin)
    body = {
        "email": f"selfreg{time.time_ns()}@suite.example.cn",
        "password": "Register-Pass-2026!",
        "name": "自注册用户",
        "role": "enterprise",
        "org": {
            "name": f"自注册企业{time.time_ns()}",
            "uscc": _uscc(),
            "kind": "enterprise",
            "region": "500107",
        },
    }
    await fac.api.json("POST", "/api/v1/auth/register", json=body, expect=201)
    token = await fac.api.token(body["email"], body["password"])
    inst = await instrument(fac)

    # when it books, then 403 and nothing is saved
    async with nothing_saved(db):
        refused = await book(fac, token, inst, *ahead(3), mode="commissioned", expect=403)
    assert refused.json()["code"] == "org_not_verified"


def _uscc() -> str:
    from tests.factories import valid_uscc

    return valid_uscc()


# --- the calendar ----------------------------------------------------------------------------------------


async def test_bookings_outside_hours_in_the_past_or_too_far_ahead_are_422_naming_the_field(fac, db):
    inst = await instrument(fac, opening_hours=WEEKDAYS_9_TO_17, max_hours=48)
    sunday = next_weekday(7, 2)
    monday = next_weekday(1, 9)
    cases = [
        ("sunday-02:00", sunday, sunday + timedelta(hours=2), "start"),
        ("runs-past-closing", monday + timedelta(hours=6), monday + timedelta(hours=9), "end"),
        (
            "in-the-past",
            datetime.now(UTC) - timedelta(days=1),
            datetime.now(UTC) - timedelta(hours=22),
            "start",
        ),
        (
            "year-9999",
            datetime(9999, 1, 4, 10, tzinfo=CHINA_TZ),
            datetime(9999, 1, 4, 12, tzinfo=CHINA_TZ),
            "start",
        ),
        ("over-a-year", monday + timedelta(days=371), monday + timedelta(days=371, hours=2), "start"),
    ]
    for name, start, end, field in cases:
        async with nothing_saved(db):
            response = await book(fac, fac.booker, inst, start, end, mode="commissioned", expect=None)
        body = assert_problem(response, 422, ("body", field))
        assert body["status"] == 422, name
    # and inside the hours it is fine
    await book(fac, fac.booker, inst, monday, monday + timedelta(hours=2), mode="commissioned")


async def test_long_runs_may_last_weeks_where_the_instrument_allows_them(fac, db):
    # given a battery-cycling station that allows unattended runs of up to 90 days
    inst = await instrument(fac, opening_hours=WEEKDAYS_9_TO_17, long_runs=True, max_hours=24 * 90)
    monday = next_weekday(1, 10)

    # when a six-week run starts and ends in opening hours, then it is booked
    run = await book(fac, fac.booker, inst, monday, monday + timedelta(weeks=6), mode="commissioned")
    assert run.json()["status"] == "pending"
    # but one longer than the instrument's 90 days is refused naming `end`
    later = monday + timedelta(weeks=8)
    response = await book(
        fac, fac.booker, inst, later, later + timedelta(days=91), mode="commissioned", expect=None
    )
    assert_problem(response, 422, ("body", "end"))
    # and the listing itself cannot allow more than 90 days
    too_long = await fac.api.call(
        "PATCH",
        f"/api/v1/instruments/{inst}",
        token=fac.owner,
        json={"booking": {"max_hours": 24 * 90 + 1}},
    )
    assert_problem(too_long, 422, ("booking", "max_hours"))


async def test_closures_block_bookings_and_only_the_owner_sets_them(fac, db):
    inst = await instrument(fac)
    start, end = ahead(6, hour=8, hours=10)
    closure = {"start": start.isoformat(), "end": end.isoformat(), "kind": "maintenance", "note": "年度校准"}

    # the rival cannot close someone else's instrument
    async with nothing_saved(db):
        await fac.api.call(
            "POST", f"/api/v1/instruments/{inst}/closures", token=fac.rival, json=closure, expect=403
        )
    made = await fac.api.json(
        "POST", f"/api/v1/instruments/{inst}/closures", token=fac.owner, json=closure, expect=201
    )

    # a booking inside the maintenance window is refused naming `start`
    async with nothing_saved(db):
        response = await book(fac, fac.booker, inst, *ahead(6, hour=10), mode="commissioned", expect=None)
    assert_problem(response, 422, ("body", "start"))
    listed = await fac.api.json("GET", f"/api/v1/instruments/{inst}/closures")
    assert [c["id"] for c in listed] == [made["id"]]

    # the rival cannot remove it either; the owner can, and then the slot is bookable
    await fac.api.call(
        "DELETE", f"/api/v1/instruments/{inst}/closures/{made['id']}", token=fac.rival, expect=403
    )
    await fac.api.call(
        "DELETE", f"/api/v1/instruments/{inst}/closures/{made['id']}", token=fac.owner, expect=204
    )
    await book(fac, fac.booker, inst, *ahead(6, hour=10), mode="commissioned")


async def test_availability_shows_free_and_taken_time_without_who_booked(fac, db):
    # given weekday hours, a closure on the first Tuesday and the enterprise's booking on Monday 10–12
    inst = await instrument(fac, opening_hours=WEEKDAYS_9_TO_17)
    monday = next_weekday(1, 9)
    tuesday = monday + timedelta(days=1)
    await fac.api.json(
        "POST",
        f"/api/v1/instruments/{inst}/closures",
        token=fac.owner,
        expect=201,
        json={
            "start": tuesday.isoformat(),
            "end": (tuesday + timedelta(days=1)).isoformat(),
            "kind": "holiday",
        },
    )
    booked = (
        await book(
            fac,
            fac.booker,
            inst,
            monday + timedelta(hours=1),
            monday + timedelta(hours=3),
            mode="commissioned",
        )
    ).json()

    # when another organisation (or anyone) asks for Monday–Wednesday
    window = {
        "from": monday.replace(hour=0).isoformat(),
        "to": (monday + timedelta(days=2, hours=15)).isoformat(),
    }
    seen = await fac.api.json(
        "GET", f"/api/v1/instruments/{inst}/availability", token=fac.academic, params=window
    )
    anonymous = await fac.api.json("GET", f"/api/v1/instruments/{inst}/availability", params=window)

    # then Monday's taken slot is shown with its times and status only
    assert seen == anonymous
    assert [(_at(t["start"]), _at(t["end"]), t["status"]) for t in seen["taken"]] == [
        (monday + timedelta(hours=1), monday + timedelta(hours=3), "pending")
    ]
    assert all(set(t) == {"start", "end", "status"} for t in seen["taken"])
    keys = _keys(seen)
    assert not keys & {"org_id", "user_id", "note", "name", "email", "booking_id", "id"}, keys
    assert fac.ent["name"] not in str(seen)
    assert booked["note"] not in str(seen)
    # free time is Monday 09–10 and 12–17, nothing on the closed Tuesday, Wednesday 09–17
    assert [(_at(f["start"]), _at(f["end"])) for f in seen["free"]] == [
        (monday, monday + timedelta(hours=1)),
        (monday + timedelta(hours=3), monday + timedelta(hours=8)),
        (monday + timedelta(days=2), monday + timedelta(days=2, hours=8)),
    ]
    assert [c["kind"] for c in seen["closures"]] == ["holiday"]

    # and a window longer than 92 days, or upside down, is a 422 naming the parameter
    long = {"from": window["from"], "to": (monday + timedelta(days=100)).isoformat()}
    assert_problem(
        await fac.api.call("GET", f"/api/v1/instruments/{inst}/availability", params=long), 422, ("to",)
    )
    upside = {"from": window["to"], "to": window["from"]}
    assert_problem(
        await fac.api.call("GET", f"/api/v1/instruments/{inst}/availability", params=upside), 422, ("to",)
    )


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- the life-cycle --------------------------------------------------------------------------------------


async def test_an_unanswered_request_expires_and_frees_the_slot(fac, db, stack):
    inst = await instrument(fac, response_hours=4)
    start, end = ahead(3)
    first = (await book(fac, fac.booker, inst, start, end, mode="commissioned")).json()
    assert _at(first["expires_at"]) <= datetime.now(UTC) + timedelta(hours=4, seconds=5)
    # while the window is open the slot is taken
    await book(fac, fac.academic, inst, start, end, mode="commissioned", expect=409)

    # when the owner's response window passes (moved into the past here, instead of waiting four hours)
    await db.execute(
        "UPDATE deals_booking SET expires_at = now() - interval '1 minute' WHERE id = $1", first["id"]
    )

    # then the worker's sweep marks it expired
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if await db.fetchval("SELECT status FROM deals_booking WHERE id = $1", first["id"]) == "expired":
            break
        await asyncio.sleep(0.2)
    assert await db.fetchval("SELECT status FROM deals_booking WHERE id = $1", first["id"]) == "expired"
    # and the booker is told, by a notification written with the change, which is in the outbox
    await _assert_told_of_expiry(db, fac.booker_id, first["id"])
    # and the owner can no longer approve it
    late = await fac.api.call("POST", f"/api/v1/bookings/{first['id']}/approve", token=fac.owner, expect=409)
    assert late.json()["code"] == "invalid_transition"
    # and the slot is free again
    free = await fac.api.json(
        "GET",
        f"/api/v1/instruments/{inst}/availability",
        params={"from": start.isoformat(), "to": end.isoformat()},
    )
    assert free["taken"] == []
    await book(fac, fac.academic, inst, start, end, mode="commissioned")


async def test_a_lapsed_request_frees_the_slot_even_before_the_sweep(fac, db, stack):
    inst = await instrument(fac)
    start, end = ahead(3, hour=14)
    first = (await book(fac, fac.booker, inst, start, end, mode="commissioned")).json()
    stack.stop_worker()
    try:
        await db.execute(
            "UPDATE deals_booking SET expires_at = now() - interval '1 minute' WHERE id = $1", first["id"]
        )
        assert await db.fetchval("SELECT status FROM deals_booking WHERE id = $1", first["id"]) == "pending"
        second = (await book(fac, fac.academic, inst, start, end, mode="commissioned")).json()
    finally:
        stack.start_worker()
    assert second["status"] == "pending"
    assert await db.fetchval("SELECT status FROM deals_booking WHERE id = $1", first["id"]) == "expired"
    # expired on this path too through the table's `expire` action: the booker is told all the same
    await _assert_told_of_expiry(db, fac.booker_id, first["id"])


async def _assert_told_of_expiry(db, booker_id, booking_id):
    titles = [
        r["title"]
        for r in await db.fetch(
            "SELECT title FROM notifications_notification WHERE user_id = $1 AND kind = 'booking_decided'",
            booker_id,
        )
    ]
    assert [t for t in titles if f"#{booking_id} " in t and "过期" in t], titles
    changes = await db.fetch(
        "SELECT payload->>'action' AS action, payload->>'status' AS status FROM core_outbox "
        "WHERE topic = 'booking.changed' AND aggregate_id = $1",
        booking_id,
    )
    assert [(c["action"], c["status"]) for c in changes] == [("expire", "expired")]


async def test_cancellation_is_free_before_the_cut_off_and_costs_the_fee_after(fac, db):
    # given free cancellation until 24 h before the start, then 30 %
    inst = await instrument(fac, cancel_free_hours=24, cancel_fee_percent=30)
    early = (await book(fac, fac.booker, inst, *ahead(5, hours=2), mode="commissioned")).json()
    soon_start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    soon = (
        await book(fac, fac.booker, inst, soon_start, soon_start + timedelta(hours=2), mode="commissioned")
    ).json()
    for booking in (early, soon):
        await fac.api.json("POST", f"/api/v1/bookings/{booking['id']}/approve", token=fac.owner)

    # the owner's organisation and a stranger cannot cancel the enterprise's booking
    assert (
        await fac.api.call("POST", f"/api/v1/bookings/{early['id']}/cancel", token=fac.owner, expect=403)
    ).json()["code"] == "not_the_booker"
    await fac.api.call("POST", f"/api/v1/bookings/{early['id']}/cancel", token=fac.rival, expect=404)

    # when the booker cancels five days ahead, then it is free
    cancelled = await fac.api.json("POST", f"/api/v1/bookings/{early['id']}/cancel", token=fac.booker)
    assert (cancelled["status"], cancelled["cancel_fee_fen"]) == ("cancelled", 0)
    # when the booker cancels three hours ahead, then 30 % of the frozen 800 元 price is charged
    late = await fac.api.json("POST", f"/api/v1/bookings/{soon['id']}/cancel", token=fac.booker)
    assert (late["status"], late["price_fen"], late["cancel_fee_fen"]) == ("cancelled", 80_000, 24_000)
    assert await db.fetchval("SELECT cancel_fee_fen FROM deals_booking WHERE id = $1", soon["id"]) == 24_000
    # and a cancelled booking cannot be cancelled twice
    await fac.api.call("POST", f"/api/v1/bookings/{soon['id']}/cancel", token=fac.booker, expect=409)

    # the fee is charged: one balanced ledger group, the booker owes it and the owner is owed it
    rows = await db.fetch(
        "SELECT account, amount_fen FROM deals_ledger_entry WHERE entry_group = $1 ORDER BY amount_fen",
        f"booking-fee-{soon['id']}",
    )
    assert [(r["account"], r["amount_fen"]) for r in rows] == [
        (f"seller_payable:org-{fac.lab['id']}", -24_000),
        (f"fee_receivable:org-{fac.ent['id']}", 24_000),
    ]
    # the free cancellation charged nothing
    assert not await db.fetchval(
        "SELECT count(*) FROM deals_ledger_entry WHERE entry_group = $1", f"booking-fee-{early['id']}"
    )
    # both statements show it, each its own side; another organisation's statement is not readable
    mine = await _statement_rows(fac, fac.booker, fac.ent["id"], soon["id"])
    assert mine == [(f"fee_receivable:org-{fac.ent['id']}", 24_000)]
    theirs = await _statement_rows(fac, fac.owner, fac.lab["id"], soon["id"])
    assert theirs == [(f"seller_payable:org-{fac.lab['id']}", -24_000)]
    await fac.api.call("GET", f"/api/v1/orgs/{fac.ent['id']}/statement", token=fac.rival, expect=403)


async def _statement_rows(fac, token, org_id, booking_id):
    statement = await fac.api.json(
        "GET", f"/api/v1/orgs/{org_id}/statement", token=token, params={"size": 100}
    )
    return [
        (r["account"], r["amount_fen"])
        for r in statement["items"]
        if r["entry_group"] == f"booking-fee-{booking_id}"
    ]


async def test_owner_records_start_finish_and_effective_hours(fac, db):
    inst = await instrument(fac)
    booking = (await book(fac, fac.booker, inst, *ahead(3, hours=4), mode="commissioned")).json()
    await fac.api.json("POST", f"/api/v1/bookings/{booking['id']}/approve", token=fac.owner)

    # the rival and the booker cannot record use
    for token in (fac.rival, fac.booker):
        await fac.api.call("POST", f"/api/v1/bookings/{booking['id']}/start", token=token, expect=403)
    # nor can the owner record a start days before the slot: nothing changes
    async with nothing_saved(db):
        early = await fac.api.call("POST", f"/api/v1/bookings/{booking['id']}/start", token=fac.owner)
        assert assert_problem(early, 409)["code"] == "too_early_to_start"
    assert await db.fetchval("SELECT status FROM deals_booking WHERE id = $1", booking["id"]) == "approved"
    # from an hour before the slot it can (the slot is moved to begin in 50 minutes here, instead of waiting)
    await db.execute(
        "UPDATE deals_booking SET starts_at = now() + interval '50 minutes', "
        "ends_at = now() + interval '50 minutes' + (ends_at - starts_at) WHERE id = $1",
        booking["id"],
    )
    started = await fac.api.json("POST", f"/api/v1/bookings/{booking['id']}/start", token=fac.owner)
    assert started["status"] == "in_progress"
    assert started["started_at"]

    # more effective hours than booked is a 422 naming the field
    too_many = await fac.api.call(
        "POST", f"/api/v1/bookings/{booking['id']}/finish", token=fac.owner, json={"effective_hours": 4.5}
    )
    assert_problem(too_many, 422, ("body", "effective_hours"))
    done = await fac.api.json(
        "POST", f"/api/v1/bookings/{booking['id']}/finish", token=fac.owner, json={"effective_hours": 3.5}
    )
    assert (done["status"], done["effective_hours"]) == ("completed", 3.5)
    assert (
        str(await db.fetchval("SELECT effective_hours FROM deals_booking WHERE id = $1", booking["id"]))
        == "3.50"
    )


async def test_no_shows_suspend_self_booking(fac, db):
    # given an instrument whose owner suspends self-booking after 2 no-shows in 90 days, and a trained user
    inst = await instrument(fac, needs_training=True, no_show_limit=2)
    grant = {"user_id": fac.booker_id, "expires_at": (datetime.now(UTC) + timedelta(days=300)).isoformat()}
    await fac.api.json(
        "POST", f"/api/v1/instruments/{inst}/trainings", token=fac.owner, json=grant, expect=201
    )
    ids = []
    for day in (3, 4):
        made = (await book(fac, fac.booker, inst, *ahead(day))).json()
        await fac.api.json("POST", f"/api/v1/bookings/{made['id']}/approve", token=fac.owner)
        ids.append(made["id"])

    # a no-show cannot be marked before the slot begins
    early = await fac.api.call("POST", f"/api/v1/bookings/{ids[0]}/no-show", token=fac.owner, expect=409)
    assert early.json()["code"] == "slot_not_started"
    # the slots pass (moved into the past here)
    for n, booking_id in enumerate(ids, start=1):
        await db.execute(
            "UPDATE deals_booking SET starts_at = now() - make_interval(days => $2), "
            "ends_at = now() - make_interval(days => $2) + interval '1 hour' WHERE id = $1",
            booking_id,
            n,
        )
    # the rival cannot mark them
    async with nothing_saved(db):
        await fac.api.call("POST", f"/api/v1/bookings/{ids[0]}/no-show", token=fac.rival, expect=403)
    assert await db.fetchval("SELECT status FROM deals_booking WHERE id = $1", ids[0]) == "approved"
    for booking_id in ids:
        marked = await fac.api.json("POST", f"/api/v1/bookings/{booking_id}/no-show", token=fac.owner)
        assert marked["status"] == "no_show"

    # then self-operated booking is suspended, commissioned still works
    refused = await book(fac, fac.booker, inst, *ahead(6), expect=403)
    assert refused.json()["code"] == "self_booking_suspended"
    await book(fac, fac.booker, inst, *ahead(6), mode="commissioned")
