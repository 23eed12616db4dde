"""The tech-contract turnover indicator (技术合同成交额): roll-ups of registered contracts, targets, exports."""

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any

from tortoise import connections

from services.accounts.policies import Actor
from services.catalog.reference import national_field_for, region_name, tech_field, turnover_target_fen
from services.core.clock import CHINA_TZ
from services.core.errors import Invalid

GROUPS = {
    # Registration time is bucketed in Beijing time: the registry's calendar, not UTC's.
    "month": "to_char(registered_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')",
    "contract_type": "contract_type",
    "field": "field",
    "region": "seller_region",
    "buyer_region": "buyer_region",
}
GROUP_LABELS = {
    "contract_type": {
        "development": "技术开发",
        "transfer": "技术转让",
        "license": "技术许可",
        "consulting": "技术咨询",
        "service": "技术服务",
    }
}


EARLIEST = date(1980, 1, 1)
LATEST = date(2999, 12, 31)


def _bounds(date_from: date | None, date_to: date | None) -> tuple[datetime, datetime]:
    today = datetime.now(CHINA_TZ).date()
    start = date_from or date(today.year, 1, 1)
    end = date_to or today
    if end < start:
        raise Invalid.field(["query", "to"], "to 不能早于 from (to must not be before from)")
    for name, value in (("from", start), ("to", end)):
        if not EARLIEST <= value <= LATEST:
            raise Invalid.field(
                ["query", name], f"日期须在 {EARLIEST} 至 {LATEST} 之间 (date out of the supported range)"
            )
    return (
        datetime.combine(start, time.min, CHINA_TZ),
        datetime.combine(end + timedelta(days=1), time.min, CHINA_TZ),
    )


def _label(group_by: str, key: str) -> str:
    if group_by == "field":
        found = tech_field(key)
        national = national_field_for(key)
        return f"{found.label}（{national.label}）" if found and national else key
    if group_by in ("region", "buyer_region"):
        return region_name(key) or key
    return GROUP_LABELS.get(group_by, {}).get(key, key)


async def turnover(
    *, actor: Actor | None, date_from: date | None, date_to: date | None, group_by: str
) -> dict[str, Any]:
    """Totals and a series of registered contracts, dated by registration, with the year's target."""
    if group_by not in GROUPS:
        raise Invalid.field(["query", "group_by"], f"group_by 只能是 {', '.join(GROUPS)} (unknown grouping)")
    start, end = _bounds(date_from, date_to)
    conn = connections.get("default")
    key_sql = GROUPS[group_by]
    # Technical amount: the registry's certified figure overrides the declared one (DOMAIN.md).
    rows = await conn.execute_query_dict(
        f"SELECT {key_sql} AS key, SUM(total_fen)::bigint AS total_fen, "
        "SUM(COALESCE(certified_tech_fen, tech_fen))::bigint AS tech_fen, COUNT(*) AS count "
        "FROM deals_contract WHERE status = 'registered' AND registered_at >= $1 AND registered_at < $2 "
        f"GROUP BY 1 ORDER BY 1",
        [start, end],
    )
    series = [
        {
            "key": r["key"],
            "label": _label(group_by, r["key"]),
            "total_fen": int(r["total_fen"]),
            "tech_fen": int(r["tech_fen"]),
            "count": int(r["count"]),
        }
        for r in rows
    ]
    year = (end - timedelta(days=1)).year
    year_rows = await conn.execute_query_dict(
        "SELECT COALESCE(SUM(total_fen), 0)::bigint AS total FROM deals_contract WHERE status = 'registered' "
        "AND registered_at >= $1 AND registered_at < $2",
        [datetime(year, 1, 1, tzinfo=CHINA_TZ), datetime(year + 1, 1, 1, tzinfo=CHINA_TZ)],
    )
    target = turnover_target_fen(year)
    year_total = int(year_rows[0]["total"])
    return {
        "from": start.date().isoformat(),
        "to": (end - timedelta(days=1)).isoformat()[:10],
        "group_by": group_by,
        "basis": "buyer (吸纳)" if group_by == "buyer_region" else "seller (输出)",
        "total_fen": sum(s["total_fen"] for s in series),
        "tech_fen": sum(s["tech_fen"] for s in series),
        "count": sum(s["count"] for s in series),
        "series": series,
        "target": {
            "year": year,
            "target_fen": target,
            "year_total_fen": year_total,
            "progress": round(year_total / target, 6) if target else None,
        },
    }


def to_csv(report: dict[str, Any]) -> bytes:
    """The series as CSV (UTF-8 with BOM so Excel on Chinese Windows opens it correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["key", "label", "total_fen", "tech_fen", "count"])
    for row in report["series"]:
        writer.writerow([row["key"], row["label"], row["total_fen"], row["tech_fen"], row["count"]])
    writer.writerow(["total", "合计", report["total_fen"], report["tech_fen"], report["count"]])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: dict[str, Any]) -> bytes:
    """The series as an xlsx workbook."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "技术合同成交额"
    sheet.append(["分组", "名称", "合同成交额（分）", "技术交易额（分）", "合同数"])
    for row in report["series"]:
        sheet.append([row["key"], row["label"], row["total_fen"], row["tech_fen"], row["count"]])
    sheet.append(["total", "合计", report["total_fen"], report["tech_fen"], report["count"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
