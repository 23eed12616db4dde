"""The tech-contract turnover indicator (技术合同成交额): roll-ups of registered contracts, targets, exports."""

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any

from services.accounts.policies import Actor
from services.core.clock import CHINA_TZ
from services.core.db import transaction
from services.core.errors import Invalid
from services.indicators import repository
from services.reference.fields import national_field_for, tech_field
from services.reference.regions import region_name
from services.reference.targets import turnover_target_fen

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
        raise Invalid.field(["query", "to"], "to 不能早于 from", "to must not be before from")
    for name, value in (("from", start), ("to", end)):
        if not EARLIEST <= value <= LATEST:
            raise Invalid.field(
                ["query", name], f"日期须在 {EARLIEST} 至 {LATEST} 之间", "date out of the supported range"
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
    *, actor: Actor | None, date_from: date | None, date_to: date | None, group_by: str, origin: str = "all"
) -> dict[str, Any]:
    """Totals and a series of registered contracts, dated by registration, with the year's target."""
    if origin not in repository.ORIGINS:
        raise Invalid.field(
            ["query", "origin"], f"origin 只能是 {', '.join(repository.ORIGINS)}", "unknown origin"
        )
    if group_by not in repository.GROUP_KEYS:
        raise Invalid.field(
            ["query", "group_by"],
            f"group_by 只能是 {', '.join(repository.GROUP_KEYS)}",
            "unknown grouping",
        )
    start, end = _bounds(date_from, date_to)
    rows = await repository.registered_sums(group_by, start.date(), end.date(), origin)
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
    year_total = await repository.registered_total(date(year, 1, 1), date(year + 1, 1, 1))
    target = turnover_target_fen(year)
    return {
        "from": start.date().isoformat(),
        "to": (end - timedelta(days=1)).isoformat()[:10],
        "group_by": group_by,
        "origin": origin,
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


async def apply_contract_changes(*, contract_ids: list[int], connection: Any) -> int:
    """Bring the roll-up up to date with these contracts (the worker, for `contract.changed` events)."""
    return await repository.apply_contract_changes(sorted(set(contract_ids)), connection)


async def rebuild_rollup() -> int:
    """Recompute the whole roll-up from the contracts (`techmarket indicators rebuild`)."""
    async with transaction() as conn:
        return await repository.rebuild(conn)
