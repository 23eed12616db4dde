"""Re-matching: supply published after a demand joins that demand's matches once the worker has run."""

from typing import Any

import pytest

from tests.factories import create_listing, create_org, create_user, publish_listing, unique
from tests.integration.test_workbench import CHALLENGE

pytestmark = pytest.mark.integration


async def _match_ids(api: Any, token: str, demand_id: int) -> dict[int, dict[str, Any]]:
    found = await api.json("GET", f"/api/v1/demands/{demand_id}/matches", token=token, params={"limit": 100})
    return {item["id"]: item for item in found["items"]}


async def test_supply_published_after_a_demand_is_matched_to_it_with_reasons(
    api: Any, admin_token: str
) -> None:
    # given a published demand, matched while the answering achievement did not exist yet
    buyer_org = await create_org(api, admin_token, kind="enterprise", region="500107")
    _, buyer = await create_user(api, admin_token, org_id=buyer_org["id"], role="enterprise")
    demand = await api.json("POST", "/api/v1/demands", token=buyer, expect=201, json=CHALLENGE)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=buyer)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin_token)
    await api.wait_indexed(admin_token)
    before = await _match_ids(api, buyer, demand["id"])

    # when a provider publishes an achievement that answers it
    provider_org = await create_org(api, admin_token)
    _, provider = await create_user(api, admin_token, org_id=provider_org["id"], role="provider")
    listing = await create_listing(api, provider, "achievement", title=unique("石墨烯导热膜制备技术"))
    await publish_listing(api, provider, admin_token, "achievement", listing["id"])
    await api.wait_indexed(admin_token)

    # then the demand was re-matched: the new achievement is among its matches, explained
    after = await _match_ids(api, buyer, demand["id"])
    assert listing["id"] not in before
    assert listing["id"] in after, "the demand was not re-matched when answering supply was published"
    reasons = after[listing["id"]]["reasons"]
    assert {"keywords", "field"} <= {reason["feature"] for reason in reasons}
