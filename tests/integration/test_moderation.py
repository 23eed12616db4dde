"""Moderation: a material edit to a published listing is held for review; the published text stays public."""

from typing import Any

import pytest

from tests.factories import create_listing, create_org, create_user, publish_listing, unique

pytestmark = pytest.mark.integration
SPAM_TITLE = "加微信 abc123"


async def _published(api: Any, admin: str) -> tuple[str, dict[str, Any]]:
    org = await create_org(api, admin)
    _, owner = await create_user(api, admin, org_id=org["id"])
    listing = await create_listing(api, owner, "achievement")
    await publish_listing(api, owner, admin, "achievement", listing["id"])
    return owner, listing


async def _search_ids(api: Any, q: str) -> list[int]:
    found = await api.json("GET", "/api/v1/search", params={"q": q})
    return [item["id"] for item in found["items"]]


async def _queue_item(api: Any, admin: str, listing_id: int) -> dict[str, Any] | None:
    queue = await api.json("GET", "/api/v1/admin/review-queue", token=admin, params={"size": 100})
    return next((item for item in queue["items"] if item["id"] == listing_id), None)


async def test_material_edit_is_held_until_approved(api, admin_token):
    owner, listing = await _published(api, admin_token)
    listing_id, old_title = listing["id"], listing["title"]
    path = f"/api/v1/achievements/{listing_id}"

    # when the owner puts contact details into the title of the published listing
    edited = await api.json("PATCH", path, token=owner, json={"title": SPAM_TITLE})
    assert edited["status"] == "published"
    assert edited["title"] == old_title
    assert edited["pending_edit"]["text"]["title"] == SPAM_TITLE
    await api.wait_indexed(admin_token)

    # then the public still sees the published text, in the detail and in search
    public = await api.json("GET", path)
    assert public["title"] == old_title
    assert "pending_edit" not in public
    assert listing_id in await _search_ids(api, old_title)
    assert listing_id not in await _search_ids(api, "abc123")

    # and the reviewer sees the held edit with its contact flag
    item = await _queue_item(api, admin_token, listing_id)
    assert item is not None
    assert item["status"] == "published"
    assert item["pending_edit"]["text"]["title"] == SPAM_TITLE
    assert item["flags"] == ["wechat"]

    # when an admin approves it, the new title is public and searchable
    approved = await api.json("POST", f"{path}/edit/approve", token=admin_token)
    assert approved["title"] == SPAM_TITLE
    assert "pending_edit" not in approved
    await api.wait_indexed(admin_token)
    assert (await api.json("GET", path))["title"] == SPAM_TITLE
    assert listing_id in await _search_ids(api, "abc123")
    assert await _queue_item(api, admin_token, listing_id) is None

    # and a second approval has nothing to apply
    again = await api.call("POST", f"{path}/edit/approve", token=admin_token)
    assert again.status_code == 409
    assert again.json()["code"] == "no_pending_edit"


async def test_rejected_edit_is_discarded_and_the_published_text_stays(api, admin_token):
    owner, listing = await _published(api, admin_token)
    path = f"/api/v1/achievements/{listing['id']}"
    new_summary = unique("联系 13812345678 获取资料")
    await api.json("PATCH", path, token=owner, json={"summary": new_summary})
    item = await _queue_item(api, admin_token, listing["id"])
    assert item is not None
    assert item["flags"] == ["mobile"]

    rejected = await api.json("POST", f"{path}/edit/reject", token=admin_token, json={"reason": "含联系方式"})
    assert rejected["summary"] == listing["summary"]
    assert rejected["reject_reason"] == "含联系方式"
    assert "pending_edit" not in rejected
    assert (await api.json("GET", path))["summary"] == listing["summary"]
    assert await _queue_item(api, admin_token, listing["id"]) is None
    history = await api.json("GET", f"{path}/history", token=owner)
    assert [r["action"] for r in history][:2] == ["reject_edit", "edit_submitted"]


async def test_only_admins_review_edits(api, admin_token):
    owner, listing = await _published(api, admin_token)
    path = f"/api/v1/achievements/{listing['id']}"
    await api.json("PATCH", path, token=owner, json={"title": SPAM_TITLE})
    stranger_org = await create_org(api, admin_token)
    _, stranger = await create_user(api, admin_token, org_id=stranger_org["id"])

    # neither another organisation nor the owner may approve their own edit
    for token in (stranger, owner):
        response = await api.call("POST", f"{path}/edit/approve", token=token)
        assert response.status_code == 403, response.text
        response = await api.call("POST", f"{path}/edit/reject", token=token, json={"reason": "x"})
        assert response.status_code == 403, response.text
    assert (await api.call("GET", "/api/v1/admin/review-queue", token=stranger)).status_code == 403
    # nor may another organisation edit the listing at all
    assert (await api.call("PATCH", path, token=stranger, json={"title": "劫持"})).status_code == 403
    assert (await api.json("GET", path))["title"] == listing["title"]
    assert (await _queue_item(api, admin_token, listing["id"]))["pending_edit"]["text"]["title"] == SPAM_TITLE


async def test_price_edit_applies_at_once_and_later_edits_build_on_the_held_one(api, admin_token):
    owner, listing = await _published(api, admin_token)
    path = f"/api/v1/achievements/{listing['id']}"
    price = {"mode": "range", "min_fen": 10_000_000, "max_fen": 20_000_000}

    # a non-material edit of a listing without a held edit is live at once
    edited = await api.json("PATCH", path, token=owner, json={"price": price})
    assert edited["price_min_fen"] == 10_000_000
    assert "pending_edit" not in edited
    assert await _queue_item(api, admin_token, listing["id"]) is None

    # once an edit is held, further edits join it rather than going live around the review
    await api.json("PATCH", path, token=owner, json={"title": "新标题 石墨烯"})
    held = await api.json("PATCH", path, token=owner, json={"description": "新描述 见 www.spam-shop.com"})
    assert held["description"] == listing["description"]
    assert held["pending_edit"]["text"]["title"] == "新标题 石墨烯"
    assert held["pending_edit"]["flags"] == ["url"]
    approved = await api.json("POST", f"{path}/edit/approve", token=admin_token)
    assert approved["title"] == "新标题 石墨烯"
    assert approved["description"] == "新描述 见 www.spam-shop.com"
    assert approved["price_min_fen"] == 10_000_000


async def test_new_listings_in_the_queue_carry_spam_flags(api, admin_token):
    org = await create_org(api, admin_token)
    _, owner = await create_user(api, admin_token, org_id=org["id"])
    listing = await create_listing(api, owner, "achievement", description="合作请联系 QQ：123456789")
    await api.json("POST", f"/api/v1/achievements/{listing['id']}/submit", token=owner)
    item = await _queue_item(api, admin_token, listing["id"])
    assert item is not None
    assert item["status"] == "pending"
    assert item["flags"] == ["qq"]


async def _published_demand(api: Any, admin: str) -> tuple[str, dict[str, Any]]:
    org = await create_org(api, admin, kind="enterprise")
    _, owner = await create_user(api, admin, org_id=org["id"], role="enterprise")
    demand = await api.json(
        "POST",
        "/api/v1/demands",
        token=owner,
        expect=201,
        json={
            "title": unique("求购石墨烯导热膜量产工艺"),
            "description": "手机散热用导热膜，需要量产工艺。",
            "fields": ["materials"],
            "kind": "tech_problem",
            "budget": {"min_fen": 10_000_000, "max_fen": 50_000_000},
        },
    )
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=owner)
    published = await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin)
    return owner, dict(published)


async def _demand_queue_item(api: Any, admin: str, demand_id: int) -> dict[str, Any] | None:
    queue = await api.json("GET", "/api/v1/admin/review-queue/demands", token=admin, params={"size": 100})
    return next((item for item in queue["items"] if item["id"] == demand_id), None)


async def test_material_edit_of_a_published_demand_is_held_until_approved(api, admin_token):
    owner, demand = await _published_demand(api, admin_token)
    path = f"/api/v1/demands/{demand['id']}"
    reader_org = await create_org(api, admin_token, kind="university")
    _, reader = await create_user(api, admin_token, org_id=reader_org["id"])

    # when the enterprise puts a WeChat id into the problem text of its published demand
    edited = await api.json(
        "PATCH",
        path,
        token=owner,
        json={"problem": "详情加微信 abc123", "budget": {"min_fen": 20_000_000, "max_fen": 60_000_000}},
    )
    assert (edited["status"], edited["problem"]) == ("published", "")
    assert edited["pending_edit"]["text"]["problem"] == "详情加微信 abc123"
    assert edited["pending_edit"]["flags"] == ["wechat"]
    assert set(edited["pending_edit"]["changes"]) == {"problem", "budget"}
    # (the budget change rides with the held edit: nothing of it is live before review)
    assert edited["budget"] == {"min_fen": 10_000_000, "max_fen": 50_000_000}

    # then other readers see the published demand only, without the held edit
    seen = await api.json("GET", path, token=reader)
    assert (seen["problem"], seen["pending_edit"]) == ("", None)
    item = await _demand_queue_item(api, admin_token, demand["id"])
    assert item is not None
    assert item["pending_edit"]["flags"] == ["wechat"]

    # and neither the enterprise nor a stranger may approve it; an admin may
    for token in (owner, reader):
        assert (await api.call("POST", f"{path}/edit/approve", token=token)).status_code == 403
    approved = await api.json("POST", f"{path}/edit/approve", token=admin_token)
    assert approved["problem"] == "详情加微信 abc123"
    assert approved["budget"] == {"min_fen": 20_000_000, "max_fen": 60_000_000}
    assert approved["pending_edit"] is None
    assert await _demand_queue_item(api, admin_token, demand["id"]) is None
    again = await api.call("POST", f"{path}/edit/approve", token=admin_token)
    assert (again.status_code, again.json()["code"]) == (409, "no_pending_edit")


async def test_rejected_demand_edit_needs_a_reason_and_keeps_the_published_text(api, admin_token):
    owner, demand = await _published_demand(api, admin_token)
    path = f"/api/v1/demands/{demand['id']}"
    await api.json("PATCH", path, token=owner, json={"title": "联系 13812345678"})
    await api.json("PATCH", path, token=owner, json={"description": "见 www.spam-shop.com"})

    # a further edit joined the held one
    item = await _demand_queue_item(api, admin_token, demand["id"])
    assert item is not None
    assert item["pending_edit"]["text"]["title"] == "联系 13812345678"
    assert item["pending_edit"]["flags"] == ["mobile", "url"]

    assert (
        await api.call("POST", f"{path}/edit/reject", token=admin_token, json={"reason": ""})
    ).status_code == 422
    rejected = await api.json("POST", f"{path}/edit/reject", token=admin_token, json={"reason": "含联系方式"})
    assert (rejected["title"], rejected["description"]) == (demand["title"], demand["description"])
    assert (rejected["reject_reason"], rejected["pending_edit"]) == ("含联系方式", None)
    revisions = await api.json("GET", f"{path}/revisions", token=owner)
    assert any(r["changes"].get("review") == "reject_edit" for r in revisions)


async def test_non_text_demand_edits_and_admin_edits_apply_at_once(api, admin_token):
    owner, demand = await _published_demand(api, admin_token)
    path = f"/api/v1/demands/{demand['id']}"

    edited = await api.json("PATCH", path, token=owner, json={"deadline": "2027-06-30"})
    assert (edited["deadline"], edited["pending_edit"]) == ("2027-06-30", None)

    by_admin = await api.json(
        "PATCH", path, token=admin_token, json={"title": "求购导热膜工艺（管理员修订）"}
    )
    assert (by_admin["title"], by_admin["pending_edit"]) == ("求购导热膜工艺（管理员修订）", None)
    assert await _demand_queue_item(api, admin_token, demand["id"]) is None
