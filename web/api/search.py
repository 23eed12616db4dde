"""Search API: one box over the four kinds of supply, with facets and suggestions."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from search import service
from services.core.outbox import count_pending
from services.demand import service as demand_service
from web import search_params
from web.deps import AdminUser

router = APIRouter(prefix="/api/v1", tags=["search"])


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
    group: Annotated[
        bool, Query(description="one item per instrument model, with `same_model_count` and `same_model`")
    ] = False,
) -> dict[str, Any]:
    params = search_params.parse(
        q=q,
        types=type,
        fields=field,
        regions=region,
        maturity=maturity,
        min_price_fen=min_price_fen,
        max_price_fen=max_price_fen,
        sort=sort,
        page=page,
        size=size,
        search_after=search_after,
        group=group,
    )
    return await service.search(params)


@router.get("/search/suggest")
async def suggest(
    q: Annotated[str, Query(max_length=50)] = "", size: Annotated[int, Query(ge=1, le=20)] = 8
) -> dict[str, Any]:
    return {"suggestions": await service.suggest(q, size)}


@router.get("/admin/search/status")
async def status(user: AdminUser) -> dict[str, Any]:
    return {
        "outbox_pending": await count_pending(),
        "matches_pending": await demand_service.count_demands_needing_matches(),
        "indexed": await service.indexed_counts(),
    }
