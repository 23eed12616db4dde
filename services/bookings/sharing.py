"""The 开放共享 report: per instrument and institution, per period — available, booked, effective (有效机时)
and external-service hours (对外服务机时), external users and income; with CSV/XLSX exports in 元."""

import csv
import io
import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.bookings import calendar, policies, repository
from services.catalog import service as catalog_service
from services.core.clock import CHINA_TZ
from services.core.errors import Invalid
from services.core.money import FEN_PER_YUAN

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
MAX_PERIOD = timedelta(days=731)  # the 考核 looks back two years
HOURS_FIELDS = ("available_hours", "booked_hours", "effective_hours", "external_hours")
HEADERS = {
    "instrument_id": "仪器编号",
    "name": "仪器名称",
    "org_name": "所属单位",
    "available_hours": "可用机时(小时)",
    "booked_hours": "预约机时(小时)",
    "effective_hours": "有效机时(小时)",
    "external_hours": "对外服务机时(小时)",
    "external_users": "对外服务用户数",
    "income": "服务收入(元)",
}


def _period(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    if date_to < date_from:
        raise Invalid.field(["query", "to"], "to 不能早于 from", "to must not be before from")
    start = datetime.combine(date_from, time.min, CHINA_TZ)
    end = datetime.combine(date_to + timedelta(days=1), time.min, CHINA_TZ)
    if end - start > MAX_PERIOD:
        raise Invalid.field(["query", "to"], "统计区间最长两年", "at most two years per report")
    return start, end


def _hours(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _yuan(fen: int) -> str:
    yuan, cents = divmod(fen, FEN_PER_YUAN)
    return f"{yuan}.{cents:02d}"


async def open_sharing_report(
    *, actor: Actor, date_from: date, date_to: date, org_id: int | None
) -> dict[str, Any]:
    """The 开放共享 figures of an institution's instruments (admins: any institution or all of them)."""
    org_id = policies.require_report_reader(actor, org_id)
    start, end = _period(date_from, date_to)
    instruments = await catalog_service.published_instruments(org_id=org_id)
    owners = {int(i["id"]): int(i["org_id"]) for i in instruments}
    figures, external_users_by_org = await repository.sharing_figures(start, end, owners)
    by_instrument = {int(row["instrument_id"]): row for row in figures}
    closed: dict[int, list[calendar.Interval]] = defaultdict(list)
    for closure in await repository.closures_of(list(owners), start, end):
        closed[closure.instrument_id].append((closure.starts_at, closure.ends_at))
    names = await accounts_service.org_names(org_ids=list(set(owners.values())))
    rows: list[dict[str, Any]] = []
    for instrument in instruments:
        instrument_id = int(instrument["id"])
        found = by_instrument.get(instrument_id, {})
        opening = (instrument.get("booking") or {}).get("opening_hours")
        open_time = calendar.subtract(calendar.opening_intervals(opening, start, end), closed[instrument_id])
        rows.append(
            {
                "instrument_id": instrument_id,
                "name": instrument.get("name") or instrument.get("title"),
                "org_id": owners[instrument_id],
                "org_name": names.get(owners[instrument_id], ""),
                "available_hours": _hours(sum((e - s).total_seconds() for s, e in open_time) / 3600),
                "booked_hours": _hours(found.get("booked_hours")),
                "effective_hours": _hours(found.get("effective_hours")),
                "external_hours": _hours(found.get("external_hours")),
                "external_users": int(found.get("external_users") or 0),
                "income_fen": int(found.get("income_fen") or 0),
            }
        )
    institutions: dict[int, dict[str, Any]] = {}
    for row in rows:
        total = institutions.setdefault(
            row["org_id"],
            {
                "org_id": row["org_id"],
                "org_name": row["org_name"],
                "instruments": 0,
                **dict.fromkeys(HOURS_FIELDS, Decimal(0)),
                "external_users": external_users_by_org.get(row["org_id"], 0),
                "income_fen": 0,
            },
        )
        total["instruments"] += 1
        for name in HOURS_FIELDS:
            total[name] += row[name]
        total["income_fen"] += row["income_fen"]
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "org_id": org_id,
        "instruments": [_json(row) for row in rows],
        "institutions": [_json(total) for total in institutions.values()],
        "totals": _json(
            {
                **{name: sum((r[name] for r in rows), Decimal(0)) for name in HOURS_FIELDS},
                "external_users": sum(external_users_by_org.values()),
                "income_fen": sum(r["income_fen"] for r in rows),
            }
        ),
    }


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {key: float(value) if isinstance(value, Decimal) else value for key, value in row.items()}


def _table(report: dict[str, Any]) -> list[list[Any]]:
    lines: list[list[Any]] = [list(HEADERS.values())]
    for row in report["instruments"]:
        lines.append(
            [
                row["instrument_id"],
                row["name"],
                row["org_name"],
                *(f"{row[name]:.2f}" for name in HOURS_FIELDS),
                row["external_users"],
                _yuan(row["income_fen"]),
            ]
        )
    totals = report["totals"]
    lines.append(
        [
            "合计",
            "",
            "",
            *(f"{totals[name]:.2f}" for name in HOURS_FIELDS),
            totals["external_users"],
            _yuan(totals["income_fen"]),
        ]
    )
    return lines


def to_csv(report: dict[str, Any]) -> bytes:
    """The instrument rows as CSV with Chinese headers and amounts in 元 (UTF-8 with BOM for Excel)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_table(report))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: dict[str, Any]) -> bytes:
    """The instrument rows and the institution totals as an xlsx workbook, amounts in 元."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "仪器开放共享"
    for line in _table(report):
        sheet.append([_number(cell) for cell in line])
    institutions = book.create_sheet("单位汇总")
    institutions.append(
        ["单位", "仪器数", *(HEADERS[name] for name in HOURS_FIELDS), "对外服务用户数", "服务收入(元)"]
    )
    for total in report["institutions"]:
        institutions.append(
            [
                total["org_name"],
                total["instruments"],
                *(total[name] for name in HOURS_FIELDS),
                total["external_users"],
                Decimal(total["income_fen"]) / FEN_PER_YUAN,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(cell: Any) -> Any:
    """Numbers stay numbers in the workbook (the CSV keeps them as text with two decimals)."""
    return Decimal(cell) if isinstance(cell, str) and NUMBER.match(cell) else cell
