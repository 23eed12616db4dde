"""Search parameters parsed once, for the API and the portal's search page alike (pure).

The API is strict: a value it does not know is a 400 naming the parameter. The page is forgiving: a link
with a stale or hand-edited value still shows results, without that value. Both go through ``parse``.
"""

import json
from typing import Any, Final

from search.queries import MAX_WINDOW, SORTS, SearchParams
from services.core.errors import Invalid
from services.reference.vocabulary import ListingType, Maturity

MAX_VALUES: Final = 20
# A cursor is the last hit's sort values (three today); anything longer or nested is not one of ours.
MAX_CURSOR_VALUES: Final = 8
LISTING_TYPE_VALUES: Final = (*(kind.value for kind in ListingType), "demand")
MATURITY_VALUES: Final = tuple(level.value for level in Maturity)


def _values(raw: str | None, allowed: tuple[str, ...] | None, name: str, *, strict: bool) -> tuple[str, ...]:
    parts = tuple(dict.fromkeys(part.strip() for part in (raw or "").split(",") if part.strip()))
    bad = [part for part in parts if allowed is not None and part not in allowed]
    if bad and strict:
        raise Invalid.field(
            ["query", name], f"不支持的取值 {bad}，可选 {list(allowed or ())}", "unsupported value"
        )
    return tuple(part for part in parts if part not in bad)[:MAX_VALUES]


def _regions(raw: str | None, *, strict: bool) -> tuple[str, ...]:
    regions = _values(raw, None, "region", strict=strict)
    valid = tuple(r for r in regions if r.isdigit() and len(r) == 6)
    if strict and valid != regions:
        raise Invalid.field(["query", "region"], "region 须为 6 位行政区划代码", "6-digit region codes")
    return valid


def _cursor(raw: str | None) -> tuple[Any, ...] | None:
    if not raw:
        return None
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise Invalid.field(["query", "search_after"], "search_after 须为 JSON 数组", "JSON array") from exc
    if (
        not isinstance(parsed, list)
        or len(parsed) > MAX_CURSOR_VALUES
        or not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in parsed)
    ):
        raise Invalid.field(
            ["query", "search_after"], "search_after 须为由数字或字符串组成的短 JSON 数组", "flat JSON array"
        )
    return tuple(parsed)


def parse(
    *,
    q: str = "",
    types: str | None = None,
    fields: str | None = None,
    regions: str | None = None,
    maturity: str | None = None,
    min_price_fen: int | None = None,
    max_price_fen: int | None = None,
    sort: str = "relevance",
    page: int = 1,
    size: int = 20,
    search_after: str | None = None,
    group: bool = False,
    strict: bool = True,
) -> SearchParams:
    """SearchParams from query-string values; ``strict`` raises Invalid on what the forgiving mode drops."""
    if sort not in SORTS:
        if strict:
            raise Invalid.field(["query", "sort"], f"sort 只能是 {list(SORTS)}", "unsupported sort")
        sort = "relevance"
    if min_price_fen is not None and max_price_fen is not None and min_price_fen > max_price_fen:
        if strict:
            raise Invalid.field(["query", "min_price_fen"], "min_price_fen 不能大于 max_price_fen")
        min_price_fen = max_price_fen = None  # the page says why (web.pages.portal.price_problem)
    if not strict:
        page = min(page, max(1, MAX_WINDOW // size))
    cursor = _cursor(search_after) if strict else None
    if group and cursor is not None:
        raise Invalid.field(
            ["query", "group"],
            "按型号合并（group）只能按页翻页，不能与 search_after 同用",
            "group pages by page number, not with search_after",
        )
    return SearchParams(
        q=q.strip() if not strict else q,
        types=_values(types, LISTING_TYPE_VALUES, "type", strict=strict),
        fields=_values(fields, None, "field", strict=strict),
        regions=_regions(regions, strict=strict),
        maturity=_values(maturity, MATURITY_VALUES, "maturity", strict=strict),
        min_price_fen=min_price_fen,
        max_price_fen=max_price_fen,
        sort=sort,
        page=page,
        size=size,
        search_after=cursor,
        group=group,
    )
