"""Search API: one box over the four kinds of supply, with facets and suggestions."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from search import service
from search.queries import SORTS, SearchParams
from services.core.errors import Invalid
from services.core.outbox import count_pending
from services.reference.vocabulary import ListingType, Maturity
from web.deps import AdminUser

router = APIRouter(prefix="/api/v1", tags=["search"])
TYPES = tuple(ListingType)
MATURITY = tuple(Maturity)


def _split(value: str | None, allowed: tuple[str, ...] | None, name: str) -> tuple[str, ...]:
    if not value:
        return ()
    parts = tuple(dict.fromkeys(p.strip() for p in value.split(",") if p.strip()))
    if allowed is not None:
        bad = [p for p in parts if p not in allowed]
        if bad:
            raise Invalid.field(
                ["query", name], f"不支持的取值 {bad}，可选 {list(allowed)} (unsupported value)"
            )
    return parts


@router.get("/search")
async def search(
    q: Annotated[str, Query(max_length=200)] = "",
    type: str | None = None,
    field: str | None = None,
    region: str | None = None,
    maturity: str | None = None,
    min_price_fen: Annotated[int | None, Query(ge=0)] = None,
    max_price_fen: Annotated[int | None, Query(ge=0)] = None,
    sort: str = "relevance",
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    search_after: Annotated[
        str | None, Query(max_length=500, description="cursor: the `sort` values of the last hit, JSON")
    ] = None,
) -> dict[str, Any]:
    if sort not in SORTS:
        raise Invalid.field(["query", "sort"], f"sort 只能是 {list(SORTS)} (unsupported sort)")
    if min_price_fen is not None and max_price_fen is not None and min_price_fen > max_price_fen:
        raise Invalid.field(["query", "min_price_fen"], "min_price_fen 不能大于 max_price_fen")
    regions = _split(region, None, "region")
    if any(not (r.isdigit() and len(r) == 6) for r in regions):
        raise Invalid.field(["query", "region"], "region 须为 6 位行政区划代码 (6-digit region codes)")
    after: tuple[Any, ...] | None = None
    if search_after:
        import json

        try:
            parsed = json.loads(search_after)
        except ValueError as exc:
            raise Invalid.field(
                ["query", "search_after"], "search_after 须为 JSON 数组 (JSON array)"
            ) from exc
        if (
            not isinstance(parsed, list)
            or len(parsed) > 8
            or not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in parsed)
        ):
            raise Invalid.field(
                ["query", "search_after"],
                "search_after 须为由数字或字符串组成的短 JSON 数组 (flat JSON array)",
            )
        after = tuple(parsed)
    params = SearchParams(
        q=q,
        types=_split(type, TYPES, "type"),
        fields=_split(field, None, "field"),
        regions=regions,
        maturity=_split(maturity, MATURITY, "maturity"),
        min_price_fen=min_price_fen,
        max_price_fen=max_price_fen,
        sort=sort,
        page=page,
        size=size,
        search_after=after,
    )
    return await service.search(params)


@router.get("/search/suggest")
async def suggest(
    q: Annotated[str, Query(max_length=50)] = "", size: Annotated[int, Query(ge=1, le=20)] = 8
) -> dict[str, Any]:
    return {"suggestions": await service.suggest(q, size)}


@router.get("/admin/search/status")
async def status(user: AdminUser) -> dict[str, Any]:
    return {"outbox_pending": await count_pending(), "indexed": await service.indexed_counts()}
