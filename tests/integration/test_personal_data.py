"""An expert's private contact stays private (PIPL): hidden everywhere but their organisation and admins,
consent withdrawal unpublishes at once, erasure really deletes, contact goes through platform enquiries."""

import asyncio
import os
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories import RESOURCES, create_listing, create_org, create_user, publish_listing
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Processes
from tests.integration.invariants import assert_problem, nothing_saved

pytestmark = pytest.mark.integration

SEARCH_URL = os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")
OTHER_ROLES = ("enterprise", "provider", "expert", "broker")


@dataclass
class World:
    api: Api
    admin: str
    home_org: int
    own: dict[str, str]  # role -> token, members of the experts' organisation
    other: dict[str, str]  # role -> token, members of another organisation
    secrets: list[str] = field(default_factory=list)  # every private value this module ever sends

    def new_contact(self) -> dict[str, str]:
        """A phone number and e-mail that appear nowhere else, so finding one anywhere is a leak."""
        contact = {
            "phone": f"139{secrets.randbelow(10**8):08d}",
            "email": f"pd-{secrets.token_hex(6)}@private-contact.example.cn",
        }
        self.secrets += contact.values()
        return contact

    async def expert(self, *, publish: bool = True, consent_contact: bool = False) -> dict[str, Any]:
        """A (published) expert of the home organisation with a fresh private contact."""
        contact = self.new_contact()
        made = await create_listing(
            self.api,
            self.own["provider"],
            "expert",
            contact=contact,
            consent={"publish": True, "contact": consent_contact},
        )
        if publish:
            await publish_listing(self.api, self.own["provider"], self.admin, "expert", made["id"])
        return {**made, "contact": contact}


@pytest.fixture(scope="module")
async def world(stack: Processes) -> AsyncIterator[World]:
    async with httpx.AsyncClient(base_url=stack.base, timeout=120) as client:
        api = Api(client)
        admin = await api.token(ADMIN_EMAIL, ADMIN_PASSWORD)
        home = await create_org(api, admin, kind="university", region="500106")
        away = await create_org(api, admin, kind="enterprise", region="500107")
        own = {role: (await create_user(api, admin, org_id=home["id"], role=role))[1] for role in OTHER_ROLES}
        other = {
            role: (await create_user(api, admin, org_id=away["id"], role=role))[1] for role in OTHER_ROLES
        }
        yield World(api, admin, home["id"], own, other)


@pytest.fixture(scope="module")
async def published_expert(world: World) -> dict[str, Any]:
    expert = await world.expert(consent_contact=True)
    await world.api.wait_indexed(world.admin)
    return expert


def _assert_no_secret(text: str, contact: dict[str, str]) -> None:
    for value in contact.values():
        assert value not in text, f"private contact {value!r} leaked"


async def _engine_sources() -> str:
    prefix = os.environ["SEARCH_INDEX_PREFIX"]
    async with httpx.AsyncClient(timeout=30) as engine:
        await engine.post(f"{SEARCH_URL}/{prefix}-*/_refresh")
        response = await engine.post(
            f"{SEARCH_URL}/{prefix}-*/_search", json={"query": {"match_all": {}}, "size": 10_000}
        )
    response.raise_for_status()
    return response.text


async def _engine_has(listing_id: int) -> bool:
    prefix = os.environ["SEARCH_INDEX_PREFIX"]
    async with httpx.AsyncClient(timeout=30) as engine:
        await engine.post(f"{SEARCH_URL}/{prefix}-*/_refresh")
        response = await engine.post(
            f"{SEARCH_URL}/{prefix}-*/_search", json={"query": {"ids": {"values": [str(listing_id)]}}}
        )
    response.raise_for_status()
    return bool(response.json()["hits"]["total"]["value"])


async def _wait_processed(db: asyncpg.Connection, listing_id: int, seconds: float = 30) -> None:
    """Return the moment the worker has handled the listing's latest outbox row (no extra sleep)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pending = await db.fetchval(
            "SELECT count(*) FROM core_outbox WHERE aggregate_type = 'listing' AND aggregate_id = $1 "
            "AND processed_at IS NULL",
            listing_id,
        )
        if pending == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"outbox of listing {listing_id} not processed")


async def _search_ids(api: Api, q: str) -> tuple[list[int], bool]:
    found = await api.json("GET", "/api/v1/search", params={"q": q, "type": "expert"})
    return [item["id"] for item in found["items"]], bool(found["cached"])


# --- who sees the contact --------------------------------------------------------------------------------


async def test_anonymous_sees_no_contact(world, published_expert):
    # when an anonymous visitor reads the expert, over the API and the portal page
    expert_id = published_expert["id"]
    response = await world.api.call("GET", f"/api/v1/experts/{expert_id}", expect=200)
    page = await world.api.call("GET", f"/listings/expert/{expert_id}")

    # then the profile is there but the contact is not
    assert response.json()["name"] == published_expert["name"]
    assert "contact" not in response.json()
    _assert_no_secret(response.text, published_expert["contact"])
    assert page.status_code == 200
    _assert_no_secret(page.text, published_expert["contact"])


@pytest.mark.parametrize("role", OTHER_ROLES)
async def test_other_organisations_see_no_contact(world, published_expert, role):
    # when a member of another organisation reads the expert
    response = await world.api.call(
        "GET", f"/api/v1/experts/{published_expert['id']}", token=world.other[role], expect=200
    )

    # then there is no contact in it
    assert "contact" not in response.json()
    _assert_no_secret(response.text, published_expert["contact"])


@pytest.mark.parametrize("who", ["anonymous", *OTHER_ROLES])
async def test_lists_carry_no_contact(world, published_expert, who):
    # given the expert is on the first page of published experts
    token = None if who == "anonymous" else world.other[who]
    listed = await world.api.call("GET", "/api/v1/experts", token=token, params={"size": 100}, expect=200)
    mine = await world.api.call("GET", "/api/v1/experts", token=token, params={"mine": "true"})

    # then neither list carries the contact
    assert published_expert["id"] in [item["id"] for item in listed.json()["items"]]
    assert all("contact" not in item for item in listed.json()["items"])
    _assert_no_secret(listed.text, published_expert["contact"])
    _assert_no_secret(mine.text, published_expert["contact"])


@pytest.mark.parametrize("role", OTHER_ROLES)
async def test_own_organisation_sees_the_contact(world, published_expert, role):
    # when a member of the expert's organisation reads the profile and the organisation's list
    one = await world.api.json("GET", f"/api/v1/experts/{published_expert['id']}", token=world.own[role])
    mine = await world.api.json("GET", "/api/v1/experts", token=world.own[role], params={"mine": "true"})

    # then the contact is there
    assert one["contact"] == published_expert["contact"]
    listed = next(item for item in mine["items"] if item["id"] == published_expert["id"])
    assert listed["contact"] == published_expert["contact"]


async def test_admin_sees_the_contact(world, published_expert):
    one = await world.api.json("GET", f"/api/v1/experts/{published_expert['id']}", token=world.admin)
    assert one["contact"] == published_expert["contact"]


async def test_search_and_suggestions_carry_no_contact(world, published_expert):
    # when the expert is searched by name, by phone and e-mail, and suggested by prefix
    name = published_expert["name"]
    by_name = await world.api.call("GET", "/api/v1/search", params={"q": name}, expect=200)
    by_phone = await world.api.call(
        "GET", "/api/v1/search", params={"q": published_expert["contact"]["phone"]}, expect=200
    )
    by_email = await world.api.call(
        "GET", "/api/v1/search", params={"q": published_expert["contact"]["email"]}, expect=200
    )
    suggested = await world.api.call("GET", "/api/v1/search/suggest", params={"q": name[:3]}, expect=200)

    # then the name finds it, the contact finds nothing and appears nowhere
    assert published_expert["id"] in [item["id"] for item in by_name.json()["items"]]
    assert published_expert["id"] not in [item["id"] for item in by_phone.json()["items"]]
    assert published_expert["id"] not in [item["id"] for item in by_email.json()["items"]]
    for response in (by_name, by_phone, by_email, suggested):
        _assert_no_secret(response.text, published_expert["contact"])


async def test_engine_documents_carry_no_contact(world, published_expert):
    # when the engine's stored documents of this run are read directly
    raw = await _engine_sources()

    # then the expert is indexed, without the contact
    assert await _engine_has(published_expert["id"])
    for value in world.secrets:
        assert value not in raw


# --- consent -----------------------------------------------------------------------------------------------


async def test_publishing_without_consent_is_refused(world, db):
    # given a submitted expert who has not consented to publication
    contact = world.new_contact()
    made = await create_listing(
        world.api,
        world.own["provider"],
        "expert",
        contact=contact,
        consent={"publish": False, "contact": False},
    )
    await world.api.json("POST", f"/api/v1/experts/{made['id']}/submit", token=world.own["provider"])
    before = await db.fetchrow("SELECT status, version FROM catalog_listing WHERE id = $1", made["id"])

    # when an admin tries to publish it
    async with nothing_saved(db):
        response = await world.api.call("POST", f"/api/v1/experts/{made['id']}/publish", token=world.admin)

    # then it is refused and stays pending
    assert assert_problem(response, 409)["code"] == "consent_missing"
    after = await db.fetchrow("SELECT status, version FROM catalog_listing WHERE id = $1", made["id"])
    assert after == before
    assert after["status"] == "pending"


async def test_withdrawing_consent_unpublishes_at_once(world, db):
    # given a published, indexed expert whose search result is cached
    expert = await world.expert()
    await world.api.wait_indexed(world.admin)
    query = expert["name"]
    first, first_cached = await _search_ids(world.api, query)
    second, second_cached = await _search_ids(world.api, query)
    assert expert["id"] in first
    assert (first_cached, second_cached) == (False, True)
    assert expert["id"] in second

    # when the expert withdraws consent to publication
    withdrawn = await world.api.json(
        "PATCH",
        f"/api/v1/experts/{expert['id']}",
        token=world.own["expert"],
        json={"consent": {"publish": False, "contact": False}},
    )

    # then the profile is a draft at once and no longer public
    assert withdrawn["status"] == "draft"
    assert withdrawn["consent"]["publish"] is False
    assert await db.fetchval("SELECT status FROM catalog_listing WHERE id = $1", expert["id"]) == "draft"
    await world.api.call("GET", f"/api/v1/experts/{expert['id']}", expect=404)

    # and the withdrawal is recorded with its time and the consent text version
    record = await db.fetchrow(
        "SELECT publish, contact, text_version, recorded_at, recorded_by_id FROM catalog_consent_record "
        "WHERE listing_id = $1 ORDER BY id DESC LIMIT 1",
        expert["id"],
    )
    assert (record["publish"], record["contact"]) == (False, False)
    assert record["text_version"] == withdrawn["consent"]["text_version"] == "2026-03"
    assert record["recorded_at"] is not None
    assert record["recorded_by_id"] is not None
    assert withdrawn["consent"]["recorded_at"]

    # and once the worker has run, neither the engine nor the search cache returns it — not even a
    # search made in the instant after the worker invalidated the cache
    await _wait_processed(db, expert["id"])
    right_after, _ = await _search_ids(world.api, query)
    await asyncio.sleep(1.5)
    later, _ = await _search_ids(world.api, query)
    assert expert["id"] not in right_after
    assert expert["id"] not in later
    assert not await _engine_has(expert["id"])


async def test_erasure_really_deletes(world, db):
    # given a published, indexed expert with contact, consents, an enquiry and a cached search result
    expert = await world.expert(consent_contact=True)
    await world.api.json(
        "POST",
        f"/api/v1/experts/{expert['id']}/enquiries",
        token=world.other["enterprise"],
        expect=201,
        json={"subject": "咨询", "message": "请问能否合作？"},
    )
    await world.api.wait_indexed(world.admin)
    ids, _ = await _search_ids(world.api, expert["name"])
    assert expert["id"] in ids
    assert (
        await db.fetchval("SELECT count(*) FROM catalog_consent_record WHERE listing_id = $1", expert["id"])
        >= 1
    )

    # when its organisation erases it
    erased = await world.api.json(
        "DELETE", f"/api/v1/experts/{expert['id']}", token=world.own["provider"], params={"erase": "true"}
    )

    # then every row about the expert is gone from PostgreSQL
    assert erased == {"id": expert["id"], "status": "erased"}
    for table, column in (
        ("catalog_listing", "id"),
        ("catalog_expert_contact", "listing_id"),
        ("catalog_consent_record", "listing_id"),
        ("catalog_listing_revision", "listing_id"),
        ("catalog_enquiry", "listing_id"),
        ("demand_match", "listing_id"),
    ):
        count = await db.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", expert["id"])
        assert count == 0, table
    leftovers = await db.fetchval(
        "SELECT count(*) FROM core_outbox WHERE payload::text LIKE '%' || $1 || '%'", expert["name"]
    )
    assert leftovers == 0, "the outbox still holds the erased expert's profile"
    await world.api.call("GET", f"/api/v1/experts/{expert['id']}", token=world.admin, expect=404)

    # and from the engine and the search cache once the worker has run
    await _wait_processed(db, expert["id"])
    right_after, _ = await _search_ids(world.api, expert["name"])
    assert expert["id"] not in right_after
    assert not await _engine_has(expert["id"])
    assert expert["name"] not in await _engine_sources()


async def test_erasure_by_another_organisation_is_refused(world, db, published_expert):
    async with nothing_saved(db):
        response = await world.api.call(
            "DELETE",
            f"/api/v1/experts/{published_expert['id']}",
            token=world.other["provider"],
            params={"erase": "true"},
        )
    assert_problem(response, 403)
    assert (
        await db.fetchval("SELECT count(*) FROM catalog_listing WHERE id = $1", published_expert["id"]) == 1
    )


# --- enquiries: contact goes through the platform ------------------------------------------------------


async def test_enquiry_reaches_the_experts_organisation_without_revealing_contact(
    world, db, published_expert
):
    # given a member of another organisation with a question
    body = {
        "subject": "导热膜中试咨询",
        "message": "贵方能否提供中试阶段的技术咨询？",
        "contact_back": "请站内回复",
    }

    # when they send an enquiry to the expert
    sent = await world.api.call(
        "POST",
        f"/api/v1/experts/{published_expert['id']}/enquiries",
        token=world.other["enterprise"],
        json=body,
        expect=201,
    )

    # then it is stored, announced on the outbox, and carries no contact of the expert
    enquiry = sent.json()
    assert enquiry["status"] == "open"
    assert enquiry["contact"] is None
    _assert_no_secret(sent.text, published_expert["contact"])
    assert (
        await db.fetchval(
            "SELECT count(*) FROM core_outbox WHERE aggregate_type = 'enquiry' AND aggregate_id = $1",
            enquiry["id"],
        )
        == 1
    )

    # and it is in the expert organisation's inbox, with the sender's message
    for role in OTHER_ROLES:
        inbox = await world.api.json(
            "GET", "/api/v1/enquiries", token=world.own[role], params={"box": "inbox"}
        )
        found = next(item for item in inbox["items"] if item["id"] == enquiry["id"])
        assert (found["subject"], found["message"], found["contact_back"]) == (
            body["subject"],
            body["message"],
            body["contact_back"],
        )

    # and in the sender's sent box, still without contact
    outbox = await world.api.call(
        "GET", "/api/v1/enquiries", token=world.other["enterprise"], params={"box": "sent"}, expect=200
    )
    assert enquiry["id"] in [item["id"] for item in outbox.json()["items"]]
    _assert_no_secret(outbox.text, published_expert["contact"])

    # and nobody else's
    for role in ("provider", "expert", "broker"):
        for box in ("inbox", "sent"):
            other = await world.api.json(
                "GET", "/api/v1/enquiries", token=world.other[role], params={"box": box}
            )
            assert enquiry["id"] not in [item["id"] for item in other["items"]]


async def test_enquiries_need_a_signed_in_sender_and_a_published_expert(world, db, published_expert):
    draft = await world.expert(publish=False)
    body = {"subject": "咨询", "message": "您好"}
    async with nothing_saved(db):
        anonymous = await world.api.call(
            "POST", f"/api/v1/experts/{published_expert['id']}/enquiries", json=body
        )
        unpublished = await world.api.call(
            "POST", f"/api/v1/experts/{draft['id']}/enquiries", token=world.other["enterprise"], json=body
        )
        missing = await world.api.call(
            "POST", "/api/v1/experts/999999999/enquiries", token=world.other["enterprise"], json=body
        )
        empty = await world.api.call(
            "POST",
            f"/api/v1/experts/{published_expert['id']}/enquiries",
            token=world.other["enterprise"],
            json={"subject": "", "message": "x"},
        )
    assert_problem(anonymous, 401)
    assert_problem(unpublished, 404)
    assert_problem(missing, 404)
    assert_problem(empty, 422, ("body", "subject"))


async def test_reply_shares_contact_only_with_the_experts_consent(world, db):
    # given two experts: one consented to contact sharing, one did not, each with an enquiry
    consenting = await world.expert(consent_contact=True)
    reserved = await world.expert(consent_contact=False)
    enquiries = {}
    for expert in (consenting, reserved):
        enquiries[expert["id"]] = await world.api.json(
            "POST",
            f"/api/v1/experts/{expert['id']}/enquiries",
            token=world.other["enterprise"],
            expect=201,
            json={"subject": "合作", "message": "想约时间面谈"},
        )
    to_reserved = enquiries[reserved["id"]]["id"]
    to_consenting = enquiries[consenting["id"]]["id"]

    # when the sender tries to answer their own enquiry, and the reserved expert tries to share contact
    async with nothing_saved(db):
        by_sender = await world.api.call(
            "POST",
            f"/api/v1/enquiries/{to_reserved}/reply",
            token=world.other["enterprise"],
            json={"message": "?"},
        )
        by_stranger = await world.api.call(
            "POST",
            f"/api/v1/enquiries/{to_reserved}/reply",
            token=world.other["broker"],
            json={"message": "?"},
        )
        sharing = await world.api.call(
            "POST",
            f"/api/v1/enquiries/{to_reserved}/reply",
            token=world.own["expert"],
            json={"message": "欢迎联系", "share_contact": True},
        )

    # then the sender is refused, a stranger finds nothing, and sharing without consent is a conflict
    assert_problem(by_sender, 403)
    assert_problem(by_stranger, 404)
    assert assert_problem(sharing, 409)["code"] == "contact_consent_missing"

    # when both experts reply, each sharing what they may
    plain = await world.api.json(
        "POST",
        f"/api/v1/enquiries/{to_reserved}/reply",
        token=world.own["expert"],
        json={"message": "可以站内沟通"},
    )
    shared = await world.api.json(
        "POST",
        f"/api/v1/enquiries/{to_consenting}/reply",
        token=world.own["provider"],
        json={"message": "请直接联系", "share_contact": True},
    )
    again = await world.api.call(
        "POST",
        f"/api/v1/enquiries/{to_consenting}/reply",
        token=world.own["provider"],
        json={"message": "再次"},
    )

    # then the sender reads both replies; only the consenting expert's contact comes with it, once
    assert (plain["status"], plain["reply"], plain["contact"]) == ("replied", "可以站内沟通", None)
    assert shared["contact"] == consenting["contact"]
    assert assert_problem(again, 409)["code"] == "already_replied"
    sent = await world.api.json(
        "GET", "/api/v1/enquiries", token=world.other["enterprise"], params={"box": "sent"}
    )
    by_id = {item["id"]: item for item in sent["items"]}
    assert by_id[to_reserved]["contact"] is None
    assert by_id[to_reserved]["reply"] == "可以站内沟通"
    assert by_id[to_consenting]["contact"] == consenting["contact"]

    # when the consenting expert later withdraws contact consent
    await world.api.json(
        "PATCH",
        f"/api/v1/experts/{consenting['id']}",
        token=world.own["expert"],
        json={"consent": {"publish": True, "contact": False}},
    )

    # then the shared contact is no longer shown to the sender
    sent = await world.api.json(
        "GET", "/api/v1/enquiries", token=world.other["enterprise"], params={"box": "sent"}
    )
    assert next(item for item in sent["items"] if item["id"] == to_consenting)["contact"] is None


# --- logs (last: it covers everything this module did) ---------------------------------------------------


async def test_logs_carry_no_contact(stack, world, published_expert):
    # given requests that carried private contacts, including refused ones
    bad = world.new_contact()
    await world.api.call(
        "POST",
        f"/api/v1/{RESOURCES['expert']}",
        token=world.own["provider"],
        json={
            "name": "日志测试",
            "contact": {"phone": bad["phone"], "email": bad["email"] + " "},
            "trl": "x",
        },
    )
    await world.api.wait_indexed(world.admin)

    # then neither the server's nor the worker's log holds any of them
    logs = stack.server_log() + stack.worker_log()
    assert logs, "no log lines were written at all"
    for value in world.secrets:
        assert value not in logs
