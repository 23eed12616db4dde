"""The broker's working day over real HTTP: SLA flags and reminders on untouched matches, the queue's idle filter
and sort, the notifications of answered enquiries and decided bookings (each to its recipient only), and the
contacts between the parties kept as attribution evidence (without personal data)."""

import json
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from services.core.clock import CHINA_TZ
from tests.factories import create_listing, create_org, create_user, publish_listing, unique
from tests.integration.conftest import _run_cli
from tests.integration.test_workbench import _world

pytestmark = pytest.mark.integration


async def _backdate(db: asyncpg.Connection, match_id: int, days: int) -> None:
    """The match was last touched `days` ago (time passing, without waiting for it)."""
    await db.execute(
        "UPDATE demand_match SET last_activity_at = now() - make_interval(days => $2), "
        "created_at = now() - make_interval(days => $2 + 1) WHERE id = $1",
        match_id,
        days,
    )


async def _queue(api: Any, token: str, **params: Any) -> list[dict[str, Any]]:
    found = await api.json("GET", "/api/v1/broker/queue", token=token, params={"size": 100, **params})
    return list(found["items"])


async def _reminders(api: Any, token: str, demand_id: int) -> list[dict[str, Any]]:
    mine = await api.json("GET", "/api/v1/notifications", token=token, params={"size": 100})
    return [
        n for n in mine["items"] if n["kind"] == "reminder" and n["link"] == f"/broker?demand_id={demand_id}"
    ]


async def test_an_untouched_match_is_flagged_overdue_and_its_broker_alone_is_reminded_once(
    api: Any, admin_token: str, db: asyncpg.Connection
) -> None:
    # given broker A shortlisted a match five days ago and left it there
    world = await _world(api, admin_token)
    match_id, demand_id = world["match_id"], world["demand"]["id"]
    await api.json(
        "POST", f"/api/v1/matches/{match_id}/status", token=world["broker_a"], json={"status": "shortlisted"}
    )
    fresh = await _queue(api, world["broker_a"], demand_id=demand_id)
    assert [(m["overdue"], m["idle_days"]) for m in fresh if m["match_id"] == match_id] == [(False, 0)]
    await _backdate(db, match_id, 5)

    # then the queue flags it overdue with its idle days, and only it
    queue = await _queue(api, world["broker_a"], demand_id=demand_id)
    card = next(m for m in queue if m["match_id"] == match_id)
    assert (card["overdue"], card["idle_days"]) == (True, 5)
    assert not [m for m in queue if m["match_id"] != match_id and m["overdue"]]
    page = await api.call("GET", f"/broker?demand_id={demand_id}", token=world["broker_a"], expect=200)
    assert "待跟进 5 天" in page.text

    # when the reminders run (twice: the same SLA period reminds once)
    _run_cli("remind-overdue")
    _run_cli("remind-overdue")

    # then broker A got one reminder naming the match and its idle days; broker B and the buyer got none
    reminders = await _reminders(api, world["broker_a"], demand_id)
    assert len(reminders) == 1
    assert reminders[0]["title"] == f"匹配“{card['title']}”已 5 天未跟进"
    assert await db.fetchval("SELECT reminded_at IS NOT NULL FROM demand_match WHERE id = $1", match_id)
    assert await _reminders(api, world["broker_b"], demand_id) == []
    assert await _reminders(api, world["buyer"], demand_id) == []
    # and B can neither read nor mark A's reminder
    refused = await api.call(
        "POST", f"/api/v1/notifications/{reminders[0]['id']}/read", token=world["broker_b"]
    )
    assert refused.status_code == 404

    # when the broker works the match, it is no longer overdue
    await api.json(
        "POST", f"/api/v1/matches/{match_id}/status", token=world["broker_a"], json={"status": "contacted"}
    )
    worked = await _queue(api, world["broker_a"], demand_id=demand_id)
    assert [(m["overdue"], m["idle_days"]) for m in worked if m["match_id"] == match_id] == [(False, 0)]


async def test_the_queue_filters_by_idle_days_and_sorts_the_longest_idle_first(
    api: Any, admin_token: str, db: asyncpg.Connection
) -> None:
    # given broker A's demand with a second answering listing: one match idle 10 days, one 4, the rest fresh
    world = await _world(api, admin_token)
    demand_id = world["demand"]["id"]
    second = await create_listing(
        api,
        world["provider"],
        "achievement",
        title=unique("石墨烯导热膜卷对卷工艺"),
        keywords=["石墨烯", "导热膜", world["tag"]],
    )
    await publish_listing(api, world["provider"], admin_token, "achievement", second["id"])
    await api.wait_indexed(admin_token)
    matches = await api.json(
        "GET", f"/api/v1/demands/{demand_id}/matches", token=world["buyer"], params={"limit": 100}
    )
    by_listing = {m["id"]: m["match_id"] for m in matches["items"]}
    long_idle, short_idle = by_listing[world["listing"]["id"]], by_listing[second["id"]]
    await _backdate(db, long_idle, 10)
    await _backdate(db, short_idle, 4)
    everything = await _queue(api, world["broker_a"], demand_id=demand_id)
    assert len(everything) == len(matches["items"])

    # when the broker asks for matches idle at least 7 days, then at least 3
    week = await _queue(api, world["broker_a"], demand_id=demand_id, min_idle_days=7)
    three = await _queue(api, world["broker_a"], demand_id=demand_id, min_idle_days=3)
    zero = await _queue(api, world["broker_a"], demand_id=demand_id, min_idle_days=0)

    # then each filter keeps exactly the matches idle that long
    assert [m["match_id"] for m in week] == [long_idle]
    assert {m["match_id"] for m in three} == {long_idle, short_idle}
    assert len(zero) == len(everything)

    # when sorted by idle time, the longest idle comes first, then the next, then the fresh ones
    idle = await _queue(api, world["broker_a"], demand_id=demand_id, sort="idle")
    assert [m["match_id"] for m in idle[:2]] == [long_idle, short_idle]
    assert [m["idle_days"] for m in idle[:2]] == [10, 4]
    assert all(m["idle_days"] == 0 for m in idle[2:])
    # the oldest-first default orders by when the match was made, not by idle time
    oldest = await _queue(api, world["broker_a"], demand_id=demand_id, sort="oldest")
    assert [m["match_id"] for m in oldest[:2]] == [long_idle, short_idle]

    # and the portal's filter form shows the same selection
    page = await api.call(
        "GET", f"/broker?demand_id={demand_id}&min_idle_days=7", token=world["broker_a"], expect=200
    )
    assert f'data-match-id="{long_idle}"' in page.text
    assert f'data-match-id="{short_idle}"' not in page.text

    # and broker B's queue never shows A's idle matches, whatever the filter
    theirs = await _queue(api, world["broker_b"], min_idle_days=3)
    assert not {m["match_id"] for m in theirs} & {long_idle, short_idle}

    # bad input names the field, never a 500
    for bad in ("-1", "abc", "99999"):
        refused = await api.call(
            "GET", "/api/v1/broker/queue", token=world["broker_a"], params={"min_idle_days": bad}
        )
        assert refused.status_code == 422, bad
        assert "min_idle_days" in refused.json()["detail"]
    wrong_sort = await api.call("GET", "/api/v1/broker/queue", token=world["broker_a"], params={"sort": "x"})
    assert wrong_sort.status_code == 422
    assert "sort" in wrong_sort.json()["detail"]


async def _expert_and_enquirer(api: Any, admin: str) -> dict[str, Any]:
    """A published expert of a university (its provider answers enquiries), an enterprise member who asks,
    and a stranger (another enterprise)."""
    uni = await create_org(api, admin, kind="university", region="500106")
    _, owner = await create_user(api, admin, org_id=uni["id"], role="provider")
    expert = await create_listing(
        api,
        owner,
        "expert",
        name=unique("陈导热"),
        bio="长期从事石墨烯导热膜与手机散热热管理研究，主持多项导热膜量产工艺项目。",
        keywords=["石墨烯导热膜", "手机散热", "热管理"],
    )
    await publish_listing(api, owner, admin, "expert", expert["id"])
    ent = await create_org(api, admin, kind="enterprise", region="500107")
    sender_id, sender = await create_user(api, admin, org_id=ent["id"], role="enterprise")
    other = await create_org(api, admin, kind="enterprise", region="500107")
    stranger_id, stranger = await create_user(api, admin, org_id=other["id"], role="enterprise")
    return {
        "expert": expert,
        "owner": owner,
        "ent": ent,
        "sender": sender,
        "sender_id": sender_id,
        "stranger": stranger,
        "stranger_id": stranger_id,
    }


async def _kinds(api: Any, token: str, kind: str) -> list[dict[str, Any]]:
    mine = await api.json("GET", "/api/v1/notifications", token=token, params={"size": 100})
    return [n for n in mine["items"] if n["kind"] == kind]


async def test_an_answered_enquiry_tells_its_sender_and_nobody_else(api: Any, admin_token: str) -> None:
    people = await _expert_and_enquirer(api, admin_token)
    enquiry = await api.json(
        "POST",
        f"/api/v1/experts/{people['expert']['id']}/enquiries",
        token=people["sender"],
        expect=201,
        json={"subject": "导热膜量产咨询", "message": "想了解卷对卷工艺的良率。"},
    )
    assert await _kinds(api, people["sender"], "enquiry_answered") == []

    # when the expert's organisation answers
    await api.json(
        "POST",
        f"/api/v1/enquiries/{enquiry['id']}/reply",
        token=people["owner"],
        json={"message": "良率可达九成，欢迎来访。"},
    )

    # then the sender is told, with a link to their enquiries; the answerer and a stranger are not
    told = await _kinds(api, people["sender"], "enquiry_answered")
    assert len(told) == 1
    assert told[0]["read_at"] is None
    assert await _kinds(api, people["owner"], "enquiry_answered") == []
    assert await _kinds(api, people["stranger"], "enquiry_answered") == []
    # and the stranger can neither mark it read nor find it in their stream of unread ones
    refused = await api.call("POST", f"/api/v1/notifications/{told[0]['id']}/read", token=people["stranger"])
    assert refused.status_code == 404
    unread = await api.json("GET", "/api/v1/notifications?unread=true", token=people["sender"])
    assert told[0]["id"] in [n["id"] for n in unread["items"]]


def _weekday_slot(days_ahead: int, hours: int = 2) -> tuple[str, str]:
    """A slot on a weekday at 10:00 Beijing time, at least `days_ahead` days ahead."""
    day = (datetime.now(CHINA_TZ) + timedelta(days=days_ahead)).date()
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=CHINA_TZ)
    return start.isoformat(), (start + timedelta(hours=hours)).isoformat()


async def test_a_decided_booking_tells_its_booker_and_nobody_else(api: Any, admin_token: str) -> None:
    # given a published instrument and two bookings of one enterprise member, and a stranger
    lab = await create_org(api, admin_token, kind="university", region="500106")
    _, owner = await create_user(api, admin_token, org_id=lab["id"], role="provider")
    made = await create_listing(api, owner, "instrument")
    await publish_listing(api, owner, admin_token, "instrument", made["id"])
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    _, booker = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    other = await create_org(api, admin_token, kind="enterprise", region="500107")
    _, stranger = await create_user(api, admin_token, org_id=other["id"], role="enterprise")
    bookings = []
    for days in (3, 10):
        start, end = _weekday_slot(days)
        bookings.append(
            await api.json(
                "POST",
                "/api/v1/bookings",
                token=booker,
                expect=201,
                json={"instrument_id": made["id"], "start": start, "end": end, "mode": "self"},
            )
        )

    # when the owner approves one and rejects the other
    await api.json("POST", f"/api/v1/bookings/{bookings[0]['id']}/approve", token=owner)
    await api.json(
        "POST", f"/api/v1/bookings/{bookings[1]['id']}/reject", token=owner, json={"reason": "设备检修"}
    )

    # then the booker is told of each decision; the owner and the stranger are told nothing
    told = {n["title"] for n in await _kinds(api, booker, "booking_decided")}
    assert told == {
        f"您的仪器预约 #{bookings[0]['id']} 已通过",
        f"您的仪器预约 #{bookings[1]['id']} 已被拒绝",
    }
    assert await _kinds(api, owner, "booking_decided") == []
    assert await _kinds(api, stranger, "booking_decided") == []
    some = (await _kinds(api, booker, "booking_decided"))[0]
    refused = await api.call("POST", f"/api/v1/notifications/{some['id']}/read", token=stranger)
    assert refused.status_code == 404
    refused_by_owner = await api.call("POST", f"/api/v1/notifications/{some['id']}/read", token=owner)
    assert refused_by_owner.status_code == 404


async def test_attribution_keeps_the_contacts_between_the_parties_without_personal_data(
    api: Any, admin_token: str
) -> None:
    # given a consulting demand of the enquirer's enterprise, assigned to a broker, matched to the expert
    people = await _expert_and_enquirer(api, admin_token)
    broker_org = await create_org(api, admin_token, kind="agency")
    broker_id, broker = await create_user(api, admin_token, org_id=broker_org["id"], role="broker")
    demand = await api.json(
        "POST",
        "/api/v1/demands",
        token=people["sender"],
        expect=201,
        json={
            "title": "手机石墨烯导热膜散热方案咨询",
            "description": "需要石墨烯导热膜与手机散热热管理方面的专家咨询。",
            "fields": ["materials"],
            "kind": "consulting",
            "budget": {"min_fen": 1_000_000, "max_fen": 5_000_000},
            "region": "500107",
        },
    )
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=people["sender"])
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin_token)
    await api.json(
        "POST", f"/api/v1/demands/{demand['id']}/broker", token=admin_token, json={"broker_id": broker_id}
    )
    await api.wait_indexed(admin_token)
    matches = await api.json(
        "GET", f"/api/v1/demands/{demand['id']}/matches", token=people["sender"], params={"limit": 100}
    )
    match_id = next(m["match_id"] for m in matches["items"] if m["id"] == people["expert"]["id"])
    secret = "我方手机型号X9的散热方案尚未公开"
    contact_back = "zhang.caigou@buyer.example.cn"

    # when the buyer asks the expert, the expert's organisation answers, and it expresses interest
    enquiry = await api.json(
        "POST",
        f"/api/v1/experts/{people['expert']['id']}/enquiries",
        token=people["sender"],
        expect=201,
        json={"subject": "导热膜方案", "message": secret, "contact_back": contact_back},
    )
    await api.json(
        "POST", f"/api/v1/enquiries/{enquiry['id']}/reply", token=people["owner"], json={"message": "可以。"}
    )
    # a stranger's enquiry to the same expert is not a contact between these parties
    await api.json(
        "POST",
        f"/api/v1/experts/{people['expert']['id']}/enquiries",
        token=people["stranger"],
        expect=201,
        json={"subject": "别家的问题", "message": "与本需求无关"},
    )
    await api.json(
        "POST",
        f"/api/v1/listings/{people['expert']['id']}/matches/{match_id}/interest",
        token=people["owner"],
    )

    # then the broker's evidence lists both contacts in time order, with sides and times only
    evidence = await api.json("GET", f"/api/v1/matches/{match_id}/attribution", token=broker)
    contacts = evidence["contacts"]
    assert [(c["kind"], c["from"]) for c in contacts] == [("enquiry", "buyer"), ("interest", "seller")]
    assert contacts[0]["answered_at"] is not None
    assert contacts[0]["at"] <= contacts[0]["answered_at"] <= contacts[1]["at"]
    text = json.dumps(contacts, ensure_ascii=False)
    for personal in (secret, contact_back, "导热膜方案", "可以。"):
        assert personal not in text
    assert {key for c in contacts for key in c} <= {"kind", "from", "at", "answered_at"}
    # and the evidence stays with brokers: the buyer and the seller are refused
    for token in (people["sender"], people["owner"]):
        refused = await api.call("GET", f"/api/v1/matches/{match_id}/attribution", token=token)
        assert refused.status_code == 403
