"""Portal pages (zh-CN): home, search results and listing details."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from search import client as engine
from search import service as search_service
from search.queries import SearchParams
from services.catalog import service as catalog_service
from services.catalog.schemas import ListingType
from services.core.errors import DomainError
from web.deps import MaybeUser
from web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, user: MaybeUser) -> HTMLResponse:
    counts: dict[str, int] = {}
    try:
        counts = await search_service.indexed_counts()
    except engine.EngineUnavailable:
        counts = {}
    return templates.TemplateResponse(request, "home.html", {"counts": counts, "user": user})


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    request: Request,
    user: MaybeUser,
    q: Annotated[str, Query(max_length=200)] = "",
    type: str | None = None,
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> HTMLResponse:
    types = tuple(
        t for t in (type or "").split(",") if t in ("achievement", "instrument", "expert", "agency")
    )
    result = await search_service.search(SearchParams(q=q, types=types, page=page, size=20))
    return templates.TemplateResponse(
        request, "search.html", {"q": q, "type": type or "", "result": result, "page": page, "user": user}
    )


@router.get("/listings/{listing_type}/{listing_id}", response_class=HTMLResponse)
async def listing_page(request: Request, listing_type: str, listing_id: int, user: MaybeUser) -> HTMLResponse:
    try:
        kind = ListingType(listing_type)
        listing = await catalog_service.get_listing(actor=user, listing_type=kind, listing_id=listing_id)
    except (ValueError, DomainError):
        return templates.TemplateResponse(request, "error.html", {"message": "未找到该条目"}, status_code=404)
    return templates.TemplateResponse(request, "listing.html", {"item": listing, "user": user})
