"""`techmarket reindex` rebuilds the demand index too: published demands come back from PostgreSQL."""

import asyncio
import os
from typing import Any

import httpx
import pytest

from tests.factories import create_org, create_user, unique
from tests.integration.conftest import BIN, ROOT
from tests.integration.test_indexing import ENGINE, alias_targets, engine_document

pytestmark = pytest.mark.integration


async def _demand(api: Any, buyer: str, admin: str, title: str, *, publish: bool) -> dict[str, Any]:
    made = await api.json(
        "POST",
        "/api/v1/demands",
        token=buyer,
        expect=201,
        json={
            "title": title,
            "description": "需要工业CT检测铸件内部缺陷。",
            "fields": ["manufacturing"],
            "kind": "testing",
        },
    )
    if publish:
        await api.json("POST", f"/api/v1/demands/{made['id']}/submit", token=buyer)
        await api.json("POST", f"/api/v1/demands/{made['id']}/publish", token=admin)
    return dict(made)


async def test_reindex_rebuilds_the_demand_index_from_the_database(
    api: Any, admin_token: str, db: Any
) -> None:
    # given a published demand in the engine and a draft that is not
    org = await create_org(api, admin_token, kind="enterprise")
    _, buyer = await create_user(api, admin_token, org_id=org["id"], role="enterprise")
    title = unique("压铸件工业CT无损检测需求")
    published = await _demand(api, buyer, admin_token, title, publish=True)
    draft = await _demand(api, buyer, admin_token, unique("草稿需求"), publish=False)
    await api.wait_indexed(admin_token)
    assert await engine_document("demand", published["id"]) is not None
    before = await alias_targets("demand")

    # and the demand's search copy lost (deleted behind the system's back)
    async with httpx.AsyncClient(base_url=ENGINE, timeout=30) as engine:
        prefix = os.environ["SEARCH_INDEX_PREFIX"]
        gone = await engine.delete(f"/{prefix}-demand/_doc/{published['id']}", params={"refresh": "true"})
        assert gone.status_code == 200
    assert await engine_document("demand", published["id"]) is None

    # when the operator runs `techmarket reindex`
    reindex = await asyncio.create_subprocess_exec(
        str(BIN / "techmarket"),
        "reindex",
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(reindex.communicate(), timeout=300)
    assert reindex.returncode == 0, err.decode()[-3000:]

    # then the demand alias points to a fresh index holding the published demand at its current version
    after = await alias_targets("demand")
    assert len(after) == 1
    assert after != before
    document = await engine_document("demand", published["id"])
    assert document is not None
    version = await db.fetchval("SELECT version FROM demand_demand WHERE id = $1", published["id"])
    assert document["_version"] == version
    assert document["_source"]["display"]["title"] == title
    # and nothing unpublished was copied in
    assert await engine_document("demand", draft["id"]) is None
    # and search finds it again as type=demand
    found = await api.json("GET", "/api/v1/search", params={"q": title, "type": "demand"})
    assert published["id"] in [item["id"] for item in found["items"]]
