"""The request bodies of search/queries.py sent to the real engine: what each parameter finds, not how it is
spelled. One throwaway index holds a handful of documents built like the indexer builds them."""

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from search import client
from search.documents import build_document
from search.indices import index_body
from search.queries import SearchParams, build_search, build_suggest

pytestmark = pytest.mark.integration


def snapshot(listing_id: int, listing_type: str = "instrument", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": listing_id,
        "type": listing_type,
        "status": "published",
        "org_id": 1,
        "title": f"测试资源{listing_id}",
        "name": f"测试资源{listing_id}",
        "summary": "",
        "description": "",
        "keywords": [],
        "fields": [],
        "region": "500106",
        "published_at": f"2026-01-{listing_id:02d}T00:00:00+00:00",
    }
    data.update(overrides)
    return data


SNAPSHOTS = [
    snapshot(
        1, fields=["ic"], region="500107", maturity="pilot", price_min_fen=2_000_000, price_max_fen=3_000_000
    ),
    snapshot(2, fields=["ai"], region="510104", maturity="lab", price_min_fen=500_000, price_max_fen=900_000),
    snapshot(3, fields=["materials"], region="110101", price_min_fen=6_000_000, price_max_fen=8_000_000),
    snapshot(
        4, fields=["ic", "materials"], region="510302", price_min_fen=4_000_000, price_max_fen=9_000_000
    ),
    snapshot(5, status="archived", fields=["ic"], region="500107", maturity="pilot"),
    # two labs with one model, and a third instrument of another model
    snapshot(6, title="场发射扫描电镜", name="场发射扫描电镜", model="Qz9000", region="500106"),
    snapshot(7, title="场发射扫描电镜", name="场发射扫描电镜", model="Qz9000", region="500107"),
    # the same need served by an expert and an agency with the very same words
    snapshot(8, "expert", name="医学影像咨询", title="教授", summary="医学影像咨询"),
    snapshot(9, "agency", title="医学影像咨询", summary="医学影像咨询"),
    snapshot(10, "agency", title="专利申请代理", summary="patent filing"),
    snapshot(11, "expert", name="专利申请代理", title="专利代理师", summary="patent filing"),
    # suggestions: a title that starts with 集成电路, a keyword that says it, and a repeated title
    snapshot(12, "achievement", title="集成电路封装工艺", keywords=["先进封装"]),
    snapshot(13, "achievement", title="功率芯片", keywords=["集成电路"]),
    snapshot(14, "achievement", title="集成电路封装工艺", keywords=["先进封装"]),
    # English words
    snapshot(15, "achievement", title="Plonkish arithmetisation prover"),
]
PUBLISHED = {s["id"] for s in SNAPSHOTS if s["status"] == "published"}


@pytest.fixture(scope="module")
async def index() -> AsyncIterator[str]:
    name = f"{os.environ['SEARCH_INDEX_PREFIX']}-querytest-{uuid.uuid4().hex[:8]}"
    await client.create_index(name, index_body())
    operations: list[dict[str, Any]] = []
    for snap in SNAPSHOTS:
        operations += [{"index": {"_index": name, "_id": str(snap["id"])}}, build_document(snap)]
    result = await client.bulk(operations, refresh_after=True)
    assert not result.get("errors"), result
    try:
        yield name
    finally:
        await client.delete_index(name)
        await client.close_engine()


async def ids(index: str, body: dict[str, Any]) -> list[int]:
    body = {**body, "size": 50}
    body.pop("from", None)
    found = await client.search(index, body)
    return [int(hit["_id"]) for hit in found["hits"]["hits"]]


async def found_ids(index: str, params: SearchParams) -> set[int]:
    return set(await ids(index, build_search(params)))


async def test_without_text_everything_published_is_found_and_counted_by_field(index: str) -> None:
    # when nothing is typed and nothing is filtered
    found = await client.search(index, {**build_search(SearchParams()), "size": 50})

    # then every published document comes back, the archived one never, and the field facet counts them
    assert {int(hit["_id"]) for hit in found["hits"]["hits"]} == PUBLISHED
    assert found["hits"]["total"]["value"] == len(PUBLISHED)
    fields = {b["key"]: b["doc_count"] for b in found["aggregations"]["field"]["values"]["buckets"]}
    assert fields == {"ic": 2, "ai": 1, "materials": 2}
    types = {b["key"]: b["doc_count"] for b in found["aggregations"]["type"]["values"]["buckets"]}
    assert types == {"instrument": 6, "expert": 2, "agency": 2, "achievement": 4}


async def test_a_field_filter_keeps_listings_in_any_of_the_fields(index: str) -> None:
    assert await found_ids(index, SearchParams(fields=("ic", "ai"))) == {1, 2, 4}
    assert await found_ids(index, SearchParams(fields=("materials",))) == {3, 4}


async def test_a_region_filter_takes_a_district_exactly_and_a_city_or_province_with_all_beneath(
    index: str,
) -> None:
    # a district: only that district
    assert await found_ids(index, SearchParams(regions=("500107",))) == {1, 7}
    # a city (ends in 00): its districts
    assert await found_ids(index, SearchParams(regions=("510100",))) == {2}
    # a province (ends in 0000): every district in it
    assert await found_ids(index, SearchParams(regions=("500000",))) == PUBLISHED - {2, 3, 4}
    # several: any of them
    assert await found_ids(index, SearchParams(regions=("500107", "510100", "110000"))) == {1, 2, 3, 7}


async def test_a_maturity_filter_keeps_that_maturity(index: str) -> None:
    assert await found_ids(index, SearchParams(maturity=("pilot",))) == {1}


async def test_a_price_filter_keeps_every_price_range_that_overlaps_it(index: str) -> None:
    # given ranges 2–3万, 0.5–0.9万, 6–8万 and 4–9万 (fen), asked for 1–5万
    found = await found_ids(index, SearchParams(min_price_fen=1_000_000, max_price_fen=5_000_000))

    # then the one inside and the one reaching into it are found, those wholly outside are not
    assert found & {1, 2, 3, 4} == {1, 4}
    assert await found_ids(index, SearchParams(min_price_fen=7_000_000)) & {1, 2, 3, 4} == {3, 4}
    assert await found_ids(index, SearchParams(max_price_fen=800_000)) & {1, 2, 3, 4} == {2}


async def test_filters_combine_as_and(index: str) -> None:
    params = SearchParams(fields=("ic",), regions=("510000",), min_price_fen=1_000_000)
    assert await found_ids(index, params) == {4}


async def test_grouped_search_returns_one_hit_per_model_and_counts_the_models(index: str) -> None:
    # when the model's name is searched grouped
    body = build_search(SearchParams(q="场发射扫描电镜", types=("instrument",), group=True))
    found = await client.search(index, body)

    # then the two labs with one model are one hit standing for the other
    hits = found["hits"]["hits"]
    assert len(hits) == 1
    assert int(hits[0]["_id"]) in (6, 7)
    inner = hits[0]["inner_hits"]
    assert {int(h["_id"]) for h in next(iter(inner.values()))["hits"]["hits"]} == {6, 7}
    assert found["aggregations"]["groups"]["count"]["value"] == 1

    # and ungrouped, both come back
    assert set(await ids(index, build_search(SearchParams(q="场发射扫描电镜")))) == {6, 7}


async def test_a_kind_named_in_the_need_ranks_that_kind_three_times_higher(index: str) -> None:
    # given an expert and an agency offering the very same words
    found = await client.search(index, build_search(SearchParams(q="找专家咨询医学影像")))
    scores = {int(hit["_id"]): hit["_score"] for hit in found["hits"]["hits"]}

    # then the expert, whom the need names, comes first with three times the agency's score
    assert list(scores)[:2] == [8, 9]
    assert scores[8] == pytest.approx(3 * scores[9], rel=0.01)


async def test_a_kind_named_in_english_ranks_that_kind_first(index: str) -> None:
    found = await ids(index, build_search(SearchParams(q="patent agency")))

    assert found[:2] == [10, 11]


async def test_suggestions_prefer_a_title_prefix_to_a_keyword_and_show_each_title_once(index: str) -> None:
    # when the user has typed the initials of 集成电路
    found = await client.search(index, build_suggest(" JCDL ", size=5))
    hits = [(int(hit["_id"]), hit["_source"]["display"]["title"]) for hit in found["hits"]["hits"]]

    # then the title that starts with it comes before the chip whose keyword says it, once
    assert [title for _, title in hits] == ["集成电路封装工艺", "功率芯片"]
    assert hits[0][0] in (12, 14)

    # and an archived or unrelated listing is never suggested
    assert await ids(index, build_suggest("测试资源5")) == []


async def test_a_long_english_word_forgives_a_slip_but_not_in_its_first_letter(index: str) -> None:
    assert await found_ids(index, SearchParams(q="Plonkish")) == {15}
    assert await found_ids(index, SearchParams(q="Plonkishes provers")) == {15}  # stemmed
    assert await found_ids(index, SearchParams(q="Plonkosh")) == {15}
    assert await found_ids(index, SearchParams(q="Qlonkish")) == set()


async def test_text_is_searched_within_the_filters(index: str) -> None:
    assert await found_ids(index, SearchParams(q="场发射扫描电镜", regions=("500107",))) == {7}
    assert await found_ids(index, SearchParams(q="场发射扫描电镜", types=("expert",))) == set()
