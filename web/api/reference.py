"""Reference data: technology fields and the national instrument classification."""

from typing import Any

from fastapi import APIRouter

from services.reference.categories import INSTRUMENT_CATEGORIES
from services.reference.fields import TECH_FIELDS, national_field_for
from services.reference.regions import REGIONS

router = APIRouter(prefix="/api/v1", tags=["reference"])


@router.get("/fields")
async def fields() -> dict[str, Any]:
    items = []
    for field in TECH_FIELDS:
        national = national_field_for(field.code)
        items.append(
            {
                "code": field.code,
                "label": field.label,
                "label_en": field.label_en,
                "key": field.key,
                "national_field": national.label if national else None,
            }
        )
    return {"items": items}


@router.get("/instrument-categories")
async def instrument_categories() -> dict[str, Any]:
    return {
        "items": [
            {
                "code": c.code,
                "label": c.label,
                "subcategories": [{"code": s.code, "label": s.label} for s in c.subcategories],
            }
            for c in INSTRUMENT_CATEGORIES
        ]
    }


@router.get("/regions")
async def regions() -> dict[str, Any]:
    return {"items": [{"code": code, "name": name} for code, name in sorted(REGIONS.items())]}
