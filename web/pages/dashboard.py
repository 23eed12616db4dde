"""The turnover dashboard (技术合同成交额看板) the zone's leaders see, and its exports in 元 with Chinese headers.

Every view states one unit: the headline figures and the target chart in 亿元 (the plan's unit), the monthly and
breakdown views in 万元; exports carry exact 元. Charts are drawn by the vendored ECharts from the JSON the page
embeds; the tables under them hold the same numbers for printing and for readers without script.
"""

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.core.clock import CHINA_TZ
from services.indicators import service as indicators_service
from web.deps import AdminUser
from web.pages.shell import render

router = APIRouter(prefix="/admin", include_in_schema=False)
FIRST_YEAR = 2020
FEN_PER_WAN = 1_000_000
FEN_PER_YI = 10_000_000_000
GROUPS: dict[str, tuple[str, str]] = {
    # group_by: (title of the view, header of its first column)
    "month": ("按月", "月份"),
    "contract_type": ("按合同类别", "合同类别"),
    "field": ("按技术领域", "技术领域"),
    "region": ("按地区 · 输出（卖方所在地）", "输出地区（卖方所在地）"),
    "buyer_region": ("按地区 · 吸纳（买方所在地）", "吸纳地区（买方所在地）"),
}
GroupBy = Literal["month", "contract_type", "field", "region", "buyer_region"]


def _scaled(fen: int, per: int, places: int) -> Decimal:
    return (Decimal(fen) / per).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def wan(fen: int) -> str:
    """An amount in 万元 as a table prints it, without the unit (the header names it): 73662000000 -> '73,662.00'."""
    return f"{_scaled(fen, FEN_PER_WAN, 2):,}"


def yi(fen: int) -> str:
    """An amount in 亿元 without the unit; below one 亿 with four places so small totals do not read as zero."""
    return f"{_scaled(fen, FEN_PER_YI, 2 if abs(fen) >= FEN_PER_YI else 4):,}"


def yuan(fen: int) -> Decimal:
    """Exact 元 for exports."""
    return _scaled(fen, 100, 2)


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    total_fen: int
    tech_fen: int
    count: int
    share: float  # percent of the view's total


def rows_of(report: dict[str, Any], *, year: int | None = None) -> list[Row]:
    """The rows of one view: every month of the year for the monthly view, else groups by amount, largest first."""
    series = report["series"]
    if report["group_by"] == "month" and year is not None:
        by_key = {row["key"]: row for row in series}
        series = [
            {
                "label": f"{year}年{month}月",
                **{
                    k: by_key.get(f"{year}-{month:02d}", {}).get(k, 0)
                    for k in ("total_fen", "tech_fen", "count")
                },
            }
            for month in range(1, 13)
        ]
    else:
        series = sorted(series, key=lambda row: (-row["total_fen"], row["label"]))
    total = report["total_fen"]
    return [
        Row(
            label=str(row["label"]),
            total_fen=int(row["total_fen"]),
            tech_fen=int(row["tech_fen"]),
            count=int(row["count"]),
            share=round(100 * row["total_fen"] / total, 1) if total else 0.0,
        )
        for row in series
    ]


def chart_data(year: int, reports: dict[str, dict[str, Any]], *, through_month: int) -> dict[str, Any]:
    """What the page's charts draw: months in 万元, the cumulative total against the target in 亿元."""
    months = rows_of(reports["month"], year=year)
    target_fen = int(reports["month"]["target"]["target_fen"])
    running, cumulative = 0, []
    for number, row in enumerate(months, start=1):
        running += row.total_fen
        cumulative.append(float(_scaled(running, FEN_PER_YI, 4)) if number <= through_month else None)
    regions_out = {row.label: row.total_fen for row in rows_of(reports["region"])}
    regions_in = {row.label: row.total_fen for row in rows_of(reports["buyer_region"])}
    region_labels = sorted(
        set(regions_out) | set(regions_in),
        key=lambda name: -(regions_out.get(name, 0) + regions_in.get(name, 0)),
    )

    def in_wan(fen: int) -> float:
        return float(_scaled(fen, FEN_PER_WAN, 2))

    return {
        "year": year,
        "months": [f"{number}月" for number in range(1, 13)],
        "monthly_wan": [in_wan(row.total_fen) for row in months],
        "cumulative_yi": cumulative,
        "target_yi": float(_scaled(target_fen, FEN_PER_YI, 2)),
        "pace_yi": [float(_scaled(target_fen * month // 12, FEN_PER_YI, 4)) for month in range(1, 13)],
        "types": [{"name": r.label, "value": in_wan(r.total_fen)} for r in rows_of(reports["contract_type"])],
        "fields": [{"name": r.label, "value": in_wan(r.total_fen)} for r in rows_of(reports["field"])],
        "regions": {
            "labels": region_labels,
            "out_wan": [in_wan(regions_out.get(name, 0)) for name in region_labels],
            "in_wan": [in_wan(regions_in.get(name, 0)) for name in region_labels],
        },
    }


def export_table(report: dict[str, Any], *, year: int | None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of an export: Chinese headers, amounts in 元 (two places), a 合计 row last."""
    header = [
        GROUPS[report["group_by"]][1],
        "合同成交额（元）",
        "其中技术交易额（元）",
        "合同数（份）",
        "占比（%）",
    ]
    rows: list[list[Any]] = [
        [row.label, yuan(row.total_fen), yuan(row.tech_fen), row.count, Decimal(str(row.share))]
        for row in rows_of(report, year=year)
    ]
    rows.append(
        ["合计", yuan(report["total_fen"]), yuan(report["tech_fen"]), report["count"], Decimal("100.0")]
    )
    return header, rows


def export_csv(report: dict[str, Any], *, year: int | None) -> bytes:
    """The view as CSV, UTF-8 with a BOM so Excel on Chinese Windows opens it correctly."""
    header, rows = export_table(report, year=year)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[f"{cell:.2f}" if isinstance(cell, Decimal) else cell for cell in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(report: dict[str, Any], *, year: int | None, title: str) -> bytes:
    """The view as an xlsx sheet with numbers as numbers (formatted to two places)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = export_table(report, year=year)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "技术合同成交额"
    sheet.append([title])
    sheet.append([f"统计区间：{report['from']} 至 {report['to']}（按登记日期，北京时间）"])
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([float(cell) if isinstance(cell, Decimal) else cell for cell in row])
        for cell in sheet[sheet.max_row][1:3]:
            cell.number_format = "#,##0.00"
    sheet.column_dimensions["A"].width = 34
    for column in "BCDE":
        sheet.column_dimensions[column].width = 20
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _period(year: int | None) -> tuple[int, date, date]:
    today = datetime.now(CHINA_TZ).date()
    chosen = min(year or today.year, today.year)
    return chosen, date(chosen, 1, 1), today if chosen == today.year else date(chosen, 12, 31)


Year = Annotated[int | None, Query(ge=FIRST_YEAR, le=2100)]


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, user: AdminUser, year: Year = None) -> Response:
    chosen, date_from, date_to = _period(year)
    reports = {
        group_by: await indicators_service.turnover(
            actor=user, date_from=date_from, date_to=date_to, group_by=group_by
        )
        for group_by in GROUPS
    }
    month = reports["month"]
    target = month["target"]
    progress = float(target["progress"] or 0)
    context = {
        "year": chosen,
        "years": list(range(datetime.now(CHINA_TZ).year, FIRST_YEAR - 1, -1)),
        "date_from": date_from,
        "date_to": date_to,
        "kpi": {
            "total": yi(month["total_fen"]),
            "tech": yi(month["tech_fen"]),
            "count": month["count"],
            "target": yi(target["target_fen"]),
            "remaining": yi(max(0, target["target_fen"] - target["year_total_fen"])),
        },
        "year_total_fen": target["year_total_fen"],
        "progress_percent": round(progress * 100, 1),
        "progress_value": min(100.0, round(progress * 100, 1)),
        "views": [
            {
                "key": group_by,
                "title": GROUPS[group_by][0],
                "column": GROUPS[group_by][1],
                "rows": rows_of(report, year=chosen),
                "total": report,
                "exports": {
                    kind: "/admin/dashboard/export?"
                    + urlencode({"year": chosen, "group_by": group_by, "format": kind})
                    for kind in ("csv", "xlsx")
                },
            }
            for group_by, report in reports.items()
        ],
        "chart_json": json.dumps(
            chart_data(chosen, reports, through_month=date_to.month),
            ensure_ascii=False,
            separators=(",", ":"),
        ).replace("<", "\\u003c"),
        "wan": wan,
    }
    return await render(request, "admin_dashboard.html", context, actor=user)


@router.get("/dashboard/export")
async def export(
    user: AdminUser,
    group_by: GroupBy = "month",
    format: Literal["csv", "xlsx"] = "csv",
    year: Year = None,
) -> Response:
    chosen, date_from, date_to = _period(year)
    report = await indicators_service.turnover(
        actor=user, date_from=date_from, date_to=date_to, group_by=group_by
    )
    title = f"{chosen} 年技术合同成交额 · {GROUPS[group_by][0]}"
    filename = f"技术合同成交额_{chosen}_{GROUPS[group_by][1]}.{format}"
    disposition = (
        f"attachment; filename=\"turnover-{chosen}-{group_by}.{format}\"; filename*=UTF-8''{quote(filename)}"
    )
    month_year = chosen if group_by == "month" else None
    if format == "csv":
        return Response(
            export_csv(report, year=month_year),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": disposition},
        )
    return Response(
        export_xlsx(report, year=month_year, title=title),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": disposition},
    )
