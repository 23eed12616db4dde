"""Indicators API: the tech-contract turnover (技术合同成交额)."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.indicators import service
from web.deps import MaybeUser
from web.routes import export

router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"])


@router.get("/tech-contract-turnover", response_model=None)
async def turnover(
    user: MaybeUser,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
    group_by: str = "month",
    origin: str = "all",
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
) -> dict[str, Any] | Response:
    report = await service.turnover(actor=user, date_from=from_, date_to=to, group_by=group_by, origin=origin)
    return export(
        report,
        format=format,
        filename="tech-contract-turnover",
        to_csv=service.to_csv,
        to_xlsx=service.to_xlsx,
    )
