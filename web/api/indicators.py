"""Indicators API: the tech-contract turnover (技术合同成交额)."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.indicators import service
from web.deps import MaybeUser

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
    if format == "csv":
        return Response(
            service.to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="tech-contract-turnover.csv"'},
        )
    if format == "xlsx":
        return Response(
            service.to_xlsx(report),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="tech-contract-turnover.xlsx"'},
        )
    return report
