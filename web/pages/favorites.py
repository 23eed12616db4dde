"""我的收藏: the listings the signed-in user saved, filtered by type, each with its own note; 收藏 / 已收藏 on a
listing's page and on a demand's match cards post here and come back to where they were (a local path only)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, BeforeValidator, Field
from starlette.datastructures import FormData

from services.accounts.policies import Actor
from services.favorites import service as favorites_service
from services.favorites.schemas import FavoriteRead, FavoriteSave
from services.reference.vocabulary import LISTING_TYPE_LABELS, ListingType
from web.deps import CurrentUser, Page
from web.pages.csrf import CheckedForm
from web.pages.forms import bind, form_int, form_values
from web.pages.portal import price_text
from web.pages.shell import error_page, pager, redirect, render, safe_next

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
HOME = "/me/favorites"


class SaveForm(BaseModel):
    match_id: Annotated[int | None, BeforeValidator(form_int)] = Field(default=None, ge=1)


class NoteForm(BaseModel):
    note: str = Field(default="", max_length=200)


def _back(form: FormData) -> str:
    """Where the form came from: its `next`, if that is a path on this site; else 我的收藏."""
    given = form.get("next")
    return safe_next(given if isinstance(given, str) else None, HOME)


def _row(item: FavoriteRead) -> dict[str, Any]:
    return {
        "f": item,
        "href": f"/listings/{item.listing_type}/{item.listing_id}" if item.published else None,
        "type_label": LISTING_TYPE_LABELS.get(item.listing_type, item.listing_type),
        "price": price_text(
            {
                "type": item.listing_type,
                "price_min_fen": item.price_min_fen,
                "price_max_fen": item.price_max_fen,
            }
        ),
    }


async def _page(
    request: Request,
    user: Actor,
    listing_type: ListingType | None,
    page: int,
    *,
    note_errors: dict[int, str] | None = None,
    status_code: int = 200,
) -> Response:
    result = await favorites_service.list_favorites(
        actor=user, listing_type=listing_type, page=page, size=PAGE_SIZE
    )
    query = f"&type={listing_type.value}" if listing_type else ""
    context = {
        "favorites": [_row(item) for item in result.items],
        "total": result.total,
        "type": listing_type.value if listing_type else "",
        "tabs": [("", "全部"), *((t.value, t.label) for t in ListingType)],
        "back": f"{HOME}?page={page}{query}",
        "paging": pager(HOME, page, result.total, PAGE_SIZE, query),
        "note_errors": note_errors or {},
    }
    return await render(request, "favorites.html", context, actor=user, status_code=status_code)


@router.get(HOME, response_class=HTMLResponse)
async def my_favorites(
    request: Request,
    user: CurrentUser,
    listing_type: Annotated[ListingType | None, Query(alias="type")] = None,
    page: Page = 1,
) -> Response:
    return await _page(request, user, listing_type, page)


@router.post(HOME + "/{listing_id}", response_class=HTMLResponse)
async def save(request: Request, listing_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    data, errors = bind(SaveForm, form_values(form))
    if data is None:
        return await error_page(request, 422, next(iter(errors.values())))
    # An unpublished listing or another organisation's match card is refused on the error page.
    await favorites_service.save_favorite(
        actor=user, listing_id=listing_id, data=FavoriteSave(match_id=data.match_id)
    )
    return redirect(_back(form), notice="favorite_saved")


@router.post(HOME + "/{listing_id}/remove", response_class=HTMLResponse)
async def remove(listing_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    await favorites_service.remove_favorite(actor=user, listing_id=listing_id)
    return redirect(_back(form), notice="favorite_removed")


@router.post(HOME + "/{listing_id}/note", response_class=HTMLResponse)
async def edit_note(request: Request, listing_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    data, errors = bind(NoteForm, form_values(form))
    if data is None:
        return await _page(
            request, user, None, 1, note_errors={listing_id: next(iter(errors.values()))}, status_code=422
        )
    await favorites_service.edit_note(actor=user, listing_id=listing_id, note=data.note)
    return redirect(_back(form), notice="favorite_note_saved")
