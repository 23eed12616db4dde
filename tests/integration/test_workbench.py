"""The broker workbench from the attacker's side: who may move a match, what reaches the buyer and the lister,
and whose notifications are whose."""

import re
import uuid
from typing import Any

import asyncpg
import pytest

from tests.factories import create_listing, create_org, create_user, publish_listing, unique
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
)

pytestmark = pytest.mark.integration

CHALLENGE = {
    "title": "揭榜挂帅：手机散热用石墨烯导热膜",
    "description": "需要石墨烯导热膜制备技术，用于手机散热。",
    "problem": "现有人工石墨散热片导热系数不足，整机温升偏高。",
    "requirements": "面内导热系数不低于1500 W/m·K，可卷对卷量产。",
    "tried": "试过多层石墨片叠加，厚度超标。",
    "fields": ["materials"],
    "kind": "challenge",
    "award_fen": 200_000_000,
    "ip_terms": "shared",
    "confidentiality": "public",
    "hide_org": True,
    "budget": {"min_fen": 50_000_000, "max_fen": 150_000_000},
    "region": "500107",
}


async def _world(api: Any, admin: str) -> dict[str, Any]:
    """A published challenge assigned to broker A, and a published achievement (provider P) that answers it."""
    provider_org = await create_org(api, admin)
    provider_id, provider = await create_user(api, admin, org_id=provider_org["id"], role="provider")
    # The suite's index holds many near-identical 石墨烯导热膜 achievements from earlier worlds; a word only this
    # world's demand and achievement share makes its achievement the demand's own best answer.
    tag = f"tm{uuid.uuid4().hex[:10]}"
    listing = await create_listing(
        api, provider, "achievement", title=unique("石墨烯导热膜制备技术"), keywords=["石墨烯", "导热膜", tag]
    )
    await publish_listing(api, provider, admin, "achievement", listing["id"])
    buyer_org = await create_org(api, admin, kind="enterprise", region="500107")
    buyer_id, buyer = await create_user(api, admin, org_id=buyer_org["id"], role="enterprise")
    broker_org = await create_org(api, admin, kind="agency")
    broker_a_id, broker_a = await create_user(api, admin, org_id=broker_org["id"], role="broker")
    broker_b_id, broker_b = await create_user(api, admin, org_id=broker_org["id"], role="broker")
    demand = await api.json(
        "POST", "/api/v1/demands", token=buyer, expect=201, json={**CHALLENGE, "keywords": [tag]}
    )
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=buyer)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin)
    await api.json(
        "POST", f"/api/v1/demands/{demand['id']}/broker", token=admin, json={"broker_id": broker_a_id}
    )
    await api.wait_indexed(admin)
    matches = await api.json(
        "GET", f"/api/v1/demands/{demand['id']}/matches", token=buyer, params={"limit": 100}
    )
    mine = [m for m in matches["items"] if m["id"] == listing["id"]]
    assert mine, "the matcher did not find the answering achievement"
    return {
        "demand": demand,
        "listing": listing,
        "tag": tag,
        "match_id": mine[0]["match_id"],
        "buyer": buyer,
        "buyer_id": buyer_id,
        "buyer_org": buyer_org,
        "provider": provider,
        "provider_id": provider_id,
        "broker_a": broker_a,
        "broker_a_id": broker_a_id,
        "broker_b": broker_b,
        "broker_b_id": broker_b_id,
    }


async def _match_row(db: asyncpg.Connection, match_id: int) -> str:
    return str(
        await db.fetchval(
            "SELECT (status, close_reason, broker_id, status_changed_at)::text FROM demand_match WHERE id = $1",
            match_id,
        )
    )


async def test_a_challenge_keeps_its_award_ip_terms_and_what_was_tried(api: Any, admin_token: str) -> None:
    # given an enterprise posting a 揭榜挂帅 challenge with its award, IP terms and history
    world = await _world(api, admin_token)

    # then nothing was refused and everything reads back
    demand = await api.json("GET", f"/api/v1/demands/{world['demand']['id']}", token=world["buyer"])
    for key in ("problem", "requirements", "tried", "award_fen", "ip_terms", "hide_org"):
        assert demand[key] == CHALLENGE[key]
    assert demand["broker_id"] == world["broker_a_id"]


async def test_another_brokers_match_cannot_be_moved(
    api: Any, admin_token: str, db: asyncpg.Connection
) -> None:
    # given a match of a demand assigned to broker A
    world = await _world(api, admin_token)
    match_id = world["match_id"]
    before = await _match_row(db, match_id)
    events = await db.fetchval("SELECT count(*) FROM demand_match_event WHERE match_id = $1", match_id)

    # when broker B (same agency) and the buyer try to move it
    moved_by_b = await api.call(
        "POST",
        f"/api/v1/matches/{match_id}/status",
        token=world["broker_b"],
        json={"status": "dismissed", "reason": "not_relevant"},
    )
    moved_by_buyer = await api.call(
        "POST",
        f"/api/v1/matches/{match_id}/status",
        token=world["buyer"],
        json={"status": "dismissed", "reason": "not_relevant"},
    )
    note_by_b = await api.call(
        "POST", f"/api/v1/matches/{match_id}/notes", token=world["broker_b"], json={"body": "抢单"}
    )

    # then all are refused and nothing changed; broker A and an admin still can
    assert moved_by_b.status_code == 403
    assert moved_by_b.json()["code"] == "match_forbidden"
    assert moved_by_buyer.status_code == 403
    assert moved_by_buyer.json()["code"] == "match_forbidden"
    assert note_by_b.status_code == 403
    assert note_by_b.json()["code"] == "match_forbidden"
    assert await _match_row(db, match_id) == before
    assert (
        await db.fetchval("SELECT count(*) FROM demand_match_event WHERE match_id = $1", match_id) == events
    )
    assert await db.fetchval("SELECT count(*) FROM demand_match_note WHERE match_id = $1", match_id) == 0
    await api.json(
        "POST", f"/api/v1/matches/{match_id}/status", token=world["broker_a"], json={"status": "contacted"}
    )
    await api.json(
        "POST", f"/api/v1/matches/{match_id}/status", token=admin_token, json={"status": "negotiating"}
    )


async def test_internal_notes_never_reach_the_buyer(api: Any, admin_token: str) -> None:
    # given broker A noting one thing for brokers and one for the buyer
    world = await _world(api, admin_token)
    match_id, demand_id = world["match_id"], world["demand"]["id"]
    internal = "买方认为价格过高，先别告诉供给方"
    shared = "已约供给方下周三视频沟通"
    moved = await api.json(
        "POST",
        f"/api/v1/matches/{match_id}/status",
        token=world["broker_a"],
        json={"status": "shortlisted", "note": internal},
    )
    await api.json(
        "POST",
        f"/api/v1/matches/{match_id}/notes",
        token=world["broker_a"],
        expect=201,
        json={"body": shared, "visibility": "shared"},
    )

    # when the buyer reads the matches, the notes and the demand page
    # (limit 100: in the suite's shared database other tests' listings can outrank this one past the default 20)
    matches = await api.call(
        "GET", f"/api/v1/demands/{demand_id}/matches", token=world["buyer"], params={"limit": 100}
    )
    notes = await api.json("GET", f"/api/v1/matches/{match_id}/notes", token=world["buyer"])
    attribution = await api.call("GET", f"/api/v1/matches/{match_id}/attribution", token=world["buyer"])

    # then the shared note is there and the internal one is nowhere
    assert moved["note"] == internal  # the broker sees their own internal note
    assert internal not in matches.text
    assert shared in matches.text
    assert [n["body"] for n in notes] == [shared]
    assert attribution.status_code == 403
    broker_notes = await api.json("GET", f"/api/v1/matches/{match_id}/notes", token=world["broker_a"])
    assert [n["body"] for n in broker_notes] == [internal, shared]
    evidence = await api.json("GET", f"/api/v1/matches/{match_id}/attribution", token=world["broker_a"])
    assert [h["to"] for h in evidence["history"]] == ["shortlisted"]
    assert evidence["broker_id"] == world["broker_a_id"]


async def test_lost_needs_a_reason_and_listers_see_it_only_anonymised(
    api: Any, admin_token: str, db: asyncpg.Connection
) -> None:
    world = await _world(api, admin_token)
    match_id, listing_id = world["match_id"], world["listing"]["id"]
    path = f"/api/v1/matches/{match_id}/status"

    # when the broker dismisses without a reason, nothing changes
    refused = await api.call("POST", path, token=world["broker_a"], json={"status": "dismissed"})
    assert refused.status_code == 422
    assert await db.fetchval("SELECT status FROM demand_match WHERE id = $1", match_id) == "suggested"

    # when it is dismissed for price
    await api.json(
        "POST",
        path,
        token=world["broker_a"],
        json={"status": "dismissed", "reason": "price", "note": "买方认为价格过高"},
    )

    # then the lister sees one "price" and nothing that names the buyer, the demand or the note
    feedback = await api.call("GET", f"/api/v1/listings/{listing_id}/match-feedback", token=world["provider"])
    assert feedback.status_code == 200
    assert feedback.json()["price"] == 1
    assert sum(feedback.json().values()) == 1
    for secret in (CHALLENGE["title"], "买方认为价格过高", world["buyer_org"]["name"]):
        assert secret not in feedback.text
    other = await api.call("GET", f"/api/v1/listings/{listing_id}/match-feedback", token=world["buyer"])
    assert other.status_code == 403


async def test_a_provider_sees_only_demands_matched_to_its_own_listings(api: Any, admin_token: str) -> None:
    world = await _world(api, admin_token)
    listing_id = world["listing"]["id"]
    stranger_org = await create_org(api, admin_token)
    _, stranger = await create_user(api, admin_token, org_id=stranger_org["id"], role="provider")

    # when the lister asks which open demands its listing fits
    found = await api.json("GET", f"/api/v1/listings/{listing_id}/demands", token=world["provider"])

    # then the challenge is there, with reasons; another provider is refused
    assert world["demand"]["id"] in [m["demand_id"] for m in found["items"]]
    assert {m["id"] for m in found["items"]} == {listing_id}
    assert all(m["reasons"] for m in found["items"])
    refused = await api.call("GET", f"/api/v1/listings/{listing_id}/demands", token=stranger)
    assert refused.status_code == 403
    steal = await api.call(
        "POST", f"/api/v1/listings/{listing_id}/matches/{world['match_id']}/interest", token=stranger
    )
    assert steal.status_code == 403

    # when the lister expresses interest, it lands in the broker's queue
    await api.json(
        "POST", f"/api/v1/listings/{listing_id}/matches/{world['match_id']}/interest", token=world["provider"]
    )
    queue = await api.json("GET", "/api/v1/broker/queue?sort=interest", token=world["broker_a"])
    assert world["match_id"] in [m["match_id"] for m in queue["items"]]
    notes = await api.json("GET", "/api/v1/notifications", token=world["broker_a"])
    assert any(n["kind"] == "interest" for n in notes["items"])


async def test_notifications_reach_only_their_recipient(api: Any, admin_token: str) -> None:
    world = await _world(api, admin_token)

    # given broker A told of the assignment, the buyer of new matches
    mine = await api.json("GET", "/api/v1/notifications", token=world["broker_a"])
    assigned = [n for n in mine["items"] if n["kind"] == "broker_assigned"]
    assert assigned
    buyer = await api.json("GET", "/api/v1/notifications", token=world["buyer"])
    assert {"new_matches", "broker_assigned"} <= {n["kind"] for n in buyer["items"]}

    # when broker B lists and tries to mark A's notification read
    theirs = await api.json("GET", "/api/v1/notifications", token=world["broker_b"])
    marked = await api.call(
        "POST", f"/api/v1/notifications/{assigned[0]['id']}/read", token=world["broker_b"]
    )

    # then B sees none of A's and cannot touch them; A can
    assert not {n["id"] for n in theirs["items"]} & {n["id"] for n in mine["items"]}
    assert marked.status_code == 404
    still = await api.json("GET", "/api/v1/notifications?unread=true", token=world["broker_a"])
    assert assigned[0]["id"] in [n["id"] for n in still["items"]]
    await api.json("POST", f"/api/v1/notifications/{assigned[0]['id']}/read", token=world["broker_a"])
    after = await api.json("GET", "/api/v1/notifications?unread=true", token=world["broker_a"])
    assert assigned[0]["id"] not in [n["id"] for n in after["items"]]

    # and a stage change tells the buyer, not the broker who made it
    before = (await api.json("GET", "/api/v1/notifications", token=world["broker_a"]))["total"]
    await api.json(
        "POST",
        f"/api/v1/matches/{world['match_id']}/status",
        token=world["broker_a"],
        json={"status": "contacted"},
    )
    buyer_after = await api.json("GET", "/api/v1/notifications", token=world["buyer"])
    assert buyer_after["items"][0]["kind"] == "stage_changed"
    assert (await api.json("GET", "/api/v1/notifications", token=world["broker_a"]))["total"] == before


async def test_the_broker_refines_a_demand_and_the_history_is_kept(api: Any, admin_token: str) -> None:
    world = await _world(api, admin_token)
    demand_id = world["demand"]["id"]

    # when broker A refines the requirements with the enterprise; broker B may not
    await api.json(
        "PATCH",
        f"/api/v1/demands/{demand_id}",
        token=world["broker_a"],
        json={"requirements": "面内导热系数不低于1500 W/m·K，厚度不超过40微米。"},
    )
    refused = await api.call(
        "PATCH", f"/api/v1/demands/{demand_id}", token=world["broker_b"], json={"title": "改掉"}
    )

    # then the revision names who changed what, from what to what
    assert refused.status_code == 403
    history = await api.json("GET", f"/api/v1/demands/{demand_id}/revisions", token=world["buyer"])
    assert len(history) == 1
    assert history[0]["actor_id"] == world["broker_a_id"]
    assert history[0]["changes"]["requirements"] == [
        CHALLENGE["requirements"],
        "面内导热系数不低于1500 W/m·K，厚度不超过40微米。",
    ]


async def test_the_demand_hall_hides_the_enterprise_that_asked(api: Any, admin_token: str) -> None:
    world = await _world(api, admin_token)

    # when anyone reads the public hall
    hall = await api.json("GET", "/api/v1/demand-hall?size=100")
    page = await api.call("GET", "/hall")

    # then the challenge is listed without its enterprise
    listed = [d for d in hall["items"] if d["id"] == world["demand"]["id"]]
    assert listed
    assert listed[0]["org_id"] is None
    assert page.status_code == 200
    assert CHALLENGE["title"] in page.text
    assert world["buyer_org"]["name"] not in page.text
    own = await api.json("GET", f"/api/v1/demands/{world['demand']['id']}", token=world["buyer"])
    assert own["org_id"] == world["buyer_org"]["id"]


async def test_the_queue_filters_by_stage_and_field(api: Any, admin_token: str) -> None:
    world = await _world(api, admin_token)
    await api.json(
        "POST",
        f"/api/v1/matches/{world['match_id']}/status",
        token=world["broker_a"],
        json={"status": "contacted"},
    )
    contacted = await api.json("GET", "/api/v1/broker/queue?status=contacted", token=world["broker_a"])
    assert [m["match_id"] for m in contacted["items"]] == [world["match_id"]]
    other_field = await api.json("GET", "/api/v1/broker/queue?field=quantum", token=world["broker_a"])
    assert world["match_id"] not in [m["match_id"] for m in other_field["items"]]
    by_field = await api.json(
        "GET", "/api/v1/broker/queue?field=materials&sort=score&size=100", token=world["broker_a"]
    )
    assert world["match_id"] in [m["match_id"] for m in by_field["items"]]
    assert all(not m["overdue"] for m in by_field["items"])
    # each card names the demand it answers, and the page count is given for page jumps
    card = next(m for m in by_field["items"] if m["match_id"] == world["match_id"])
    assert (card["demand_title"], card["demand_fields"]) == (CHALLENGE["title"], CHALLENGE["fields"])
    assert by_field["pages"] == -(-by_field["total"] // 100)
    theirs = await api.json("GET", "/api/v1/broker/queue?size=100", token=world["broker_b"])
    assert world["match_id"] not in [m["match_id"] for m in theirs["items"]]


async def test_demands_are_searchable_with_the_same_chinese_analysis(api: Any, admin_token: str) -> None:
    # given a published challenge (enterprise hidden) and a draft with the same words
    world = await _world(api, admin_token)
    draft = await api.json(
        "POST",
        "/api/v1/demands",
        token=world["buyer"],
        expect=201,
        json={**CHALLENGE, "title": "草稿：石墨烯导热膜"},
    )
    await api.wait_indexed(admin_token)

    # when someone searches demands by words of its title (jieba-segmented, as listings are)
    found = await api.json(
        "GET", "/api/v1/search", params={"q": "导热膜 石墨烯", "type": "demand", "size": 100}
    )
    everything = await api.json("GET", "/api/v1/search", params={"q": "石墨烯导热膜", "size": 100})

    # then the published demand is found, without its enterprise; the draft is not; supply searches stay supply
    ids = [item["id"] for item in found["items"]]
    assert world["demand"]["id"] in ids
    assert draft["id"] not in ids
    assert {item["type"] for item in found["items"]} == {"demand"}
    mine = next(item for item in found["items"] if item["id"] == world["demand"]["id"])
    assert mine.get("org_id") is None
    assert "demand" not in {item["type"] for item in everything["items"]}


async def test_a_broker_moves_only_along_the_pipeline_and_an_admin_corrects_any_stage(
    api: Any, admin_token: str, db: asyncpg.Connection
) -> None:
    # given broker A's match, just suggested
    world = await _world(api, admin_token)
    match_id = world["match_id"]
    path = f"/api/v1/matches/{match_id}/status"
    events = await db.fetchval("SELECT count(*) FROM demand_match_event WHERE match_id = $1", match_id)

    # when the broker tries to jump from suggested straight to won
    jumped = await api.call("POST", path, token=world["broker_a"], json={"status": "won"})

    # then the pipeline refuses it and nothing was recorded
    assert jumped.status_code == 409
    assert jumped.json()["code"] == "invalid_transition"
    assert await db.fetchval("SELECT status FROM demand_match WHERE id = $1", match_id) == "suggested"
    assert (
        await db.fetchval("SELECT count(*) FROM demand_match_event WHERE match_id = $1", match_id) == events
    )

    # when the broker stays put with a note, then moves along; an admin sets the same jump
    await api.json("POST", path, token=world["broker_a"], json={"status": "suggested", "note": "待联系"})
    await api.json("POST", path, token=world["broker_a"], json={"status": "contacted"})
    corrected = await api.json("POST", path, token=admin_token, json={"status": "won"})

    # then each step is one event, in order, and the admin's correction stands
    assert corrected["status"] == "won"
    steps = await db.fetch(
        "SELECT from_status, to_status FROM demand_match_event WHERE match_id = $1 ORDER BY id OFFSET $2",
        match_id,
        events,
    )
    assert [(r["from_status"], r["to_status"]) for r in steps] == [
        ("suggested", "suggested"),
        ("suggested", "contacted"),
        ("contacted", "won"),
    ]

    # and a won match is final for the broker
    reopened = await api.call("POST", path, token=world["broker_a"], json={"status": "negotiating"})
    assert reopened.status_code == 409
    assert reopened.json()["code"] == "invalid_transition"


async def test_the_workbench_jumps_to_any_page_and_keeps_its_filter(
    api: Any,
    admin_token: str,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a demand answered by more achievements than one workbench page holds (30), assigned to a broker
    word = unique("导热膜")
    provider_org = await create_org(api, admin_token)
    _, provider = await create_user(api, admin_token, org_id=provider_org["id"], role="provider")
    for number in range(36):
        made = await create_listing(
            api, provider, "achievement", title=f"{word}卷对卷制备技术第{number}号", keywords=[word, "导热膜"]
        )
        await publish_listing(api, provider, admin_token, "achievement", made["id"])
    buyer_org = await create_org(api, admin_token, kind="enterprise", region="500107")
    _, buyer = await create_user(api, admin_token, org_id=buyer_org["id"], role="enterprise")
    broker_org = await create_org(api, admin_token, kind="agency")
    broker_email = await make_user(api, admin_token, org_id=broker_org["id"], role="broker", name="经纪人")
    broker_id = (await api.json("GET", "/api/v1/me", token=await api.token(broker_email, PASSWORD)))["id"]
    demand = await api.json(
        "POST",
        "/api/v1/demands",
        token=buyer,
        expect=201,
        json={
            "title": f"寻找{word}卷对卷制备技术",
            "description": f"需要{word}卷对卷制备技术。",
            "kind": "tech_problem",
            "fields": ["materials"],
            "keywords": [word],
            "region": "500107",
        },
    )
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=buyer)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin_token)
    await api.json(
        "POST", f"/api/v1/demands/{demand['id']}/broker", token=admin_token, json={"broker_id": broker_id}
    )
    await api.wait_indexed(admin_token)
    broker = portal_factory()
    await broker.login(broker_email)
    queue = await api.json(
        "GET", f"/api/v1/broker/queue?demand_id={demand['id']}", token=await api.token(broker_email, PASSWORD)
    )
    assert queue["total"] > 30, "the setup must fill more than one page"
    last = -(-queue["total"] // 30)

    # when the broker opens the workbench filtered to the demand
    first = await broker.page(f"/broker?demand_id={demand['id']}")

    # then the pager links every page number around the current one and the last, with the filter kept
    scope = f"demand_id={demand['id']}&amp;sort=oldest"
    assert '<span class="current" aria-current="page">1</span>' in first
    assert f'<a href="/broker?page={last}&amp;{scope}" aria-label="第 {last} 页">{last}</a>' in first
    # and the 跳转 box sends the filter along with the page typed
    assert f'<input type="hidden" name="demand_id" value="{demand["id"]}">' in first
    assert f'name="page" min="1" max="{last}" value="1"' in first

    # when the box is used (a GET of the list with page=N), the last page shows other matches
    jumped = await broker.page(f"/broker?demand_id={demand['id']}&sort=oldest&page={last}")
    assert f'<span class="current" aria-current="page">{last}</span>' in jumped
    on_first = set(re.findall(r'data-match-id="(\d+)"', first))
    on_last = set(re.findall(r'data-match-id="(\d+)"', jumped))
    assert on_first
    assert on_last
    assert not on_first & on_last
