"""Search use-cases: searching with a Redis cache, suggestions, index lifecycle, rebuild and checks."""

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from redis.exceptions import RedisError

from search import client
from search.analysis import correct_han, initialise, normalise
from search.documents import build_document, is_indexable, with_document
from search.facts import find_facts, find_minimums
from search.indexer import apply_events
from search.indices import (
    LISTING_TYPES,
    SEARCHABLE_TYPES,
    alias_name,
    index_body,
    new_index_name,
    search_target,
)
from search.queries import (
    FACET_FIELDS,
    MAX_WINDOW,
    RELATED_FROM,
    SAME_MODEL,
    SearchParams,
    budget_ceiling,
    build_candidates,
    build_match_candidates,
    build_related,
    build_search,
    build_suggest,
)
from services.core import outbox
from services.core.errors import Invalid
from services.core.redis import SEARCH_CACHE_PREFIX, SEARCH_GENERATION_KEY, get_redis
from services.core.settings import get_settings


async def ensure_indices(*, prefix: str | None = None, replicas: int = 0) -> None:
    """Create each type's first index and alias when missing (idempotent); add fields a newer release maps to an
    existing index (a strict mapping refuses a document carrying them), so indexing goes on before a reindex."""
    for listing_type in SEARCHABLE_TYPES:
        alias = alias_name(listing_type, prefix)
        if await client.alias_targets(alias):
            await client.put_mapping(alias, {"properties": index_body()["mappings"]["properties"]})
            continue
        # A fixed first name: the server and workers may start together, and only one create can win.
        name = f"{alias}-initial"
        await client.create_index_if_missing(name, index_body(replicas=replicas))
        await client.swap_alias(alias, name, [])


# Each listing type has its own index, so term rarity would be counted per index (a six-sigma consultancy
# outranking the ZEISS Sigma 300 microscopes). DFS shares the statistics across the four indices: +0.015
# nDCG@10 on the judged set for about 1 ms (docs/search-relevance.md).
SEARCH_TYPE = "dfs_query_then_fetch"


def _generation_key() -> str:
    return f"{SEARCH_GENERATION_KEY}:{get_settings().search_index_prefix}"


async def _generation() -> str:
    return str(await get_redis().get(_generation_key()) or 0)


async def _cached(key: str) -> dict[str, Any] | None:
    try:
        cached = await get_redis().get(key)
    except RedisError:
        return None
    return json.loads(cached) if cached is not None else None


async def _store(key: str, response: dict[str, Any]) -> None:
    try:
        await get_redis().set(
            key, json.dumps(response, ensure_ascii=False), ex=get_settings().search_cache_ttl_seconds
        )
    except RedisError:
        return


async def invalidate_cache() -> None:
    """Make every cached result stale at once: keys embed a generation counter that this bumps."""
    await get_redis().incr(_generation_key())


def _facet(buckets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"key": b["key"], "count": b["doc_count"]} for b in buckets]


_TAGS = re.compile(r"</?em>")
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])")


def distinct_fragments(fragments: list[str]) -> list[str]:
    """Highlight fragments without repetition: a sentence already shown (the summary repeats the description,
    listings repeat their boilerplate) is dropped, and a fragment left empty goes (pure)."""
    seen: set[str] = set()
    kept: list[str] = []
    for fragment in fragments:
        sentences = []
        for sentence in _SENTENCE_END.split(fragment):
            plain = "".join(_TAGS.sub("", sentence).split())
            if plain and plain not in seen and not any(plain in other for other in seen):
                seen.add(plain)
                sentences.append(sentence)
        text = "".join(sentences).strip()
        if text and _TAGS.sub("", text).strip("，,。；; …"):
            # An <em> cut by a dropped sentence is closed again.
            if text.count("<em>") > text.count("</em>"):
                text += "</em>"
            kept.append(text)
    return kept


def _snippet(hit: dict[str, Any]) -> str:
    fragments = distinct_fragments(hit.get("highlight", {}).get("body") or [])
    if fragments:
        return " … ".join(fragments)
    summary = (hit["_source"].get("display") or {}).get("summary") or ""
    return summary[:120]


def _same_model(hit: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """How many listings a collapsed hit stands for, and the others of them (best first), as short cards."""
    inner = (hit.get("inner_hits") or {}).get(SAME_MODEL, {}).get("hits", {})
    count = int((inner.get("total") or {}).get("value", 1))
    others = []
    for member in inner.get("hits", []):
        display = (member.get("_source") or {}).get("display") or {}
        if str(display.get("id")) == str(hit["_id"]):
            continue
        others.append(display)
    return count, others


def _items(hits: list[dict[str, Any]], params: SearchParams) -> list[dict[str, Any]]:
    items = []
    for hit in hits:
        display = dict(hit["_source"].get("display") or {})
        highlight = dict(hit.get("highlight", {}))
        if highlight.get("body"):
            highlight["body"] = distinct_fragments(highlight["body"])
        items.append(
            {
                **display,
                "type": display.get("type"),
                "id": display.get("id"),
                "title": display.get("title"),
                "snippet": _snippet(hit),
                "highlight": dict(highlight.items()),
                "score": hit.get("_score"),
                "sort": hit.get("sort"),
            }
        )
        if params.group:
            items[-1]["same_model_count"], items[-1]["same_model"] = _same_model(hit)
    return items


def _present(result: dict[str, Any], params: SearchParams) -> dict[str, Any]:
    items = _items(result["hits"]["hits"], params)
    aggs = result.get("aggregations", {})
    grouped = {"total_groups": int(aggs["groups"]["count"]["value"])} if "groups" in aggs else {}
    return {
        **grouped,
        "total": result["hits"]["total"]["value"],
        "page": params.page,
        "size": params.size,
        "took_ms": result.get("took", 0),
        "items": items,
        "facets": {
            name: _facet(aggs.get(name, {}).get("values", {}).get("buckets", [])) for name in FACET_FIELDS
        },
    }


def _check_window(params: SearchParams) -> None:
    if params.search_after is None and params.page * params.size > MAX_WINDOW:
        raise Invalid.field(
            ["query", "page"],
            f"最多翻到第 {MAX_WINDOW // params.size} 页；更深请用 search_after 游标",
            "page window exceeded",
            code="page_too_deep",
        )


async def search(params: SearchParams, *, use_cache: bool = True) -> dict[str, Any]:
    """Search all published listings; results are cached in Redis until the index changes."""
    _check_window(params)
    prefix = get_settings().search_index_prefix
    try:
        key = f"{SEARCH_CACHE_PREFIX}:{prefix}:{await _generation()}:{params.cache_key()}"
    except RedisError:
        # The cache is an optimisation: with Redis down every search is answered by the engine.
        use_cache, key = False, ""
    if use_cache:
        response = await _cached(key)
        if response is not None:
            response["cached"] = True
            return response
    started = time.perf_counter()
    result, relaxed = await query_engine(params)
    response = _present(result, params)
    response["relaxed"] = relaxed
    # A homophone slip of a catalogue term (扫苗电镜, 技术发名奖) is searched as the term; the page says so.
    typed = normalise(params.q) if params.q.strip() else ""
    corrected = correct_han(typed)
    response["corrected_q"] = corrected if corrected != typed else None
    # A ceiling typed in the query (每小时500元以内) ranks dearer listings lower; the page says so.
    text, ceiling = budget_ceiling(corrected) if typed else ("", None)
    response["price_ceiling_fen"] = ceiling
    # Facts typed in the query (主任技师, 重庆市技术发明奖) are matched whole, in the listing's wording; the page says so.
    rest, minimums = find_minimums(text)
    response["query_facts"] = [*find_facts(rest)[1], *(minimum.label for minimum in minimums)] if text else []
    response["related"] = _items(await related_hits(params, result), params)
    response["engine_ms"] = round((time.perf_counter() - started) * 1000, 2)
    if use_cache:
        await _store(key, response)
    response["cached"] = False
    return response


async def query_engine(params: SearchParams, *, prefix: str | None = None) -> tuple[dict[str, Any], bool]:
    """The engine's answer to the parameters, and whether it was relaxed: a text query that finds nothing
    is asked once more with any one word enough (the page then says 已为您放宽条件)."""
    # Every supply index, even with supply types chosen: the type facet counts the other types too
    # (disjunctive). A search for demands (type=demand) asks the indices named.
    types = list(params.types)
    target = search_target(None if set(types) <= set(LISTING_TYPES) else types, prefix)
    result = await client.search(target, build_search(params), search_type=SEARCH_TYPE)
    if result["hits"]["total"]["value"] == 0 and params.q.strip():
        loose = await client.search(target, build_search(params, relaxed=True), search_type=SEARCH_TYPE)
        if loose["hits"]["total"]["value"] > 0:
            return loose, True
    return result, False


async def warm_analysis() -> None:
    """Load the segmenter, pinyin lexicon and English glosses off the event loop at start-up, so the first
    search does not pay for them (seconds) while every other request waits."""
    await asyncio.to_thread(initialise)


async def related_hits(
    params: SearchParams, result: dict[str, Any], *, prefix: str | None = None
) -> list[dict[str, Any]]:
    """Listings like the best hits, or of their instrument categories, to fill the first page of a text query
    that found less than a page (search.queries.build_related); none for later pages, demand searches or a full
    page."""
    hits = result["hits"]["hits"]
    types = set(params.types)
    if (
        not params.q.strip()
        or params.page != 1
        or params.search_after is not None
        or not hits
        or len(hits) >= params.size
        or not types <= set(LISTING_TYPES)
    ):
        return []
    like = [(str(hit["_index"]), str(hit["_id"])) for hit in hits[:RELATED_FROM]]
    groups = [str(group) for hit in hits for group in (hit.get("fields") or {}).get("group", [])]
    # Only instruments carry a category; each category once.
    categories = list(
        dict.fromkeys(
            str(category)
            for hit in hits[:RELATED_FROM]
            if (category := (hit["_source"].get("display") or {}).get("category"))
        )
    )
    ids = [str(hit["_id"]) for hit in hits]
    body = build_related(params, like, ids, groups, params.size - len(hits), categories)
    related = await client.search(search_target(None, prefix), body, search_type=SEARCH_TYPE)
    return list(related["hits"]["hits"])


async def suggest(prefix: str, size: int = 8) -> list[dict[str, Any]]:
    """Suggestions by prefix, full pinyin and pinyin initials."""
    if not prefix.strip():
        return []
    result = await client.search(search_target(), build_suggest(prefix, size))
    seen: set[str] = set()
    suggestions = []
    for hit in result["hits"]["hits"]:
        display = hit["_source"].get("display") or {}
        text = display.get("title") or display.get("name") or ""
        if text in seen:
            continue
        seen.add(text)
        suggestions.append(
            {"text": text, "type": hit["_source"].get("type"), "id": int(hit["_source"].get("id") or 0)}
        )
    return suggestions


# The engine makes writes searchable on its next scheduled refresh (index.refresh_interval = 1 s).
REFRESH_INTERVAL_S = 1.0
_pending_invalidations: set[asyncio.Task[None]] = set()


async def index_snapshots(
    events: list[tuple[int, dict[str, Any]]], *, refresh_after: bool | None = None
) -> list[dict[str, Any]]:
    """Apply listing changes and invalidate the cache so no stale result outlives the change; returns failures.

    A search between the bulk and the engine's refresh could re-cache the old result. Removals (unpublish,
    archive, withdrawn consent, erasure) therefore force a refresh before the cache is invalidated; for
    additions and edits the cache is invalidated at once and again after the refresh interval, which keeps
    catch-up at the engine's own pace.
    """
    removes = any(not is_indexable(snapshot) for _, snapshot in events)
    refresh = removes if refresh_after is None else refresh_after
    failures = await apply_events(events, refresh_after=refresh)
    await invalidate_cache()
    if not refresh:
        _invalidate_after_refresh()
    return failures


def _invalidate_after_refresh() -> None:
    async def later() -> None:
        await asyncio.sleep(REFRESH_INTERVAL_S + 0.1)
        await invalidate_cache()

    task = asyncio.create_task(later())
    _pending_invalidations.add(task)
    task.add_done_callback(_pending_invalidations.discard)


async def settle() -> None:
    """Wait for scheduled cache invalidations (before a process exits)."""
    if _pending_invalidations:
        await asyncio.gather(*_pending_invalidations, return_exceptions=True)


async def indexed_counts() -> dict[str, int]:
    """Documents per listing type, in one request (the home page asks on every view)."""
    result = await client.search(
        search_target(),
        {"size": 0, "track_total_hits": True, "aggs": {"type": {"terms": {"field": "type", "size": 4}}}},
    )
    buckets = result.get("aggregations", {}).get("type", {}).get("buckets", [])
    counts = {bucket["key"]: bucket["doc_count"] for bucket in buckets}
    return {t: int(counts.get(t, 0)) for t in LISTING_TYPES}


async def rebuild(
    snapshots: AsyncIterator[list[dict[str, Any]]], *, replicas: int = 0, batch_refresh: bool = False
) -> dict[str, Any]:
    """Build fresh indices (the four listing types and published demands) from the database and swap the
    aliases at once: readers never see a gap."""
    new_names = {t: new_index_name(t) for t in SEARCHABLE_TYPES}
    body = index_body(replicas=replicas)
    body["settings"]["index"]["refresh_interval"] = "-1"
    for name in new_names.values():
        await client.create_index(name, body)
    total = 0
    async for batch in snapshots:
        operations: list[dict[str, Any]] = []
        for snap in batch:
            operations.append(
                {
                    "index": {
                        "_index": new_names[snap["type"]],
                        "_id": str(snap["id"]),
                        "version": snap["version"],
                        "version_type": "external",
                    }
                }
            )
            operations.append(build_document(snap))
        if operations:
            await client.bulk(operations)
            total += len(batch)
    swapped = {}
    for listing_type, name in new_names.items():
        await client.put_settings(name, {"index": {"refresh_interval": "1s"}})
        await client.refresh(name)
        alias = alias_name(listing_type)
        old = await client.alias_targets(alias)
        await client.swap_alias(alias, name, old)
        for stale in old:
            await client.delete_index(stale)
        swapped[listing_type] = {"index": name, "replaced": old}
    await invalidate_cache()
    return {"documents": total, "indices": swapped}


async def indexed_versions() -> dict[int, int]:
    """Every indexed listing id with its version."""
    versions: dict[int, int] = {}
    for listing_type in LISTING_TYPES:
        for doc_id, version in (await client.scan_ids_versions(alias_name(listing_type))).items():
            versions[int(doc_id)] = version
    return versions


async def candidates(
    text: str, fields: list[str], types: list[str] | None, size: int = 100
) -> list[dict[str, Any]]:
    """Published listings that share words with a text (for matching): display, words and engine score."""
    result = await client.search(search_target(types), build_candidates(text, fields, types, size))
    found = []
    for hit in result["hits"]["hits"]:
        source = hit["_source"]
        words = set((source.get("title_seg") or "").split()) | set((source.get("keywords_seg") or "").split())
        found.append(
            {"display": source.get("display") or {}, "words": words, "score": float(hit["_score"] or 0)}
        )
    return found


async def match_candidates(
    text: str,
    fields: list[str],
    types: list[str] | None,
    per_type: int = 40,
    *,
    prefix: str | None = None,
    extra: str = "",
) -> list[dict[str, Any]]:
    """The best listings of each type for a demand's text and the supply words it stands for (``extra``; one
    request, the best of each type per bucket): display, words and engine score."""
    wanted = list(types or LISTING_TYPES)
    body = build_match_candidates(text, fields, wanted, per_type, extra=extra)
    result = await client.search(search_target(None, prefix), body, search_type=SEARCH_TYPE)
    buckets = {bucket["key"]: bucket for bucket in result["aggregations"]["by_type"]["buckets"]}
    found = []
    for listing_type in wanted:
        bucket = buckets.get(listing_type)
        hits = bucket["best"]["hits"]["hits"] if bucket else []
        # Best first; equal scores to the most recently published, then the newest id (RELEVANCE_SORT).
        hits = sorted(hits, key=lambda hit: int(hit["_id"]), reverse=True)
        hits = sorted(hits, key=lambda hit: hit["_source"].get("published_at") or "", reverse=True)
        hits = sorted(hits, key=lambda hit: float(hit["_score"] or 0), reverse=True)
        for hit in hits[:per_type]:
            source = hit["_source"]
            words = set((source.get("title_seg") or "").split()) | set(
                (source.get("keywords_seg") or "").split()
            )
            found.append(
                {"display": source.get("display") or {}, "words": words, "score": float(hit["_score"] or 0)}
            )
    return found


async def indexed_type(doc_id: int) -> str:
    """Which listing type's index holds a document (search-check)."""
    for listing_type in LISTING_TYPES:
        if await client.get_document(alias_name(listing_type), str(doc_id)) is not None:
            return listing_type
    return LISTING_TYPES[0]


LISTING_TOPIC = "listing.changed"


def register_outbox_documents() -> None:
    """Build engine documents at write time in this process (the worker then only forwards them)."""
    outbox.register_payload_enricher(LISTING_TOPIC, with_document)
