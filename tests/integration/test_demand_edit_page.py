"""修改或撤回需求 in the portal: the enterprise edits its published demand — a change to its public text waits for
review while the published text stays, a budget change applies at once — reads the edit history, and withdraws
the demand. Another organisation can neither open the edit page nor change or withdraw the demand."""

from typing import Any

import asyncpg
import pytest

from tests.factories import create_org, unique
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
)
from tests.integration.test_workbench import CHALLENGE

pytestmark = pytest.mark.integration


async def test_an_enterprise_edits_its_published_demand_under_review_and_withdraws_it(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given an enterprise's published challenge, its member signed in
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    email = await make_user(api, admin_token, org_id=ent["id"], role="enterprise", name="研发部")
    token = await api.token(email, PASSWORD)
    title = unique("揭榜挂帅：手机散热用石墨烯导热膜")
    demand = await api.json(
        "POST", "/api/v1/demands", token=token, expect=201, json={**CHALLENGE, "title": title}
    )
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=token)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin_token)
    url = f"/demands/{demand['id']}"
    owner = portal_factory()
    await owner.login(email)
    assert f'href="{url}/edit"' in await owner.page(url)
    form = await owner.page(f"{url}/edit")
    assert f'value="{title}"' in form
    assert 'value="500000.00"' in form  # the budget's lower bound, in 元

    # when another organisation opens the edit page, posts an edit or withdraws it, then nothing changes
    other = await create_org(api, admin_token, kind="enterprise")
    stranger = portal_factory()
    await stranger.login(
        await make_user(api, admin_token, org_id=other["id"], role="enterprise", name="他企")
    )
    assert (await stranger.client.get(f"{url}/edit")).status_code in (403, 404)
    csrf = await stranger.token("/me/demands")
    for path, data in (
        (f"{url}/edit", {"title": "被篡改的标题", "kind": "challenge"}),
        (f"{url}/archive", {}),
    ):
        answer = await stranger.client.post(path, data={**data, "csrf_token": csrf})
        assert answer.status_code in (403, 404)
    row = await db.fetchrow(
        "SELECT title, status, pending_edit FROM demand_demand WHERE id = $1", demand["id"]
    )
    assert (row["title"], row["status"], row["pending_edit"]) == (title, "published", None)

    # when the owner changes the title, then the published title stays while the edit waits for review
    values = {
        "title": f"{title}（修订）",
        "kind": "challenge",
        "description": CHALLENGE["description"],
        "problem": CHALLENGE["problem"],
        "requirements": CHALLENGE["requirements"],
        "tried": CHALLENGE["tried"],
        "fields": "materials",
        "budget_min": "500000",
        "budget_max": "1500000",
        "region": "500107",
        "award": "2000000",
        "ip_terms": "shared",
        "confidentiality": "public",
        "hide_org": "1",
    }
    await owner.post(f"{url}/edit", values, token=await owner.token(f"{url}/edit"))
    row = await db.fetchrow("SELECT title, pending_edit FROM demand_demand WHERE id = $1", demand["id"])
    assert row["title"] == title
    assert row["pending_edit"] is not None
    history = await owner.page(f"{url}/edit")
    assert "修改了标题（待审核）" in history
    assert f'value="{title}（修订）"' in history

    # when the owner's budget is not a number, then it is said beside the field and nothing changes
    bad = await owner.post(
        f"{url}/edit", {**values, "budget_max": "一百万"}, token=await owner.token(f"{url}/edit"), expect=422
    )
    assert 'id="err-budget_max"' in bad.text

    # when the owner withdraws it, then it is archived and no longer editable
    await owner.post(f"{url}/archive", {}, token=await owner.token(f"{url}/edit"))
    assert await db.fetchval("SELECT status FROM demand_demand WHERE id = $1", demand["id"]) == "archived"
    assert f'href="{url}/edit"' not in await owner.page(url)
