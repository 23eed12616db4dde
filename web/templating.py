"""One Jinja2 environment for the portal, with filters registered once."""

from pathlib import Path

from fastapi.templating import Jinja2Templates

from services.catalog.reference import LISTING_TYPES, MATURITY_LEVELS, region_name, tech_field
from services.core.money import format_wan, format_yuan

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _field_label(code: str) -> str:
    found = tech_field(code)
    return found.label if found else code


templates.env.filters["yuan"] = format_yuan
templates.env.filters["wan"] = format_wan
templates.env.filters["field_label"] = _field_label
templates.env.filters["region_name"] = lambda code: region_name(code) or code if code else ""
templates.env.globals["TYPE_LABELS"] = dict(LISTING_TYPES)
templates.env.globals["MATURITY_LABELS"] = dict(MATURITY_LEVELS)
