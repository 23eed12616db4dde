"""The dashboard's figures: one unit per view, every month listed, exports in 元 with Chinese headers."""

import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from web.pages.dashboard import chart_data, export_csv, export_table, export_xlsx, rows_of, wan, yi


def report(group_by: str, series: list[dict[str, Any]], target_fen: int = 2_000_000_000_00) -> dict[str, Any]:
    return {
        "from": "2026-01-01",
        "to": "2026-06-30",
        "group_by": group_by,
        "total_fen": sum(s["total_fen"] for s in series),
        "tech_fen": sum(s["tech_fen"] for s in series),
        "count": sum(s["count"] for s in series),
        "series": series,
        "target": {"year": 2026, "target_fen": target_fen, "year_total_fen": 0, "progress": 0},
    }


def row(key: str, label: str, total: int, tech: int = 0, count: int = 1) -> dict[str, Any]:
    return {"key": key, "label": label, "total_fen": total, "tech_fen": tech, "count": count}


def test_units_are_wan_and_yi_without_mixing_and_small_yi_totals_do_not_read_as_zero():
    assert wan(73_662_000_000) == "73,662.00"  # 7.3662 亿元 shown in 万元, not switched to 亿元
    assert wan(1_234_567) == "1.23"
    assert yi(2_000_000_000_00) == "20.00"
    assert yi(12_000_000) == "0.0012"  # 12 万元 is 0.0012 亿元, not "0.00"


def test_monthly_view_lists_every_month_of_the_year_in_order():
    rows = rows_of(
        report("month", [row("2026-03", "2026-03", 5_000_000), row("2026-01", "2026-01", 1_000_000)]),
        year=2026,
    )
    assert [r.label for r in rows] == [f"2026年{m}月" for m in range(1, 13)]
    assert [r.total_fen for r in rows[:4]] == [1_000_000, 0, 5_000_000, 0]
    assert rows[2].share == 83.3


def test_breakdown_rows_are_largest_first():
    rows = rows_of(report("field", [row("a", "甲", 10), row("b", "乙", 30), row("c", "丙", 20)]))
    assert [r.label for r in rows] == ["乙", "丙", "甲"]


def test_export_has_chinese_headers_amounts_in_yuan_and_a_total_row():
    data = report(
        "contract_type",
        [row("license", "技术许可", 80_000_000, 72_000_000), row("service", "技术服务", 5_050, 0, 2)],
    )
    header, rows = export_table(data, year=None)
    assert header == ["合同类别", "合同成交额（元）", "其中技术交易额（元）", "合同数（份）", "占比（%）"]
    assert rows[0][:4] == ["技术许可", Decimal("800000.00"), Decimal("720000.00"), 1]
    assert rows[1][:4] == ["技术服务", Decimal("50.50"), Decimal("0.00"), 2]
    assert rows[-1][:4] == ["合计", Decimal("800050.50"), Decimal("720000.00"), 3]
    text = export_csv(data, year=None).decode("utf-8")
    assert text.startswith("\ufeff合同类别,合同成交额（元）")
    assert "技术许可,800000.00,720000.00,1," in text
    assert "合计,800050.50,720000.00,3,100.0" in text


def test_xlsx_export_keeps_numbers_as_numbers_in_yuan():
    data = report("region", [row("500107", "重庆市九龙坡区", 80_000_000, 72_000_000)])
    book = load_workbook(io.BytesIO(export_xlsx(data, year=None, title="2026 年技术合同成交额 · 按地区")))
    sheet = book.active
    assert sheet["A3"].value == "输出地区（卖方所在地）"
    assert sheet["B3"].value == "合同成交额（元）"
    assert sheet["A4"].value == "重庆市九龙坡区"
    assert sheet["B4"].value == 800000.0
    assert sheet["B4"].number_format == "#,##0.00"


def test_chart_data_accumulates_towards_the_target_up_to_the_current_month_only():
    reports = {
        "month": report("month", [row("2026-01", "", 1_000_000_000_0), row("2026-02", "", 5_000_000_000)]),
        "contract_type": report("contract_type", []),
        "field": report("field", []),
        "region": report("region", [row("500107", "重庆市九龙坡区", 7)]),
        "buyer_region": report("buyer_region", [row("500106", "重庆市沙坪坝区", 9)]),
    }
    data = chart_data(2026, reports, through_month=3)
    assert data["cumulative_yi"][:4] == [1.0, 1.5, 1.5, None]
    assert data["target_yi"] == 20.0
    assert data["pace_yi"][11] == 20.0
    assert data["pace_yi"][5] == 10.0
    assert data["monthly_wan"][:3] == [10000.0, 5000.0, 0.0]
    assert data["regions"]["labels"] == ["重庆市沙坪坝区", "重庆市九龙坡区"]
