"""Candidate retrieval on the real engine: among equally relevant supply the most recently published comes first,
so a new listing is not crowded out of a demand's candidates by older copies of itself."""

from typing import Any

import pytest

from matching.candidates import candidate_facts
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


async def test_a_need_finds_the_instrument_whose_kind_measures_it_though_its_listing_does_not_say_so(
    api: Any, admin_token: str
) -> None:
    # given a vector network analyser whose listing only says S参数, and a microscope, both published
    org = await create_org(api, admin_token)
    _, provider = await create_user(api, admin_token, org_id=org["id"], role="provider")
    model = unique("VNA")
    text = "可开展射频器件S参数测试。"
    vna = await create_listing(
        api,
        provider,
        "instrument",
        title=f"矢量网络分析仪（{model}）",
        name="矢量网络分析仪",
        model=model,
        category="0402",
        summary=text,
        description=text,
        keywords=[model],
    )
    sem = await create_listing(api, provider, "instrument")
    for listing in (vna, sem):
        await publish_listing(api, provider, admin_token, "instrument", listing["id"])
    await api.wait_indexed(admin_token)

    try:
        # when a demand asks for the dielectric constant and loss tangent of a laminate, naming no instrument
        found = await search_service.match_candidates(
            "覆铜板换了供应商，要实测板材的介电常数和损耗角正切", [], ["instrument"], per_type=80
        )
    finally:
        await client.close_engine()

    # then the analyser is a candidate, through what its kind measures; the microscope is not
    ids = {int(hit["display"]["id"]) for hit in found}
    assert "介电常数" not in vna["description"]
    assert vna["id"] in ids
    assert sem["id"] not in ids
    # and the hit carries what the reason needs: the kind's measurands, from the card's own fields
    hit = next(hit for hit in found if int(hit["display"]["id"]) == vna["id"])
    assert "介电常数" in candidate_facts(hit["display"], hit["words"], hit["score"]).measures
