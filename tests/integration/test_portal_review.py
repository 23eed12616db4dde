"""The admin review page: held edits of published listings and demands, shown beside the public text, with
their spam flags; approving or rejecting (with a reason) from the page."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.factories import create_listing, create_org, create_user, publish_listing, unique
from tests.integration.test_portal import Portal

pytestmark = pytest.mark.integration


@pytest.fixture
async def admin(stack: Any) -> AsyncIterator[Portal]:
    async with httpx.AsyncClient(base_url=stack.base, timeout=60, follow_redirects=False) as client:
        portal = Portal(client)
        await portal.login("admin@suite.techmarket.cn", "Suite-Admin-2026!")
        yield portal


async def test_held_listing_edit_is_reviewed_on_the_page(api, admin_token, db, admin):
    org = await create_org(api, admin_token)
    _, owner = await create_user(api, admin_token, org_id=org["id"])
    listing = await create_listing(api, owner, "achievement", title=unique("公开标题"))
    await publish_listing(api, owner, admin_token, "achievement", listing["id"])
    spam = unique("新标题 加微信 abc")
    await api.json("PATCH", f"/api/v1/achievements/{listing['id']}", token=owner, json={"title": spam})

    # the reviewer sees the public title beside the held one, flagged, with edit actions
    # (oldest first: in a full suite run the queue holds other tests' listings, so the reviewer pages on)
    marker = f'data-listing-id="{listing["id"]}"'
    for number in range(1, 500):
        page = await admin.page(f"/admin/review?page={number}")
        if marker in page or "data-listing-id=" not in page:
            break
    item = page[page.index(marker) :]
    item = item[: item.index("</li>")]
    assert "修改待审" in item
    assert listing["title"] in item
    assert spam in item
    assert "疑似联系方式" in item
    assert "微信" in item
    assert f'action="/admin/listings/achievement/{listing["id"]}/edit/publish"' in item

    # a rejection without a reason is refused and changes nothing
    await admin.post(f"/admin/listings/achievement/{listing['id']}/edit/reject", {"reason": ""}, expect=422)
    assert await db.fetchval(
        "SELECT pending_edit IS NOT NULL FROM catalog_listing WHERE id = $1", listing["id"]
    )

    # approving applies it
    await admin.post(f"/admin/listings/achievement/{listing['id']}/edit/publish", {})
    row = await db.fetchrow("SELECT title, pending_edit FROM catalog_listing WHERE id = $1", listing["id"])
    assert (row["title"], row["pending_edit"]) == (spam, None)


async def test_held_demand_edit_is_rejected_on_the_page_with_a_reason(api, admin_token, db, admin):
    org = await create_org(api, admin_token, kind="enterprise")
    _, owner = await create_user(api, admin_token, org_id=org["id"], role="enterprise")
    title = unique("求购导热膜技术")
    demand = await api.json(
        "POST",
        "/api/v1/demands",
        token=owner,
        expect=201,
        json={"title": title, "fields": ["materials"], "kind": "tech_problem"},
    )
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=owner)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin_token)
    await api.json(
        "PATCH", f"/api/v1/demands/{demand['id']}", token=owner, json={"description": "电话 13812345678"}
    )

    page = await admin.page("/admin/review")
    item = page[page.index(f'data-demand-id="{demand["id"]}"') :]
    item = item[: item.index("</li>")]
    assert "修改待审" in item
    assert "电话 13812345678" in item
    assert "手机号" in item
    await admin.post(f"/admin/demands/{demand['id']}/edit/reject", {"reason": "含站外联系方式"})

    row = await db.fetchrow(
        "SELECT title, description, pending_edit, reject_reason FROM demand_demand WHERE id = $1",
        demand["id"],
    )
    assert (row["title"], row["description"], row["pending_edit"]) == (title, "", None)
    assert row["reject_reason"] == "含站外联系方式"
