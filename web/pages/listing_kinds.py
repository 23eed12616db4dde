"""The four listing forms of 我的资源 (科技成果, 科研仪器, 专家, 服务机构): one lenient form model per type, how
it becomes the API body that the catalogue service validates, and how a stored listing becomes form values.

Form inputs are named by their dotted place in the body (``booking.max_hours``, ``fees.0.price``), so an error's
location is the name of the input it belongs to. Rows (fees, offerings) that are left wholly blank are dropped
before anything else, so row numbers in the form, the body and the errors always agree.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, Field

from services.reference import vocabulary as vocab
from services.reference.categories import INSTRUMENT_CATEGORIES
from services.reference.vocabulary import ListingType
from web.pages.demand import FIELD_CHOICES, REGION_CHOICES
from web.pages.forms import BlankIsNone, YuanFen

MAX_ROWS = 20
BLANK_ROWS = 2
OptionalText = Annotated[str | None, BlankIsNone]
OptionalInt = Annotated[int | None, BlankIsNone]


class CommonForm(BaseModel):
    """What every listing has: its pitch, fields of technology, keywords and region."""

    summary: str = Field(default="", max_length=2000)
    description: str = Field(default="", max_length=20_000)
    fields: list[str] = Field(default_factory=list)
    keywords: str = Field(default="", max_length=600)
    region: OptionalText = None


class AchievementForm(CommonForm):
    """The achievement form as posted; lenient, so the hints can be computed from half a form."""

    title: str = Field(default="", max_length=200)
    maturity: OptionalText = None
    trl: OptionalInt = None
    ip_kind: OptionalText = None
    ip_number: str = Field(default="", max_length=40)
    transfer_modes: list[str] = Field(default_factory=list)
    price_mode: str = "negotiable"
    price_min: YuanFen = None
    price_max: YuanFen = None


class LocationForm(BaseModel):
    campus: str = Field(default="", max_length=100)
    building: str = Field(default="", max_length=100)
    room: str = Field(default="", max_length=50)


class FeeRow(BaseModel):
    unit: OptionalText = None
    group: OptionalText = None
    price: YuanFen = None


class BookingForm(BaseModel):
    min_notice_hours: OptionalInt = None
    max_hours: OptionalInt = None
    needs_training: bool = False
    response_hours: OptionalInt = None
    cancel_free_hours: OptionalInt = None
    cancel_fee_percent: OptionalInt = None


class InstrumentForm(CommonForm):
    name: str = Field(default="", max_length=200)
    model: str = Field(default="", max_length=100)
    manufacturer: str = Field(default="", max_length=100)
    category: OptionalText = None
    original_value: YuanFen = None
    location: LocationForm = Field(default_factory=LocationForm)
    service_modes: list[str] = Field(default_factory=list)
    fees: list[FeeRow] = Field(default_factory=list, max_length=MAX_ROWS)
    booking: BookingForm = Field(default_factory=BookingForm)
    availability: str = "available"


class ConsentForm(BaseModel):
    publish: bool = False
    contact: bool = False


class ContactForm(BaseModel):
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=254)


class ExpertForm(CommonForm):
    name: str = Field(default="", max_length=100)
    title: str = Field(default="", max_length=100)
    institution: str = Field(default="", max_length=100)
    bio: str = Field(default="", max_length=20_000)
    services: list[str] = Field(default_factory=list)
    rate: YuanFen = None
    consent: ConsentForm = Field(default_factory=ConsentForm)
    contact: ContactForm = Field(default_factory=ContactForm)


class OfferingRow(BaseModel):
    name: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    price_min: YuanFen = None
    price_max: YuanFen = None


class AgencyForm(CommonForm):
    name: str = Field(default="", max_length=200)
    agency_types: list[str] = Field(default_factory=list)
    qualifications: str = Field(default="", max_length=1000)
    offerings: list[OfferingRow] = Field(default_factory=list, max_length=MAX_ROWS)


def words(text: str, limit: int = 30) -> list[str]:
    """'甲，乙、丙' -> ['甲', '乙', '丙'] (pure)."""
    return [word for word in re.split(r"[,，、;；\s]+", text) if word][:limit]


def yuan(fen: int | None) -> str:
    return f"{fen / 100:.2f}" if fen is not None else ""


def _price(mode: str, low: int | None, high: int | None) -> dict[str, Any]:
    if mode == "negotiable":
        return {"mode": mode}
    return {"mode": mode, "min_fen": low, "max_fen": high if mode == "range" else low}


def _common_body(form: CommonForm) -> dict[str, Any]:
    return {
        "summary": form.summary.strip(),
        "description": form.description.strip(),
        "fields": form.fields,
        "keywords": words(form.keywords),
        "region": form.region,
    }


def _common_values(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary": item.get("summary", ""),
        "description": item.get("description", ""),
        "fields": item.get("fields") or [],
        "keywords": "，".join(item.get("keywords") or []),
        "region": item.get("region") or "",
    }


def achievement_body(form: AchievementForm) -> dict[str, Any]:
    """The API body of an achievement from the portal form (pure); the catalog service validates it."""
    return {
        **_common_body(form),
        "title": form.title.strip(),
        "maturity": form.maturity,
        "trl": form.trl,
        "ip": [{"kind": form.ip_kind, "number": form.ip_number.strip() or None}] if form.ip_kind else [],
        "transfer_modes": form.transfer_modes,
        "price": _price(form.price_mode, form.price_min, form.price_max),
    }


def achievement_values(item: dict[str, Any]) -> dict[str, Any]:
    """The form's values for an existing achievement (pure)."""
    ip = (item.get("ip") or [{}])[0]
    price = item.get("price") or {"mode": "negotiable"}
    return {
        **_common_values(item),
        "title": item.get("title", ""),
        "maturity": item.get("maturity") or "",
        "trl": str(item.get("trl") or ""),
        "ip_kind": ip.get("kind") or "",
        "ip_number": ip.get("number") or "",
        "transfer_modes": item.get("transfer_modes") or [],
        "price_mode": price.get("mode", "negotiable"),
        "price_min": yuan(price.get("min_fen")),
        "price_max": yuan(price.get("max_fen")),
    }


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def instrument_body(form: InstrumentForm) -> dict[str, Any]:
    """The API body of an instrument (pure): fees in fen per unit and price group, the booking rules."""
    name = form.name.strip()
    return {
        **_common_body(form),
        "name": name,
        # The listing's title follows the instrument's name; otherwise a renamed instrument keeps its old title.
        "title": name or None,
        "model": form.model.strip(),
        "manufacturer": form.manufacturer.strip(),
        "category": form.category,
        "original_value_fen": form.original_value,
        "location": form.location.model_dump(),
        "service_modes": form.service_modes,
        "fees": [_without_none({"unit": f.unit, "price_fen": f.price, "group": f.group}) for f in form.fees],
        "booking": _without_none(form.booking.model_dump()),
        "availability": form.availability,
    }


def instrument_values(item: dict[str, Any]) -> dict[str, Any]:
    """The form's values for an existing instrument (pure)."""
    booking = item.get("booking") or {}
    return {
        **_common_values(item),
        "name": item.get("name") or item.get("title", ""),
        "model": item.get("model", ""),
        "manufacturer": item.get("manufacturer", ""),
        "category": item.get("category") or "",
        "original_value": yuan(item.get("original_value_fen")),
        "location": dict(item.get("location") or {}),
        "service_modes": item.get("service_modes") or [],
        "fees": [
            {"unit": f.get("unit", ""), "group": f.get("group") or "", "price": yuan(f.get("price_fen"))}
            for f in item.get("fees") or []
        ],
        "booking": {
            key: ("1" if value else "") if key == "needs_training" else str(value)
            for key, value in booking.items()
            if key in BookingForm.model_fields
        },
        "availability": item.get("availability") or "available",
    }


def expert_body(form: ExpertForm) -> dict[str, Any]:
    """The API body of an expert (pure); contact details only when some were typed."""
    phone, email = form.contact.phone.strip(), form.contact.email.strip()
    body: dict[str, Any] = {
        **_common_body(form),
        "name": form.name.strip(),
        "title": form.title.strip(),
        "institution": form.institution.strip(),
        "bio": form.bio.strip(),
        "services": form.services,
        "rate_fen_per_hour": form.rate,
        "consent": form.consent.model_dump(),
    }
    if phone or email:
        body["contact"] = {"phone": phone or None, "email": email or None}
    return body


def expert_values(item: dict[str, Any]) -> dict[str, Any]:
    """The form's values for an existing expert (pure). The contact is personal data: never put back in a page."""
    consent = item.get("consent") or {}
    return {
        **_common_values(item),
        "name": item.get("name", ""),
        "title": item.get("title", ""),
        "institution": item.get("institution", ""),
        "bio": item.get("bio", ""),
        "services": item.get("services") or [],
        "rate": yuan(item.get("rate_fen_per_hour")),
        "consent": {key: "1" if consent.get(key) else "" for key in ("publish", "contact")},
    }


def agency_body(form: AgencyForm) -> dict[str, Any]:
    """The API body of a service agency (pure): one price per offering, negotiable when left blank."""
    name = form.name.strip()
    offerings = []
    for row in form.offerings:
        mode = "negotiable" if row.price_min is None and row.price_max is None else "range"
        if row.price_max is None and row.price_min is not None:
            mode = "fixed"
        offerings.append(
            {
                "name": row.name.strip(),
                "description": row.description.strip(),
                "price": _price(mode, row.price_min, row.price_max),
            }
        )
    return {
        **_common_body(form),
        "name": name,
        "title": name or None,
        "agency_types": form.agency_types,
        "qualifications": words(form.qualifications),
        "offerings": offerings,
    }


def agency_values(item: dict[str, Any]) -> dict[str, Any]:
    """The form's values for an existing agency (pure)."""
    rows = []
    for offering in item.get("offerings") or []:
        price = offering.get("price") or {}
        fixed = price.get("mode") == "fixed"
        rows.append(
            {
                "name": offering.get("name", ""),
                "description": offering.get("description", ""),
                "price_min": yuan(price.get("min_fen")),
                "price_max": "" if fixed else yuan(price.get("max_fen")),
            }
        )
    return {
        **_common_values(item),
        "name": item.get("name") or item.get("title", ""),
        "agency_types": item.get("agency_types") or [],
        "qualifications": "，".join(item.get("qualifications") or []),
        "offerings": rows,
    }


@dataclass(frozen=True)
class Kind:
    """One listing type's form: its model, body and values, and where service errors land in it."""

    listing_type: ListingType
    noun: str
    form: type[CommonForm]
    body: Callable[[Any], dict[str, Any]]
    values: Callable[[dict[str, Any]], dict[str, Any]]
    defaults: dict[str, Any]
    # (pattern, replacement) on an error's dotted location: the API's name -> the form input's name.
    renames: tuple[tuple[str, str], ...] = ()
    # Lists of checkbox values, and rows of inputs.
    lists: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()
    # Nested objects an edit merges into the stored one, for the keys this form does not show.
    merged: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {
    "achievement": Kind(
        listing_type=ListingType.ACHIEVEMENT,
        noun="科技成果",
        form=AchievementForm,
        body=achievement_body,
        values=achievement_values,
        defaults={"price_mode": "negotiable", "region": "500107"},
        renames=((r"^ip(\..*)?$", "ip_number"), (r"^price(\..*)?$", "price_max")),
        lists=("fields", "transfer_modes"),
    ),
    "instrument": Kind(
        listing_type=ListingType.INSTRUMENT,
        noun="科研仪器",
        form=InstrumentForm,
        body=instrument_body,
        values=instrument_values,
        defaults={
            "region": "500107",
            "service_modes": ["commissioned"],
            "booking": {"min_notice_hours": "24", "max_hours": "8", "response_hours": "48"},
        },
        renames=(
            (r"^title$", "name"),
            (r"\.price_fen$", ".price"),
            (r"^original_value_fen$", "original_value"),
        ),
        lists=("fields", "service_modes"),
        rows=("fees",),
        merged=("booking",),
    ),
    "expert": Kind(
        listing_type=ListingType.EXPERT,
        noun="专家",
        form=ExpertForm,
        body=expert_body,
        values=expert_values,
        defaults={"region": "500107"},
        renames=((r"^rate_fen_per_hour$", "rate"),),
        lists=("fields", "services"),
    ),
    "agency": Kind(
        listing_type=ListingType.AGENCY,
        noun="服务机构",
        form=AgencyForm,
        body=agency_body,
        values=agency_values,
        defaults={"region": "500107"},
        renames=(
            (r"^title$", "name"),
            (r"\.price\.min_fen$", ".price_min"),
            (r"\.price\.max_fen$", ".price_max"),
            (r"\.price$", ".price_min"),
        ),
        lists=("fields", "agency_types"),
        rows=("offerings",),
    ),
}


def nest(values: dict[str, Any]) -> dict[str, Any]:
    """Dotted form values as nested objects and rows: {'fees.0.unit': 'hour'} -> {'fees': [{'unit': 'hour'}]}.

    A row left wholly blank is dropped, so the remaining rows are numbered as they will be shown again.
    """
    nested: dict[str, Any] = {}
    rows: dict[str, dict[int, dict[str, Any]]] = {}
    for key, value in values.items():
        head, _, rest = key.partition(".")
        if not rest:
            nested[key] = value
            continue
        index, _, leaf = rest.partition(".")
        if index.isdigit() and leaf and len(index) <= 3:
            rows.setdefault(head, {}).setdefault(int(index), {})[leaf] = value
        elif isinstance(nested.setdefault(head, {}), dict):
            nested[head][rest] = value
    for head, numbered in rows.items():
        filled = [numbered[i] for i in sorted(numbered) if any(str(v).strip() for v in numbered[i].values())]
        nested[head] = filled[: MAX_ROWS + 1]
    return nested


def flatten(nested: dict[str, Any]) -> dict[str, Any]:
    """The inverse of nest: nested objects and rows as dotted form values."""
    flat: dict[str, Any] = {}
    for key, value in nested.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{leaf}": item for leaf, item in value.items()})
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, row in enumerate(value):
                flat.update({f"{key}.{index}.{leaf}": item for leaf, item in row.items()})
        else:
            flat[key] = value
    return flat


def row_count(values: dict[str, Any], name: str) -> int:
    """How many rows of inputs to show: the filled ones and a couple of blank ones (pure)."""
    numbers = {int(key.split(".")[1]) for key in values if key.startswith(f"{name}.") and key.count(".") == 2}
    return min(MAX_ROWS, (max(numbers) + 1 if numbers else 0) + BLANK_ROWS)


def error_name(kind: Kind, loc: list[Any]) -> str:
    """The form input an error's location points at (pure)."""
    name = ".".join(str(part) for part in loc if part != "body")
    for pattern, replacement in kind.renames:
        name = re.sub(pattern, replacement, name)
    return name


CHOICES: dict[str, Any] = {
    "field_choices": FIELD_CHOICES,
    "region_choices": REGION_CHOICES,
    "maturity_choices": list(vocab.MATURITY_LABELS.items()),
    "ip_kind_choices": list(vocab.IP_KIND_LABELS.items()),
    "transfer_mode_choices": list(vocab.TRANSFER_MODE_LABELS.items()),
    "price_mode_choices": list(vocab.PRICE_MODE_LABELS.items()),
    "category_choices": [
        (category.label, [(sub.code, sub.label) for sub in category.subcategories])
        for category in INSTRUMENT_CATEGORIES
    ],
    "service_mode_choices": list(vocab.SERVICE_MODE_LABELS.items()),
    "fee_unit_choices": list(vocab.FEE_UNIT_LABELS.items()),
    "price_group_choices": list(vocab.PRICE_GROUP_LABELS.items()),
    "availability_choices": list(vocab.INSTRUMENT_AVAILABILITY_LABELS.items()),
    "expert_service_choices": list(vocab.EXPERT_SERVICE_LABELS.items()),
    "agency_type_choices": list(vocab.AGENCY_TYPE_LABELS.items()),
}
