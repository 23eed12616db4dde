"""The admin's 开放共享 page: the year's sharing figures per institution, a chart and the exports."""

from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.bookings import sharing
from services.core.clock import CHINA_TZ
from web.deps import AdminUser
from web.pages.shell import render

router = APIRouter(prefix="/admin", include_in_schema=False)
FIRST_YEAR = 2020
BAR_WIDTH = 560


def sharing_chart(institutions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two bars per institution (有效机时, 对外服务机时) scaled to the largest value."""
    top = max((row["effective_hours"] for row in institutions), default=0) or 1
    return [
        {
            "name": row["org_name"],
            "effective": row["effective_hours"],
            "external": row["external_hours"],
            "effective_width": round(BAR_WIDTH * row["effective_hours"] / top, 1),
            "external_width": round(BAR_WIDTH * row["external_hours"] / top, 1),
        }
        for row in sorted(institutions, key=lambda r: -r["effective_hours"])
    ]


@router.get("/open-sharing", response_class=HTMLResponse)
async def open_sharing(
    request: Request, user: AdminUser, year: Annotated[int | None, Query(ge=FIRST_YEAR, le=2100)] = None
) -> Response:
    today = datetime.now(CHINA_TZ).date()
    chosen = year or today.year
    date_from, date_to = date(chosen, 1, 1), date(chosen, 12, 31)
    report = await sharing.open_sharing_report(actor=user, date_from=date_from, date_to=date_to, org_id=None)
    query = {"from": date_from.isoformat(), "to": date_to.isoformat()}
    context = {
        "year": chosen,
        "years": list(range(today.year + 1, FIRST_YEAR - 1, -1)),
        "report": report,
        "chart": sharing_chart(report["institutions"]),
        "bar_width": BAR_WIDTH,
        "exports": [
            (label, f"/api/v1/reports/open-sharing?{urlencode({**query, 'format': fmt})}")
            for label, fmt in (("导出 CSV", "csv"), ("导出 Excel", "xlsx"))
        ],
    }
    return await render(request, "admin_sharing.html", context, actor=user)
