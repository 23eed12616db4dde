"""Expert self-service from the attacker's side: once an organisation links an expert profile to its person's
account, consent is that person's alone to give or withdraw (PIPL Art. 25), they see every consent recorded and
correct their contact (Arts. 45, 46), and nobody else (a colleague, the clerk, another organisation, another
expert) can act for them."""

from typing import Any

import asyncpg
import pytest

from tests.factories import create_account, create_listing, create_org, create_user, publish_listing, unique

pytestmark = pytest.mark.integration


async def _world(api: Any, admin: str) -> dict[str, Any]:
    """A university with a clerk, two published expert profiles (consent recorded by the clerk) and an expert."""
    uni = await create_org(api, admin, kind="university")
    _, clerk = await create_user(api, admin, org_id=uni["id"], role="provider")
    name = unique("李教授")
    profile = await create_listing(
        api,
        clerk,
        "expert",
        name=name,
        consent={"publish": True, "contact": True},
        contact={"phone": "13912345678", "email": "li.prof@contact.example.cn"},
    )
    await publish_listing(api, clerk, admin, "expert", profile["id"])
    colleague = await create_listing(api, clerk, "expert", consent={"publish": True, "contact": False})
    await publish_listing(api, clerk, admin, "expert", colleague["id"])
    expert_id, expert_email, expert = await create_account(api, admin, org_id=uni["id"], role="expert")
    return {
        "uni": uni,
        "clerk": clerk,
        "profile": profile,
        "name": name,
        "colleague": colleague,
        "expert_id": expert_id,
        "expert_email": expert_email,
        "expert": expert,
    }


async def _consents(db: asyncpg.Connection, listing_id: int) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT publish, contact, recorded_by_id FROM catalog_consent_record WHERE listing_id = $1 ORDER BY id",
        listing_id,
    )


async def test_only_the_organisation_links_a_profile_to_an_expert_account_of_its_own(
    api: Any, admin_token: str
) -> None:
    w = await _world(api, admin_token)
    link = f"/api/v1/experts/{w['profile']['id']}/person"

    # an expert cannot link a profile to themselves, even one of their own organisation
    denied = await api.call("PUT", link, token=w["expert"], json={"email": w["expert_email"]}, expect=403)
    assert denied.json()["code"] == "not_your_profile"
    # another organisation's clerk cannot link it
    other = await create_org(api, admin_token)
    _, outsider = await create_user(api, admin_token, org_id=other["id"], role="provider")
    await api.call("PUT", link, token=outsider, json={"email": w["expert_email"]}, expect=403)
    # the clerk cannot link it to an account that is not an expert of the organisation: not an enterprise user,
    # not another organisation's expert, and a self-registered account cannot be named either
    _, enterprise_email, _ = await create_account(api, admin_token, org_id=w["uni"]["id"], role="enterprise")
    _, foreign_expert_email, _ = await create_account(api, admin_token, org_id=other["id"], role="expert")
    for email in (enterprise_email, foreign_expert_email, "nobody@suite.example.cn"):
        refused = await api.call("PUT", link, token=w["clerk"], json={"email": email}, expect=422)
        assert refused.json()["errors"][0]["loc"] == ["body", "email"]
    # a malformed email is named, not a 500
    bad = await api.call("PUT", link, token=w["clerk"], json={"email": "not-an-email"}, expect=422)
    assert "email" in bad.json()["errors"][0]["loc"]
    # before the link the expert has no profile of their own
    missing = await api.call("GET", "/api/v1/me/expert-profile", token=w["expert"], expect=404)
    assert missing.json()["code"] == "no_expert_profile"

    # the clerk links the profile; the private view says so, the public view does not name the person
    linked = await api.json("PUT", link, token=w["clerk"], json={"email": w["expert_email"]})
    assert linked["person_linked"] is True
    public = await api.json("GET", f"/api/v1/experts/{w['profile']['id']}")
    assert "person_linked" not in public
    assert "contact" not in public
    # one profile per person: the colleague's profile cannot take the same account
    taken = await api.call(
        "PUT",
        f"/api/v1/experts/{w['colleague']['id']}/person",
        token=w["clerk"],
        json={"email": w["expert_email"]},
        expect=409,
    )
    assert taken.json()["code"] == "person_already_linked"


async def test_once_linked_consent_is_the_experts_alone_and_withdrawal_takes_the_profile_down(
    api: Any, admin_token: str, db: asyncpg.Connection
) -> None:
    w = await _world(api, admin_token)
    profile_id = w["profile"]["id"]
    # before the link, the clerk sending the consent back unchanged through the API records nothing either
    unlinked = await _consents(db, profile_id)
    await api.json(
        "PATCH",
        f"/api/v1/experts/{profile_id}",
        token=w["clerk"],
        json={"consent": {"publish": True, "contact": True}, "rate_fen_per_hour": 110_000},
    )
    assert await _consents(db, profile_id) == unlinked
    await api.json(
        "PUT", f"/api/v1/experts/{profile_id}/person", token=w["clerk"], json={"email": w["expert_email"]}
    )
    before = await _consents(db, profile_id)

    # the clerk can no longer change the consent, and nothing is recorded when they try
    refused = await api.call(
        "PATCH",
        f"/api/v1/experts/{profile_id}",
        token=w["clerk"],
        json={"consent": {"publish": True, "contact": False}},
        expect=403,
    )
    assert refused.json()["code"] == "consent_is_the_experts"
    assert await _consents(db, profile_id) == before
    # sending the consent back unchanged with an edit is no new consent: the edit saves, no row is added
    await api.json(
        "PATCH",
        f"/api/v1/experts/{profile_id}",
        token=w["clerk"],
        json={"consent": {"publish": True, "contact": True}, "rate_fen_per_hour": 120_000},
    )
    assert await _consents(db, profile_id) == before
    # the expert's own route changes consent and contact only; the rest of the profile is the organisation's
    wrong = await api.call(
        "PATCH", "/api/v1/me/expert-profile", token=w["expert"], json={"bio": "改写"}, expect=422
    )
    assert wrong.json()["errors"][0]["loc"] == ["body", "bio"]

    # the expert sees their profile, their contact and every consent, none yet their own
    mine = await api.json("GET", "/api/v1/me/expert-profile", token=w["expert"])
    assert mine["listing"]["id"] == profile_id
    assert mine["listing"]["contact"]["phone"] == "13912345678"
    assert mine["consents"]
    assert not any(c["by_self"] for c in mine["consents"])
    # another expert of the same organisation sees none of it
    _, _, colleague = await create_account(api, admin_token, org_id=w["uni"]["id"], role="expert")
    await api.call("GET", "/api/v1/me/expert-profile", token=colleague, expect=404)
    await api.call(
        "PATCH",
        "/api/v1/me/expert-profile",
        token=colleague,
        json={"consent": {"publish": False, "contact": False}},
        expect=404,
    )

    # the expert withdraws publishing: recorded as theirs, the profile is unpublished and leaves the index
    await api.json("GET", "/api/v1/search", params={"q": w["name"], "type": "expert"})
    withdrawn = await api.json(
        "PATCH",
        "/api/v1/me/expert-profile",
        token=w["expert"],
        json={"consent": {"publish": False, "contact": True}},
    )
    assert withdrawn["listing"]["status"] != "published"
    assert withdrawn["consents"][0]["by_self"] is True
    assert withdrawn["consents"][0]["publish"] is False
    latest = (await _consents(db, profile_id))[-1]
    assert (latest["publish"], latest["recorded_by_id"]) == (False, w["expert_id"])
    await api.wait_indexed(admin_token)
    found = await api.json("GET", "/api/v1/search", params={"q": w["name"], "type": "expert"})
    assert profile_id not in [hit["id"] for hit in found["items"]]
    await api.call("GET", f"/api/v1/experts/{profile_id}", expect=404)


async def test_the_expert_corrects_their_contact_and_it_stays_private(api: Any, admin_token: str) -> None:
    w = await _world(api, admin_token)
    profile_id = w["profile"]["id"]
    await api.json(
        "PUT", f"/api/v1/experts/{profile_id}/person", token=w["clerk"], json={"email": w["expert_email"]}
    )
    # a malformed phone is named, nothing saved
    bad = await api.call(
        "PATCH",
        "/api/v1/me/expert-profile",
        token=w["expert"],
        json={"contact": {"phone": "电话"}},
        expect=422,
    )
    assert "phone" in bad.json()["errors"][0]["loc"]
    # the correction is saved; the clerk sees it, the public and the index do not
    mine = await api.json(
        "PATCH",
        "/api/v1/me/expert-profile",
        token=w["expert"],
        json={"contact": {"phone": "023-65100000", "email": "li.new@contact.example.cn"}},
    )
    assert mine["listing"]["contact"] == {"phone": "023-65100000", "email": "li.new@contact.example.cn"}
    seen = await api.json("GET", f"/api/v1/experts/{profile_id}", token=w["clerk"])
    assert seen["contact"]["phone"] == "023-65100000"
    public = await api.json("GET", f"/api/v1/experts/{profile_id}")
    assert "contact" not in public
    await api.wait_indexed(admin_token)
    by_phone = await api.json("GET", "/api/v1/search", params={"q": "023-65100000"})
    assert profile_id not in [hit["id"] for hit in by_phone["items"]]
