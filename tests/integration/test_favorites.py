"""收藏: an enterprise saves listings from a listing's page and from its demand's match cards, finds them on 我的收藏
(filtered by type, newest first), writes a note and takes them out again; saving twice keeps one row. Attacker
side: another user neither sees nor removes someone's favourites, an unpublished listing of another organisation
cannot be saved, a match card of another organisation's demand cannot be attached, the redirect after a form
goes to a local path only, and a form without its CSRF token is refused."""

from typing import Any

import asyncpg
import pytest

from tests.factories import (
    create_listing,
    create_org,
    publish_demand,
    publish_listing,
    thermal_film_demand,
    unique,
)
from tests.integration.invariants import assert_problem
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    Portal,
    make_user,
    portal_factory,
    published_instrument,
    signed_in_enterprise,
)

pytestmark = pytest.mark.integration


async def _saved(db: asyncpg.Connection, email: str) -> dict[int, asyncpg.Record]:
    """The favourites of the user with this e-mail, by listing id."""
    rows = await db.fetch(
        "SELECT f.listing_id, f.match_id, f.note FROM favorites_favorite f "
        "JOIN accounts_user u ON u.id = f.user_id WHERE u.email = $1",
        email.lower(),
    )
    return {row["listing_id"]: row for row in rows}


async def _matched_demand(
    api: Any, admin: str, buyer_token: str, word: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], int]:
    """A university's published achievement and testing agency about `word`, and a published demand of the
    buyer asking for both: (university, achievement, agency, demand id) once the worker has matched them."""
    supply = await published_instrument(api, admin)
    achievement = await create_listing(
        api, supply["provider"], "achievement", title=f"{word}卷对卷制备技术", keywords=[word, "导热膜"]
    )
    agency = await create_listing(
        api, supply["provider"], "agency", name=f"{word}导热系数检测中心", keywords=[word, "导热系数测试"]
    )
    for kind, made in (("achievement", achievement), ("agency", agency)):
        await publish_listing(api, supply["provider"], admin, kind, made["id"])
    demand = await publish_demand(api, buyer_token, admin, thermal_film_demand(word))
    await api.wait_indexed(admin)
    return supply["org"], achievement, agency, int(demand["id"])


async def test_an_enterprise_saves_from_a_listing_page_and_a_match_card_notes_and_removes(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given an enterprise signed in whose published demand is matched to an achievement and an agency
    buyer: Portal = portal_factory()
    who = await signed_in_enterprise(api, admin_token, buyer)
    buyer_token = await api.token(who["email"], PASSWORD)
    supply_org, achievement, agency, demand_id = await _matched_demand(
        api, admin_token, buyer_token, unique("石墨烯导热膜")
    )
    match_ids = {
        row["listing_id"]: row["id"]
        for row in await db.fetch("SELECT id, listing_id FROM demand_match WHERE demand_id = $1", demand_id)
    }
    assert {achievement["id"], agency["id"]} <= match_ids.keys()
    listing_path = f"/listings/achievement/{achievement['id']}"

    # when it opens the achievement's page, then it offers 收藏 (not yet saved)
    page = await buyer.page(listing_path)
    assert f'action="/me/favorites/{achievement["id"]}"' in page
    assert 'aria-pressed="false">收藏</button>' in page

    # when it saves the achievement there, then it comes back to the page, which now says 已收藏
    saved = await buyer.post(
        f"/me/favorites/{achievement['id']}", {"next": listing_path}, token=await buyer.token(listing_path)
    )
    assert saved.headers["location"] == f"{listing_path}?notice=favorite_saved"
    assert (await _saved(db, who["email"]))[achievement["id"]]["match_id"] is None
    page = await buyer.page(listing_path)
    assert 'aria-pressed="true" title="点击取消收藏">已收藏</button>' in page
    assert f'action="/me/favorites/{achievement["id"]}/remove"' in page

    # and saving it again (a second tab) keeps the one row
    await buyer.post(f"/me/favorites/{achievement['id']}", {"next": listing_path})
    assert (
        await db.fetchval(
            "SELECT count(*) FROM favorites_favorite f JOIN accounts_user u ON u.id = f.user_id "
            "WHERE u.email = $1 AND f.listing_id = $2",
            who["email"].lower(),
            achievement["id"],
        )
        == 1
    )

    # when it saves the agency from its match card on the demand's page, then the favourite names the match
    demand_path = f"/demands/{demand_id}"
    cards = await buyer.page(f"{demand_path}?all=1")
    assert f'<input type="hidden" name="match_id" value="{match_ids[agency["id"]]}">' in cards
    from_card = await buyer.post(
        f"/me/favorites/{agency['id']}",
        {"next": demand_path, "match_id": str(match_ids[agency["id"]])},
        token=await buyer.token(demand_path),
    )
    assert from_card.headers["location"] == f"{demand_path}?notice=favorite_saved"
    assert (await _saved(db, who["email"]))[agency["id"]]["match_id"] == match_ids[agency["id"]]
    # and both cards now say 已收藏, each with its remove form
    cards = await buyer.page(f"{demand_path}?all=1")
    for listing_id in (achievement["id"], agency["id"]):
        assert f'action="/me/favorites/{listing_id}/remove"' in cards

    # then 我的收藏 lists both, newest first, with type, provider, price; the type filter keeps one
    mine = await buyer.page("/me/favorites")
    assert "<h1>我的收藏</h1>" in mine
    assert mine.index(f'data-listing-id="{agency["id"]}"') < mine.index(
        f'data-listing-id="{achievement["id"]}"'
    )
    assert "来自需求匹配推荐" in mine
    assert "价格：800.00 元" in mine
    assert "价格：50.00 – 120.00 万元" in mine
    only_agencies = await buyer.page("/me/favorites?type=agency")
    assert f'data-listing-id="{agency["id"]}"' in only_agencies
    assert f'data-listing-id="{achievement["id"]}"' not in only_agencies
    assert "还没有收藏这一类的资源" in await buyer.page("/me/favorites?type=instrument")
    listed = await api.json("GET", "/api/v1/favorites", token=buyer_token)
    assert [item["listing_id"] for item in listed["items"]] == [agency["id"], achievement["id"]]
    first = listed["items"][0]
    assert (first["listing_type"], first["published"], first["match_id"]) == (
        "agency",
        True,
        match_ids[agency["id"]],
    )
    assert first["org_name"] == supply_org["name"]
    assert first["title"] == agency["name"]
    assert first["saved_at"]
    assert (listed["items"][1]["price_min_fen"], listed["items"][1]["price_max_fen"]) == (
        50_000_000,
        120_000_000,
    )

    # when it writes a note on 我的收藏, then the note is kept and shown; an over-long one is refused beside it
    await buyer.post(
        f"/me/favorites/{achievement['id']}/note",
        {"note": "适合二期项目，下周联系", "next": "/me/favorites?page=1"},
        token=await buyer.token("/me/favorites"),
    )
    assert (await _saved(db, who["email"]))[achievement["id"]]["note"] == "适合二期项目，下周联系"
    assert 'value="适合二期项目，下周联系"' in await buyer.page("/me/favorites")
    too_long = await buyer.post(
        f"/me/favorites/{achievement['id']}/note",
        {"note": "长" * 201},
        token=await buyer.token("/me/favorites"),
        expect=422,
    )
    assert f'id="err-note-{achievement["id"]}"' in too_long.text
    assert (await _saved(db, who["email"]))[achievement["id"]]["note"] == "适合二期项目，下周联系"

    # when it removes the achievement on 我的收藏, then it is gone and its page offers 收藏 again
    removed = await buyer.post(
        f"/me/favorites/{achievement['id']}/remove",
        {"next": "/me/favorites"},
        token=await buyer.token("/me/favorites"),
    )
    assert removed.headers["location"] == "/me/favorites?notice=favorite_removed"
    assert achievement["id"] not in await _saved(db, who["email"])
    assert 'aria-pressed="false">收藏</button>' in await buyer.page(listing_path)

    # attacker side: another organisation's member cannot attach this demand's match card to a favourite
    other = await signed_in_enterprise(api, admin_token, portal_factory())
    other_token = await api.token(other["email"], PASSWORD)
    foreign = await api.call(
        "PUT",
        f"/api/v1/favorites/{agency['id']}",
        token=other_token,
        json={"match_id": match_ids[agency["id"]]},
    )
    assert assert_problem(foreign, 404)["code"] == "match_not_found"
    assert await _saved(db, other["email"]) == {}
    # and the buyer's own match card cannot be attached to a listing it does not propose
    mismatched = await api.call(
        "PUT",
        f"/api/v1/favorites/{achievement['id']}",
        token=buyer_token,
        json={"match_id": match_ids[agency["id"]]},
    )
    assert assert_problem(mismatched, 422, ["body", "match_id"])["code"] == "match_listing_mismatch"
    assert achievement["id"] not in await _saved(db, who["email"])


async def test_the_api_saves_idempotently_and_keeps_each_users_favourites_their_own(
    api: Any, admin_token: str, db: asyncpg.Connection
) -> None:
    # given a provider's published achievement and its draft, and two enterprise members of different companies
    supply = await published_instrument(api, admin_token)
    published = await create_listing(api, supply["provider"], "achievement")
    await publish_listing(api, supply["provider"], admin_token, "achievement", published["id"])
    draft = await create_listing(api, supply["provider"], "achievement")
    companies = [await create_org(api, admin_token, kind="enterprise") for _ in range(2)]
    owner_email = await make_user(
        api, admin_token, org_id=companies[0]["id"], role="enterprise", name="收藏者"
    )
    owner = await api.token(owner_email, PASSWORD)
    intruder_email = await make_user(
        api, admin_token, org_id=companies[1]["id"], role="enterprise", name="他企"
    )
    intruder = await api.token(intruder_email, PASSWORD)
    path = f"/api/v1/favorites/{published['id']}"

    # when the owner saves twice, the second time with a note, then one row, 200 both times, the note kept
    first = await api.json("PUT", path, token=owner)
    again = await api.json("PUT", path, token=owner, json={"note": "  价格可谈  "})
    assert (first["listing_id"], first["note"], first["published"]) == (published["id"], "", True)
    assert (again["note"], again["saved_at"]) == ("价格可谈", first["saved_at"])
    assert (await api.json("PUT", path, token=owner))["note"] == "价格可谈"  # no body keeps the note
    assert list(await _saved(db, owner_email)) == [published["id"]]

    # then the other user lists none of them, and cannot remove the owner's
    assert (await api.json("GET", "/api/v1/favorites", token=intruder))["items"] == []
    gone = await api.call("DELETE", path, token=intruder)
    assert assert_problem(gone, 404)["code"] == "favorite_not_found"
    assert list(await _saved(db, owner_email)) == [published["id"]]

    # and nobody saves a draft of another organisation, or a listing that does not exist
    for listing_id in (draft["id"], 9_000_000_000):
        refused = await api.call("PUT", f"/api/v1/favorites/{listing_id}", token=intruder, json={"note": "x"})
        assert assert_problem(refused, 404)["code"] == "listing_not_found"
    assert await _saved(db, intruder_email) == {}

    # and bad input is a 4xx naming the problem, never a 500; the anonymous are asked to sign in
    for body, loc in (
        ({"note": "长" * 201}, ["body", "note"]),
        ({"match_id": "abc"}, ["body", "match_id"]),
        ({"match_id": 0}, ["body", "match_id"]),
        ({"listing_id": 1}, ["body", "listing_id"]),
    ):
        assert_problem(await api.call("PUT", path, token=owner, json=body), 422, loc)
    assert_problem(await api.call("PUT", "/api/v1/favorites/abc", token=owner), 422, ["path", "listing_id"])
    assert_problem(await api.call("GET", "/api/v1/favorites?type=robot", token=owner), 422, ["query", "type"])
    assert_problem(await api.call("GET", "/api/v1/favorites?size=101", token=owner), 422, ["query", "size"])
    assert_problem(await api.call("GET", "/api/v1/favorites"), 401)
    assert_problem(await api.call("PUT", path), 401)

    # when the provider archives the listing, then the favourite stays, marked no longer published, and its
    # note stays editable; nobody saves it anew
    await api.json("DELETE", f"/api/v1/achievements/{published['id']}", token=supply["provider"])
    (item,) = (await api.json("GET", "/api/v1/favorites?type=achievement", token=owner))["items"]
    assert (item["listing_id"], item["published"]) == (published["id"], False)
    assert (await api.json("PUT", path, token=owner, json={"note": "已下架"}))["note"] == "已下架"
    assert_problem(await api.call("PUT", path, token=intruder), 404)
    assert await _saved(db, intruder_email) == {}

    # when the owner removes it, then 204 and it is gone; removing it again is 404
    await api.call("DELETE", path, token=owner, expect=204)
    assert await _saved(db, owner_email) == {}
    assert_problem(await api.call("DELETE", path, token=owner), 404)


async def test_the_portal_forms_go_back_to_local_paths_only_and_need_their_csrf_token(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a published instrument and a signed-in enterprise member
    supply = await published_instrument(api, admin_token)
    instrument_id = supply["instrument"]["id"]
    buyer: Portal = portal_factory()
    who = await signed_in_enterprise(api, admin_token, buyer)

    # when a form posts without its CSRF token, then it is refused and nothing is saved
    await buyer.post(f"/me/favorites/{instrument_id}", {"next": "/"}, token=None, expect=403)
    await buyer.post(f"/me/favorites/{instrument_id}", {}, token="forged-token", expect=403)
    assert await _saved(db, who["email"]) == {}

    # when the form's next is another site (or smuggled as one), then the redirect stays on this site
    for evil in ("https://evil.example", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        done = await buyer.post(f"/me/favorites/{instrument_id}", {"next": evil})
        assert done.headers["location"] == "/me/favorites?notice=favorite_saved", evil
    assert list(await _saved(db, who["email"])) == [instrument_id]
    back = await buyer.post(f"/me/favorites/{instrument_id}/remove", {"next": "https://evil.example/phish"})
    assert back.headers["location"] == "/me/favorites?notice=favorite_removed"

    # when another user's portal removes the buyer's favourite, then it is not theirs to remove
    await buyer.post(f"/me/favorites/{instrument_id}", {"next": f"/listings/instrument/{instrument_id}"})
    intruder: Portal = portal_factory()
    await signed_in_enterprise(api, admin_token, intruder)
    await intruder.post(f"/me/favorites/{instrument_id}/remove", {}, expect=404)
    await intruder.post(f"/me/favorites/{instrument_id}/note", {"note": "改别人的备注"}, expect=404)
    assert (await _saved(db, who["email"]))[instrument_id]["note"] == ""
    assert f'data-listing-id="{instrument_id}"' not in await intruder.page("/me/favorites")

    # and a visitor is offered to sign in first
    visitor: Portal = portal_factory()
    listing = await visitor.page(f"/listings/instrument/{instrument_id}")
    assert "登录后收藏" in listing
    assert f'action="/me/favorites/{instrument_id}"' not in listing
    await visitor.page("/me/favorites", expect=303)
