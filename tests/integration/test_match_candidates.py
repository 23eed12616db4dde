"""Candidate retrieval on the real engine: among equally relevant supply the most recently published comes first,
so a new listing is not crowded out of a demand's candidates by older copies of itself."""

from typing import Any

import pytest

from search import client
from search import service as search_service
from tests.factories import create_listing, create_org, create_user, publish_listing, unique

pytestmark = pytest.mark.integration


async def test_equal_candidates_go_to_the_most_recently_published(api: Any, admin_token: str) -> None:
    # given three achievements with the same title and keywords, published one after another
    word = unique("导热膜")
    org = await create_org(api, admin_token)
    _, provider = await create_user(api, admin_token, org_id=org["id"], role="provider")
    published = []
    for _ in range(3):
        listing = await create_listing(
            api, provider, "achievement", title=f"{word}卷对卷制备技术", keywords=[word]
        )
        await publish_listing(api, provider, admin_token, "achievement", listing["id"])
        published.append(listing["id"])
    await api.wait_indexed(admin_token)

    try:
        # when a demand asking for that word takes only the best two achievements
        found = await search_service.match_candidates(
            f"需要{word}卷对卷制备技术", [], ["achievement"], per_type=2
        )
    finally:
        await client.close_engine()

    # then they tie on relevance and the two newest are taken, newest first; the oldest is the one left out
    ids = [int(hit["display"]["id"]) for hit in found]
    assert ids == [published[2], published[1]]
    assert found[0]["score"] == found[1]["score"] > 0
