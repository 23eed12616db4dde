"""The provider's own listings (我的资源): achievements, instruments, experts and agencies created, edited,
submitted and archived in the portal, with the quality hints recomputed as they type. One form machinery serves
the four types; what differs per type lives in web/pages/listing_kinds.py."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.catalog import service as catalog_service
from services.catalog.quality import assess_quality
from services.catalog.schemas import CREATE_SCHEMAS, PersonLink
from services.core.bodies import validate_json_body
from services.core.errors import DomainError, NotFound
from services.reference.vocabulary import ListingType
from web.deps import CurrentUser, Page
from web.pages.csrf import CheckedForm
from web.pages.forms import GENERAL, bind, field_errors, form_values, human_message
from web.pages.listing_kinds import CHOICES, KINDS, Kind, error_name, flatten, nest, row_count
from web.pages.shell import pager, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


def kind_of(name: str) -> Kind:
    """The listing type named in the path; anything else is a page that does not exist."""
    kind = KINDS.get(name)
    if kind is None:
        raise NotFound("listing_type_unknown", "没有这种资源类型", "unknown listing type")
    return kind


def _known(kind: Kind, errors: dict[str, str]) -> dict[str, str]:
    """Errors on inputs the form shows stay there; any other one is said above the form."""
    placed: dict[str, str] = {}
    for name, message in errors.items():
        head = name.split(".")[0]
        placed.setdefault(name if head in kind.form.model_fields else GENERAL, message)
    return placed


def _renamed(kind: Kind, errors: dict[str, str]) -> dict[str, str]:
    """Errors keyed by the API's names, keyed by the form's inputs instead."""
    return {
        name if name == GENERAL else error_name(kind, name.split(".")): text for name, text in errors.items()
    }


def quality_of(kind: Kind, values: dict[str, Any]) -> tuple[int, list[str]]:
    """The score and the missing items of a (maybe half-filled, maybe invalid) form."""
    form = bind(kind.form, nest(values))[0] or kind.form()
    return assess_quality(kind.listing_type.value, kind.body(form))


def _form_context(
    kind: Kind,
    values: dict[str, Any],
    errors: dict[str, str],
    listing_id: int | None,
    item: dict[str, Any] | None = None,
) -> dict[str, Any]:
    score, missing = quality_of(kind, values)
    base = f"/me/listings/{kind.listing_type.value}"
    return {
        **CHOICES,
        "kind": kind.listing_type.value,
        "noun": kind.noun,
        "values": values,
        "errors": errors,
        "listing_id": listing_id,
        "action_url": f"{base}/{listing_id}/edit" if listing_id else f"{base}/new",
        "quality_url": f"{base}/quality",
        "rows": {name: row_count(values, name) for name in kind.rows},
        "score": score,
        "missing": missing,
        # An expert profile linked to its person: consent is theirs, shown here but not editable.
        "person_linked": bool(item and item.get("person_linked")),
        "consent_now": (item or {}).get("consent") or {},
    }


def _posted_values(kind: Kind, form: Any) -> dict[str, Any]:
    """The posted form as dotted values, blank rows dropped and the rest renumbered."""
    return flatten(nest(form_values(form, lists=kind.lists)))


@router.get("/me/listings", response_class=HTMLResponse)
async def my_listings(request: Request, user: CurrentUser, page: Page = 1) -> Response:
    result = await catalog_service.list_listings(
        actor=user, listing_type=None, status=None, mine=True, page=page, size=PAGE_SIZE
    )
    context = {
        "listings": result.items,
        "total": result.total,
        "kinds": [(name, kind.noun) for name, kind in KINDS.items()],
        "paging": pager("/me/listings", page, result.total, PAGE_SIZE),
    }
    return await render(request, "my_listings.html", context, actor=user)


@router.get("/me/listings/{kind_name}/new", response_class=HTMLResponse)
async def new_listing(request: Request, kind_name: str, user: CurrentUser) -> Response:
    kind = kind_of(kind_name)
    values = flatten({**{name: [] for name in kind.lists}, **kind.defaults})
    return await render(request, "listing_form.html", _form_context(kind, values, {}, None), actor=user)


async def _own_listing(user: Any, kind: Kind, listing_id: int) -> dict[str, Any]:
    """The listing, when it belongs to the caller's organisation; anyone else's is a page that does not exist."""
    item = await catalog_service.get_listing(
        actor=user, listing_type=kind.listing_type, listing_id=listing_id
    )
    if item.get("org_id") != user.org_id:
        raise NotFound("listing_not_found", f"{kind.noun} {listing_id} 不存在", "not found")
    return item


def _update_body(kind: Kind, body: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """An edit's patch: nested objects keep what the form does not show, and a profile linked to its person
    sends no consent (the form does not show it: the person gives it themselves)."""
    patch = dict(body)
    for key in kind.merged:
        patch[key] = {**(item.get(key) or {}), **patch.get(key, {})}
    if item.get("person_linked"):
        patch.pop("consent", None)
    return patch


async def _save(
    user: Any, kind: Kind, item: dict[str, Any] | None, values: dict[str, Any], submit: bool
) -> dict[str, str]:
    """Create or update the listing, then submit it for review when asked; the errors by form input."""
    data, errors = bind(kind.form, nest(values), dotted=True)
    if data is None:
        return errors
    body = kind.body(data)
    # The API's own schema, checked here first so that each refusal is said in Chinese on its input.
    try:
        validate_json_body(CREATE_SCHEMAS[kind.listing_type], body)
    except ValidationError as exc:
        return _known(kind, _renamed(kind, field_errors(exc, dotted=True)))
    try:
        if item is None:
            made = await catalog_service.create_listing(actor=user, listing_type=kind.listing_type, body=body)
            listing_id = int(made["id"])
        else:
            listing_id = int(item["id"])
            await catalog_service.update_listing(
                actor=user,
                listing_type=kind.listing_type,
                listing_id=listing_id,
                patch=_update_body(kind, body, item),
            )
        if submit:
            await catalog_service.transition_listing(
                actor=user, listing_type=kind.listing_type, listing_id=listing_id, action="submit"
            )
    except DomainError as exc:
        found: dict[str, str] = {}
        for error in exc.errors:
            name = error_name(kind, list(error.get("loc", []))) or GENERAL
            found.setdefault(name, str(error.get("message_zh") or "输入无效，请检查后重试"))
        return _known(kind, found) or {GENERAL: human_message(exc)}
    return {}


async def _posted(request: Request, user: Any, kind: Kind, listing_id: int | None, form: Any) -> Response:
    """Save (and maybe submit) the posted form; back to 我的资源, or the form again with its errors."""
    values = _posted_values(kind, form)
    submit = values.pop("action", None) == "submit"
    item = await _own_listing(user, kind, listing_id) if listing_id is not None else None
    errors = await _save(user, kind, item, values, submit=submit)
    if not errors:
        return redirect("/me/listings", notice="listing_submitted" if submit else "listing_saved")
    context = _form_context(kind, values, errors, listing_id, item)
    return await render(request, "listing_form.html", context, actor=user, status_code=422)


@router.post("/me/listings/{kind_name}/new", response_class=HTMLResponse)
async def create_listing(request: Request, kind_name: str, user: CurrentUser, form: CheckedForm) -> Response:
    return await _posted(request, user, kind_of(kind_name), None, form)


@router.get("/me/listings/{kind_name}/{listing_id}/edit", response_class=HTMLResponse)
async def edit_listing(request: Request, kind_name: str, listing_id: int, user: CurrentUser) -> Response:
    kind = kind_of(kind_name)
    item = await _own_listing(user, kind, listing_id)
    values = flatten(kind.values(item))
    context = _form_context(kind, values, {}, listing_id, item)
    context["history"] = await _history(user, kind.listing_type, listing_id)
    return await render(request, "listing_form.html", context, actor=user)


# What each step of a listing's history was, as its owner reads it.
HISTORY_ACTIONS = {
    "create": "创建",
    "update": "修改",
    "edit_submitted": "修改（待审核）",
    "submit": "提交审核",
    "publish": "审核通过并发布",
    "reject": "审核驳回",
    "archive": "下架",
    "unpublish": "撤回为草稿",
    "approve_edit": "修改审核通过",
    "reject_edit": "修改被驳回",
    "person_linked": "关联专家本人账号",
    "person_unlinked": "解除专家本人账号关联",
}


async def _history(user: Actor, listing_type: ListingType, listing_id: int) -> list[dict[str, Any]]:
    """The listing's edit history, newest first: when, who, what happened and which fields changed."""
    revisions = await catalog_service.list_revisions(
        actor=user, listing_type=listing_type, listing_id=listing_id
    )
    people = await accounts_service.user_names(user_ids=[r.actor_id for r in revisions if r.actor_id])
    return [
        {
            "at": r.created_at,
            "who": people.get(r.actor_id or 0, "平台"),
            "action": HISTORY_ACTIONS.get(r.action, r.action),
            "changed": len([key for key in r.changes if key not in ("reason", "status")]),
        }
        for r in revisions  # the service gives them newest first
    ]


@router.post("/me/listings/{kind_name}/{listing_id}/edit", response_class=HTMLResponse)
async def update_listing(
    request: Request, kind_name: str, listing_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    return await _posted(request, user, kind_of(kind_name), listing_id, form)


@router.post("/me/listings/{kind_name}/quality")
async def listing_quality(kind_name: str, user: CurrentUser, form: CheckedForm) -> Response:
    """The quality score and what is missing, for the form as typed so far (the hints beside the form)."""
    kind = kind_of(kind_name)
    score, missing = quality_of(kind, _posted_values(kind, form))
    return JSONResponse({"score": score, "missing": missing})


@router.get("/me/listings/{kind_name}/{listing_id}/archive", response_class=HTMLResponse)
async def confirm_archive(request: Request, kind_name: str, listing_id: int, user: CurrentUser) -> Response:
    """下架 asks first: a page that says what taking the listing down means, with the one button that does it."""
    kind = kind_of(kind_name)
    item = await _own_listing(user, kind, listing_id)
    context = {"item": item, "kind": kind.listing_type.value, "noun": kind.noun, "listing_id": listing_id}
    return await render(request, "listing_archive.html", context, actor=user)


@router.post("/me/listings/{kind_name}/{listing_id}/archive", response_class=HTMLResponse)
async def archive_listing(
    request: Request, kind_name: str, listing_id: int, user: CurrentUser, form: CheckedForm
) -> Response:
    kind = kind_of(kind_name)
    await _own_listing(user, kind, listing_id)
    await catalog_service.transition_listing(
        actor=user, listing_type=kind.listing_type, listing_id=listing_id, action="archive"
    )
    return redirect("/me/listings", notice="listing_archived")


@router.post("/me/listings/expert/{listing_id}/person", response_class=HTMLResponse)
async def link_person(request: Request, listing_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    """关联专家本人账号: from then on the expert gives or withdraws consent themselves (empty email unlinks)."""
    kind = kind_of("expert")
    item = await _own_listing(user, kind, listing_id)
    email = str(form.get("person_email") or "").strip() or None
    try:
        await catalog_service.link_person(actor=user, listing_id=listing_id, link=PersonLink(email=email))
    except (DomainError, ValidationError) as exc:
        message = human_message(exc) if isinstance(exc, DomainError) else "请输入有效的邮箱地址"
        context = _form_context(kind, flatten(kind.values(item)), {"person_email": message}, listing_id, item)
        return await render(request, "listing_form.html", context, actor=user, status_code=422)
    return redirect(
        f"/me/listings/expert/{listing_id}/edit", notice="person_linked" if email else "person_unlinked"
    )
