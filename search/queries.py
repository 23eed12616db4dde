"""Build engine queries from search parameters (pure; unit-tested without an engine)."""

from dataclasses import dataclass, field
from typing import Any

from search.analysis import normalise, pinyin_full, segment

MAX_WINDOW = 10_000
FACETS = ("type", "fields", "region", "maturity")
SORTS = ("relevance", "newest", "price_asc", "price_desc")


@dataclass(frozen=True, slots=True)
class SearchParams:
    q: str = ""
    types: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    maturity: tuple[str, ...] = ()
    min_price_fen: int | None = None
    max_price_fen: int | None = None
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    search_after: tuple[Any, ...] | None = field(default=None)

    def cache_key(self) -> str:
        """A stable key of the normalised parameters."""
        parts = [
            normalise(self.q),
            ",".join(sorted(self.types)),
            ",".join(sorted(self.fields)),
            ",".join(sorted(self.regions)),
            ",".join(sorted(self.maturity)),
            str(self.min_price_fen),
            str(self.max_price_fen),
            self.sort,
            str(self.page),
            str(self.size),
            repr(self.search_after),
        ]
        return "|".join(parts)


def _filters(params: SearchParams) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = [{"term": {"status": "published"}}]
    if params.types:
        filters.append({"terms": {"type": list(params.types)}})
    if params.fields:
        filters.append({"terms": {"fields": list(params.fields)}})
    if params.regions:
        # A city- or province-level code (…00 / …0000) selects everything beneath it.
        exact = [r for r in params.regions if not r.endswith("00")]
        cities = [r for r in params.regions if r.endswith("00") and not r.endswith("0000")]
        provinces = [r[:2] for r in params.regions if r.endswith("0000")]
        should: list[dict[str, Any]] = []
        if exact:
            should.append({"terms": {"region": exact}})
        if cities:
            should.append({"terms": {"city": cities}})
        should.extend({"prefix": {"region": p}} for p in provinces)
        filters.append({"bool": {"should": should, "minimum_should_match": 1}})
    if params.maturity:
        filters.append({"terms": {"maturity": list(params.maturity)}})
    # Price filters keep listings whose price range overlaps the wanted range.
    if params.min_price_fen is not None:
        filters.append({"range": {"price_max_fen": {"gte": params.min_price_fen}}})
    if params.max_price_fen is not None:
        filters.append({"range": {"price_min_fen": {"lte": params.max_price_fen}}})
    return filters


def text_query(q: str) -> dict[str, Any]:
    """The scoring part: segmented words with synonyms, CJK bigrams for recall, phrase and pinyin boosts."""
    text = normalise(q)
    seg = segment(text)
    should: list[dict[str, Any]] = [
        {"match_phrase": {"title": {"query": text, "boost": 6}}},
        {
            "multi_match": {
                "query": seg,
                "fields": ["title_seg^4", "keywords_seg^3", "body_seg"],
                "type": "best_fields",
                "tie_breaker": 0.3,
                "operator": "or",
                "minimum_should_match": "2<75%",
                "boost": 3,
            }
        },
        {
            "multi_match": {
                "query": text,
                "fields": ["title^2", "body"],
                "type": "best_fields",
                "tie_breaker": 0.2,
                "minimum_should_match": "2<70%",
            }
        },
        {"term": {"keywords": {"value": text, "boost": 4}}},
    ]
    latin = text.replace(" ", "")
    if latin.isascii() and latin.isalnum():
        # Typos in Latin text and pinyin typed without an input method: fuzzy over the pinyin field.
        should.append({"match": {"title_seg": {"query": text, "fuzziness": "AUTO", "boost": 1.5}}})
        should.append({"match": {"title_pinyin": {"query": latin, "fuzziness": "AUTO", "boost": 1}}})
    else:
        # Homophone slips of pinyin input methods keep the pinyin: 基成电路 sounds like 集成电路.
        should.append({"match": {"title_pinyin": {"query": pinyin_full(text), "boost": 1}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def build_search(params: SearchParams) -> dict[str, Any]:
    """The full search request body: query, filters, facets, highlights, sort and paging."""
    query: dict[str, Any]
    filters = _filters(params)
    if params.q.strip():
        query = {"bool": {"must": [text_query(params.q)], "filter": filters}}
    else:
        query = {"bool": {"filter": filters}}
    body: dict[str, Any] = {
        "query": query,
        "size": params.size,
        "track_total_hits": True,
        "_source": ["display"],
        "aggs": {
            "type": {"terms": {"field": "type", "size": 4}},
            "field": {"terms": {"field": "fields", "size": 20}},
            "region": {"terms": {"field": "region", "size": 20}},
            "maturity": {"terms": {"field": "maturity", "size": 4}},
        },
        "highlight": {
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "encoder": "html",
            "fields": {
                "title": {"number_of_fragments": 0},
                "body": {"fragment_size": 80, "number_of_fragments": 2},
            },
        },
    }
    sort: list[Any]
    match params.sort:
        case "newest":
            sort = [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
        case "price_asc":
            sort = [{"price_min_fen": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]
        case "price_desc":
            sort = [{"price_max_fen": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
        case _:
            sort = ["_score", {"published_at": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
    body["sort"] = sort
    if params.search_after is not None:
        body["search_after"] = list(params.search_after)
    else:
        body["from"] = (params.page - 1) * params.size
    return body


def build_suggest(prefix: str, size: int = 8) -> dict[str, Any]:
    """Prefix suggestions over titles, their pinyin and pinyin initials."""
    text = normalise(prefix).replace(" ", "")
    return {
        "size": size,
        "_source": ["display.title", "display.name", "type", "id"],
        "query": {
            "bool": {
                "must": [{"match": {"suggest": {"query": text}}}],
                "filter": [{"term": {"status": "published"}}],
                "should": [{"match_phrase_prefix": {"title": {"query": prefix, "boost": 2}}}],
            }
        },
    }


def build_candidates(text: str, fields: list[str], types: list[str] | None, size: int) -> dict[str, Any]:
    """Loose retrieval of supply for a demand: any shared words, boosted by field."""
    seg = segment(normalise(text))
    should: list[dict[str, Any]] = [
        {
            "multi_match": {
                "query": seg,
                "fields": ["title_seg^3", "keywords_seg^2", "body_seg"],
                "type": "most_fields",
                "minimum_should_match": "1",
            }
        },
        {"match": {"title": {"query": normalise(text)[:200], "boost": 0.5}}},
    ]
    filters: list[dict[str, Any]] = [{"term": {"status": "published"}}]
    if types:
        filters.append({"terms": {"type": types}})
    query: dict[str, Any] = {"bool": {"should": should, "minimum_should_match": 1, "filter": filters}}
    if fields:
        query = {"bool": {"must": [query], "should": [{"terms": {"fields": fields, "boost": 2}}]}}
    return {"size": size, "query": query, "_source": ["display", "title_seg", "keywords_seg"]}
