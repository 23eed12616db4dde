"""Public portal pages (zh-CN): home, search with facets, and the detail page of each listing type."""

import html
import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from search import client as engine
from search import service as search_service
from search.queries import MAX_WINDOW, SearchParams, Selection
from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.bookings import service as bookings_service
from services.bookings.pricing import fees_for_group, price_group
from services.catalog import service as catalog_service
from services.core import clock
from services.core.errors import DomainError, NotFound
from services.core.money import format_wan, format_yuan
from services.favorites import service as favorites_service
from services.indicators import service as indicators_service
from services.reference.categories import instrument_category
from services.reference.fields import KEY_TECH_FIELD_CODES, field_label
from services.reference.regions import region_name
from services.reference.vocabulary import (
    AGENCY_TYPE_LABELS,
    FEE_UNIT_LABELS,
    LISTING_TYPE_LABELS,
    MATURITY_LABELS,
    ListingType,
)
from services.reference.vocabulary import (
    PRICE_GROUP_LABELS as GROUP_LABELS,
)
from web import search_params
from web.deps import MaybeUser
from web.pages.shell import page_numbers, render
from web.pages.week import Day, Slot, first_slot, slot_hours, week_days, week_start

router = APIRouter(include_in_schema=False)

SORT_LABELS = {
    "relevance": "综合排序",
    "newest": "最新发布",
    "price_asc": "价格从低到高",
    "price_desc": "价格从高到低",
}
PAGE_SIZE = 20
HOT_WORDS = (
    "扫描电镜",
    "集成电路",
    "人工智能",
    "体外诊断",
    "碳化硅",
    "锂离子电池",
    "核磁共振",
    "智能网联汽车",
)


def _fee_text(fee: dict[str, Any]) -> str:
    return f"{format_yuan(int(fee['price_fen']))} {FEE_UNIT_LABELS.get(fee['unit'], '元')}"


def _amount(fen: int) -> str:
    return format_wan(fen) if fen >= 1_000_000 else f"{format_yuan(fen)} 元"


def price_text(item: dict[str, Any]) -> str:
    """The price of a listing as a reader wants it: fees per unit, hourly rates, or an amount range."""
    if item.get("type") == "instrument" and item.get("fees"):
        return "；".join(_fee_text(fee) for fee in item["fees"])
    if item.get("type") == "expert" and item.get("rate_fen_per_hour") is not None:
        return f"{format_yuan(int(item['rate_fen_per_hour']))} 元/小时"
    low, high = item.get("price_min_fen"), item.get("price_max_fen")
    if low is None:
        return "面议"
    if high is None or high == low:
        return _amount(int(low))
    if low >= 1_000_000:
        return f"{format_wan(int(low)).removesuffix(' 万元')} – {format_wan(int(high))}"
    return f"{_amount(int(low))} – {_amount(int(high))}"


def subtitle(item: dict[str, Any]) -> str:
    """One line under a title that tells the four types apart."""
    kind = item.get("type")
    if kind == "instrument":
        category = instrument_category(item.get("category") or "")
        parts = [item.get("manufacturer") or "", item.get("model") or "", category[1] if category else ""]
    elif kind == "expert":
        parts = [item.get("professional_title") or item.get("title") or "", item.get("institution") or ""]
    elif kind == "achievement":
        maturity = MATURITY_LABELS.get(item.get("maturity") or "", "")
        parts = [f"成熟度：{maturity}" if maturity else "", f"TRL {item['trl']}" if item.get("trl") else ""]
    else:
        parts = [AGENCY_TYPE_LABELS.get(code, code) for code in item.get("agency_types") or []]
    return " · ".join(part for part in parts if part)


# --- search ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters(Selection):
    min_yuan: int | None = None
    max_yuan: int | None = None
    sort: str = "relevance"
    page: int = 1

    def href(self, **changes: Any) -> str:
        """The search URL of these filters with some changed; a filter change goes back to page 1."""
        target = replace(self, **changes)
        if "page" not in changes:
            target = replace(target, page=1)
        pairs = {
            "q": target.q,
            "type": ",".join(target.types),
            "field": ",".join(target.fields),
            "region": ",".join(target.regions),
            "maturity": ",".join(target.maturity),
            "min_price": "" if target.min_yuan is None else str(target.min_yuan),
            "max_price": "" if target.max_yuan is None else str(target.max_yuan),
            "sort": "" if target.sort == "relevance" else target.sort,
            "page": "" if target.page == 1 else str(target.page),
        }
        query = urlencode({key: value for key, value in pairs.items() if value})
        return f"/search?{query}" if query else "/search"

    @property
    def active(self) -> bool:
        return bool(
            self.types
            or self.fields
            or self.regions
            or self.maturity
            or self.min_yuan is not None
            or self.max_yuan is not None
        )


def _toggle(values: tuple[str, ...], key: str) -> tuple[str, ...]:
    return tuple(v for v in values if v != key) if key in values else (*values, key)


def _facet(
    filters: Filters, attribute: str, buckets: list[dict[str, Any]], label: Any
) -> list[dict[str, Any]]:
    selected: tuple[str, ...] = getattr(filters, attribute)
    # A chosen value stays listed (to be unticked) even when the other facets' choices leave it no hits.
    shown = {bucket["key"] for bucket in buckets}
    buckets = [*buckets, *({"key": key, "count": 0} for key in selected if key not in shown)]
    return [
        {
            "key": bucket["key"],
            "label": label(bucket["key"]),
            "count": bucket["count"],
            "active": bucket["key"] in selected,
            "href": filters.href(**{attribute: _toggle(selected, bucket["key"])}),
        }
        for bucket in buckets
    ]


def _chips(filters: Filters) -> list[dict[str, str]]:
    chips = []
    for attribute, label in (
        ("types", LISTING_TYPE_LABELS.get),
        ("fields", field_label),
        ("regions", region_name),
        ("maturity", MATURITY_LABELS.get),
    ):
        for key in getattr(filters, attribute):
            chips.append(
                {
                    "label": label(key) or key,
                    "href": filters.href(**{attribute: _toggle(getattr(filters, attribute), key)}),
                }
            )
    if filters.min_yuan is not None or filters.max_yuan is not None:
        low = f"{filters.min_yuan:,}" if filters.min_yuan is not None else "0"
        high = f"{filters.max_yuan:,}" if filters.max_yuan is not None else "不限"
        chips.append({"label": f"价格 {low}–{high} 元", "href": filters.href(min_yuan=None, max_yuan=None)})
    return chips


_FRAGMENT_TOKEN = re.compile(r"</?em>|&#?\w+;|.", re.DOTALL)


def _clip_highlight(fragment: str, visible: int) -> Markup:
    """The first `visible` characters of an HTML-encoded highlight, keeping its <em> tags balanced."""
    out: list[str] = []
    seen = 0
    open_em = False
    for token in _FRAGMENT_TOKEN.findall(fragment):
        if token in ("<em>", "</em>"):
            open_em = token == "<em>"
            out.append(token)
            continue
        if seen == visible:
            break
        out.append(token)
        seen += 1
    if open_em:
        out.append("</em>")
    return Markup("".join(out))


def _title_html(item: dict[str, Any], title: str) -> Markup:
    # The engine's title field may carry an instrument's model appended for recall; show the listing's title.
    fragments = (item.get("highlight") or {}).get("title")
    if not fragments:
        return escape(title)
    plain = html.unescape(re.sub(r"</?em>", "", fragments[0]))
    if plain == title:
        return Markup(fragments[0])
    if plain.startswith(title):
        return _clip_highlight(fragments[0], len(title))
    return escape(title)


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who is looking, as far as prices go: their organisation and its kind (anonymous: everyone else)."""

    org_id: int | None = None
    kind: str = ""


PRICE_GROUP_LABELS = {group: f"{label}价" for group, label in GROUP_LABELS.items()}


def _group_fees(item: dict[str, Any], visitor: Visitor) -> tuple[str, list[dict[str, Any]]]:
    """The price group this visitor books in, and the instrument's fees for that group."""
    group = price_group(
        booker_org_id=visitor.org_id if visitor.org_id is not None else -1,
        booker_kind=visitor.kind,
        owner_org_id=int(item.get("org_id") or 0),
    )
    by_unit = fees_for_group(item.get("fees") or [], group)
    return group, [{"unit": unit, "price_fen": price} for unit, price in by_unit.items()]


def _visitor_price(item: dict[str, Any], visitor: Visitor) -> str:
    """The instrument fees of the price group this visitor would pay, labelled with the group."""
    group, fees = _group_fees(item, visitor)
    text = "；".join(_fee_text(fee) for fee in fees) if fees else price_text(item)
    return f"{PRICE_GROUP_LABELS[group]} {text}"


async def _visitor_of(user: Actor | None) -> Visitor:
    if user is None or user.org_id is None:
        return Visitor()
    org = await accounts_service.get_org(org_id=user.org_id)
    return Visitor(org_id=user.org_id, kind=str(org.kind))


def _hit(item: dict[str, Any], visitor: Visitor | None = None) -> dict[str, Any]:
    """A result card, prepared: highlight fragments are HTML-encoded by the engine, everything else escaped."""
    highlight = item.get("highlight") or {}
    title = item.get("title") or item.get("name") or ""
    title_html = _title_html(item, title)
    if highlight.get("body"):
        snippet_html = Markup(" … ").join(Markup(fragment) for fragment in highlight["body"])
    else:
        snippet_html = escape((item.get("summary") or "")[:140])
    instrument = item.get("type") == "instrument"
    return {
        "type": item.get("type"),
        "type_label": LISTING_TYPE_LABELS.get(item.get("type") or "", ""),
        "verified": bool(item.get("org_verified")),
        "href": f"/listings/{item.get('type')}/{item.get('id')}",
        "institution": (item.get("institution") or (item.get("location") or {}).get("campus") or "")
        if instrument
        else "",
        "availability": AVAILABILITY_LABELS.get(item.get("availability") or "", "") if instrument else "",
        "unavailable": instrument and item.get("availability") not in (None, "available"),
        "group": _group_key(item),
        "offered_by": int(item.get("same_model_count") or 1),
        "also_at": [_member(other, visitor or Visitor()) for other in item.get("same_model") or []],
        "title_html": title_html,
        "subtitle": subtitle(item),
        "snippet_html": snippet_html,
        "fields": [field_label(code) for code in item.get("fields") or []][:3],
        "region": region_name(item.get("region") or "") or "",
        "price": _visitor_price(item, visitor or Visitor())
        if instrument and item.get("fees")
        else price_text(item),
    }


AVAILABILITY_LABELS = {"available": "可预约", "maintenance": "维护中", "retired": "已停用"}


def _member(item: dict[str, Any], visitor: Visitor) -> dict[str, Any]:
    """Another institution's listing of the same model, as the card names it: where, whether, what it costs."""
    return {
        "institution": item.get("institution") or (item.get("location") or {}).get("campus") or "",
        "href": f"/listings/{item.get('type') or 'instrument'}/{item.get('id')}",
        "availability": AVAILABILITY_LABELS.get(item.get("availability") or "", ""),
        "price": _visitor_price(item, visitor) if item.get("fees") else "",
    }


def _group_key(item: dict[str, Any]) -> str:
    if item.get("type") == "instrument" and item.get("model"):
        return f"{item.get('manufacturer') or ''}|{item['model']}"
    return f"{item.get('type')}|{item.get('id')}"


def group_cards(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One card per instrument model on a page: the first (best-ranked) card lists the other institutions
    that have the same model, each with its availability (pure)."""
    first: dict[str, dict[str, Any]] = {}
    grouped: list[dict[str, Any]] = []
    for card in cards:
        leader = first.get(card["group"])
        if leader is None:
            first[card["group"]] = card
            grouped.append(card)
        else:
            leader["offered_by"] += card["offered_by"]
            leader["also_at"].append(
                {
                    "institution": card["institution"],
                    "href": card["href"],
                    "availability": card["availability"],
                    "price": card["price"] if card["type"] == "instrument" else "",
                }
            )
    return grouped


def _whole_yuan(value: str | None) -> int | None:
    text = (value or "").replace(",", "").strip()
    return int(text) if text.isdigit() and len(text) <= 12 else None


def price_problem(min_price: str | None, max_price: str | None) -> str | None:
    """Why a price filter cannot be used as typed (it is then left out, never read as 0), or None."""
    for label, raw in (("最低价格", min_price), ("最高价格", max_price)):
        text = (raw or "").strip()
        if text and _whole_yuan(text) is None:
            return f"{label}“{text[:20]}”不是有效金额：请输入不超过 12 位的整数（元），如 5000。"
    low, high = _whole_yuan(min_price), _whole_yuan(max_price)
    if low is not None and high is not None and low > high:
        return "最低价格不能高于最高价格。"
    return None


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    request: Request,
    user: MaybeUser,
    q: Annotated[str, Query(max_length=200)] = "",
    type: str | None = None,
    field: str | None = None,
    region: str | None = None,
    maturity: str | None = None,
    min_price: str | None = None,
    max_price: str | None = None,
    sort: str = "relevance",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    last_allowed = MAX_WINDOW // PAGE_SIZE
    problem = price_problem(min_price, max_price)
    if problem is not None:
        min_price = max_price = None
    low, high = _whole_yuan(min_price), _whole_yuan(max_price)
    params = search_params.parse(
        q=q,
        types=type,
        fields=field,
        regions=region,
        maturity=maturity,
        min_price_fen=None if low is None else low * 100,
        max_price_fen=None if high is None else high * 100,
        sort=sort,
        page=page,
        size=PAGE_SIZE,
        group=True,
        strict=False,
    )
    filters = Filters(
        q=params.q,
        types=params.types,
        fields=params.fields,
        regions=params.regions,
        maturity=params.maturity,
        min_yuan=None if params.min_price_fen is None else params.min_price_fen // 100,
        max_yuan=None if params.max_price_fen is None else params.max_price_fen // 100,
        sort=params.sort,
        page=params.page,
    )
    visitor = await _visitor_of(user)
    try:
        result = await search_service.search(params)
    except engine.EngineUnavailable:
        return await render(
            request,
            "search.html",
            {"filters": filters, "unavailable": True, "hot_words": HOT_WORDS},
            actor=user,
            status_code=503,
        )
    facets = result["facets"]
    # Grouped by model: the pages hold one card per group.
    last = max(1, min(math.ceil(result.get("total_groups", result["total"]) / PAGE_SIZE), last_allowed))
    context = {
        "filters": filters,
        "q": filters.q,
        "total": result["total"],
        "took_ms": result["took_ms"],
        "hits": group_cards([_hit(item, visitor) for item in result["items"]]),
        # Fewer results than a page: listings like the best of them, shown apart.
        "related": group_cards([_hit(item, visitor) for item in result.get("related", [])]),
        "relaxed": result.get("relaxed", False),
        "price_ceiling_fen": result.get("price_ceiling_fen"),
        "query_facts": result.get("query_facts") or [],
        "corrected_q": result.get("corrected_q"),
        "facet_groups": [
            ("类型", _facet(filters, "types", facets["type"], lambda k: LISTING_TYPE_LABELS.get(k, k))),
            ("技术领域", _facet(filters, "fields", facets["field"], field_label)),
            ("地区", _facet(filters, "regions", facets["region"], lambda k: region_name(k) or k)),
            ("成熟度", _facet(filters, "maturity", facets["maturity"], lambda k: MATURITY_LABELS.get(k, k))),
        ],
        "chips": _chips(filters),
        "clear_href": Filters(q=filters.q).href(),
        "sorts": list(SORT_LABELS.items()),
        "page": filters.page,
        "last_page": last,
        "pages": [(n, filters.href(page=n) if n else "") for n in page_numbers(filters.page, last)],
        "prev_href": filters.href(page=filters.page - 1) if filters.page > 1 else None,
        "next_href": filters.href(page=filters.page + 1) if filters.page < last else None,
        "hot_words": HOT_WORDS,
        "unavailable": False,
        "price_error": problem,
        "price_raw": {
            "min": request.query_params.get("min_price", ""),
            "max": request.query_params.get("max_price", ""),
        },
    }
    return await render(request, "search.html", context, actor=user)


# --- home ------------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, user: MaybeUser) -> Response:
    counts: dict[str, int] = {}
    latest: list[dict[str, Any]] = []
    field_counts: dict[str, int] = {}
    try:
        counts = await search_service.indexed_counts()
        newest = await search_service.search(SearchParams(sort="newest", size=6))
        latest = [_hit(item) for item in newest["items"]]
        field_counts = {bucket["key"]: bucket["count"] for bucket in newest["facets"]["field"]}
    except engine.EngineUnavailable:
        counts = {}
    turnover = await indicators_service.turnover(actor=user, date_from=None, date_to=None, group_by="month")
    target = turnover["target"]
    context = {
        "counts": [
            {"type": key, "label": label, "count": counts.get(key, 0), "href": f"/search?type={key}"}
            for key, label in LISTING_TYPE_LABELS.items()
        ],
        "total_count": sum(counts.values()),
        "fields": [
            {
                "code": code,
                "label": field_label(code),
                "count": field_counts.get(code, 0),
                "href": f"/search?field={code}",
            }
            for code in KEY_TECH_FIELD_CODES
        ],
        "latest": latest,
        "hot_words": HOT_WORDS,
        "year": target["year"],
        "year_total": format_wan(target["year_total_fen"]),
        "year_target": format_wan(target["target_fen"]),
        "progress_percent": min(100.0, round((target["progress"] or 0) * 100, 1)),
    }
    return await render(request, "home.html", context, actor=user)


# --- listing details -------------------------------------------------------------------------------------


def booking_defaults(item: dict[str, Any], slot: Slot | None = None) -> dict[str, str]:
    """The booking form's first values: the chosen (or first free) slot, else the next 09:00–11:00 the
    notice period allows."""
    notice = int((item.get("booking") or {}).get("min_notice_hours", 24))
    earliest = clock.now().astimezone(clock.CHINA_TZ) + timedelta(hours=notice)
    day = earliest.date() + timedelta(days=1)
    modes = item.get("service_modes") or ["self"]
    return {
        "start": slot.start if slot else f"{day.isoformat()}T09:00",
        "end": slot.end if slot else f"{day.isoformat()}T11:00",
        "mode": modes[0],
        "samples": "",
        "note": "",
    }


CHOSEN_SLOT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
WEEKS_AHEAD = 12
SEARCH_WEEKS = 4  # how far an unasked calendar looks for the first week with a free slot


async def _free_week(instrument_id: int, monday: date, earliest: datetime, hours: float) -> list[Day]:
    """The seven days from `monday` with the instrument's bookable slots."""
    opens = datetime.combine(monday, datetime.min.time(), tzinfo=clock.CHINA_TZ)
    try:
        found = await bookings_service.get_availability(
            instrument_id=instrument_id, start=opens, end=opens + timedelta(days=7)
        )
        free = [(interval["start"], interval["end"]) for interval in found["free"]]
    except DomainError:
        free = []
    return week_days(monday=monday, free=free, earliest=earliest, hours=hours)


async def booking_week(
    item: dict[str, Any], week: date | None, chosen: tuple[str, str] | None
) -> dict[str, Any]:
    """The week calendar of free slots beside the booking form, and the slot the form starts with."""
    rules = item.get("booking") or {}
    earliest = clock.now() + timedelta(hours=int(rules.get("min_notice_hours", 24)))
    this_week = week_start(earliest.astimezone(clock.CHINA_TZ).date())
    hours = slot_hours(rules.get("max_hours"))
    if week:
        monday = min(max(week_start(week), this_week), this_week + timedelta(weeks=WEEKS_AHEAD))
        days = await _free_week(int(item["id"]), monday, earliest, hours)
    else:
        # Unasked, the calendar opens on the first week with a bookable slot: late on a Saturday (or over a
        # closed week) this week has none left, and an empty calendar reads as "fully booked".
        monday = this_week
        days = await _free_week(int(item["id"]), monday, earliest, hours)
        for ahead in range(1, SEARCH_WEEKS if first_slot(days) is None else 1):
            later = await _free_week(int(item["id"]), this_week + timedelta(weeks=ahead), earliest, hours)
            if first_slot(later):
                monday, days = this_week + timedelta(weeks=ahead), later
                break
    slot = first_slot(days)
    if chosen and all(CHOSEN_SLOT.match(value) for value in chosen):
        slot = Slot(start=chosen[0], end=chosen[1], label="")
    return {
        "week_days": days,
        "week_label": f"{monday.month}月{monday.day}日 – {(monday + timedelta(days=6)).month}月{(monday + timedelta(days=6)).day}日",
        "week_prev": (monday - timedelta(weeks=1)).isoformat() if monday > this_week else None,
        "week_next": (monday + timedelta(weeks=1)).isoformat()
        if monday < this_week + timedelta(weeks=WEEKS_AHEAD)
        else None,
        "booking_values": booking_defaults(item, slot),
        "chosen_start": slot.start if slot else "",
    }


async def listing_context(
    actor: Actor | None,
    listing_type: str,
    listing_id: int,
    *,
    week: date | None = None,
    chosen: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Everything a listing's detail page shows, prepared (raises NotFound)."""
    try:
        kind = ListingType(listing_type)
    except ValueError as exc:
        raise NotFound("listing_not_found", "未找到该条目", "not found") from exc
    item = await catalog_service.get_listing(actor=actor, listing_type=kind, listing_id=listing_id)
    # Contacts are private: the expert page never shows them, whoever is looking.
    item.pop("contact", None)
    org = await accounts_service.get_org(org_id=item["org_id"])
    context: dict[str, Any] = {
        "item": item,
        "display_title": item["name"] if kind == ListingType.EXPERT else item["title"],
        "subtitle": subtitle({**item, "professional_title": item.get("title")}),
        "org_name": org.name,
        "org_verified": org.verified,
        # The listing's own organisation gets a link to the demands it was matched to.
        "own": actor is not None and actor.org_id is not None and actor.org_id == item["org_id"],
        "saved": bool(await favorites_service.saved_listing_ids(actor=actor, listing_ids=[item["id"]])),
        "fields": [field_label(code) for code in item.get("fields") or []],
        "region": region_name(item.get("region") or "") or "",
        "price": price_text(item),
        "related_href": f"/search?{urlencode({'q': (item.get('keywords') or [''])[0], 'type': kind.value})}"
        if item.get("keywords")
        else None,
    }
    if kind in (ListingType.EXPERT, ListingType.ACHIEVEMENT, ListingType.AGENCY):
        context.update(enquiry_values={"subject": "", "message": "", "contact_back": ""}, enquiry_errors={})
    if kind == ListingType.INSTRUMENT:
        category = instrument_category(item.get("category") or "")
        context.update(
            category=" / ".join(category) if category else item.get("category"),
            fee_rows=[_fee_text(fee) for fee in item.get("fees") or []],
            rules=item.get("booking") or {},
            bookable=item.get("status") == "published" and item.get("availability") == "available",
            booking_errors={},
        )
        context.update(await booking_week(item, week, chosen))
        if actor is not None:
            group, fees = _group_fees(item, await _visitor_of(actor))
            context.update(
                price_group_label=PRICE_GROUP_LABELS[group],
                group_fees=fees,
                group_fee_text="；".join(_fee_text(fee) for fee in fees),
            )
    return context


@router.get("/listings/{listing_type}/{listing_id}", response_class=HTMLResponse)
async def listing_page(
    request: Request,
    listing_type: str,
    listing_id: int,
    user: MaybeUser,
    week: str = "",
    start: str = "",
    end: str = "",
) -> Response:
    try:
        monday = date.fromisoformat(week) if week else None
    except ValueError:
        monday = None  # a mangled link shows the first bookable week
    try:
        context = await listing_context(
            user, listing_type, listing_id, week=monday, chosen=(start, end) if start and end else None
        )
    except DomainError:
        return await render(
            request,
            "error.html",
            {"title": "页面不存在", "message": "未找到该条目，可能已下架或尚未发布。", "status_code": 404},
            actor=user,
            status_code=404,
        )
    return await render(request, f"listing_{listing_type}.html", context, actor=user)
