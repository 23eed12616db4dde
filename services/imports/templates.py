"""Import templates: a file with the header row and one example row per listing type, and the inverse of
parsing (a create body as a row)."""

import csv
import io
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from services.catalog.schemas import CREATE_SCHEMAS
from services.imports.columns import (
    COLUMNS,
    CSV_MEDIA_TYPE,
    FORMAT_NOTES,
    OFFERING_SEPARATOR,
    XLSX_MEDIA_TYPE,
    Column,
    ImportFormat,
    Kind,
)
from services.reference.vocabulary import ListingType


def template(listing_type: ListingType, fmt: ImportFormat) -> tuple[bytes, str, str]:
    """A file with the header row and one example row that imports as is: (bytes, media type, file name)."""
    columns = COLUMNS[listing_type]
    filename = f"{listing_type.value}-import-template.{fmt.value}"
    if fmt == ImportFormat.CSV:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([c.name for c in columns])
        writer.writerow([c.example for c in columns])
        # The BOM makes Excel open the UTF-8 file with its Chinese intact.
        return buffer.getvalue().encode("utf-8-sig"), CSV_MEDIA_TYPE, filename
    required = {n for n, info in CREATE_SCHEMAS[listing_type].model_fields.items() if info.is_required()}
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = listing_type.value
    sheet.append([c.name for c in columns])
    sheet.append([f"{c.label}*" if c.name in required else c.label for c in columns])
    sheet.append([_example_cell(c) for c in columns])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in (*sheet[1], *sheet[2]):
        cell.font = bold
        cell.fill = fill
    for position, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = max(14, min(40, len(column.example) + 4))
        # Text format keeps codes like 0101 and long numbers intact when typed in Excel.
        if column.kind not in (Kind.INTEGER, Kind.BOOLEAN):
            sheet.cell(row=3, column=position).number_format = "@"
    sheet.freeze_panes = "A3"
    notes = workbook.create_sheet("说明")
    notes.append(["列名 (column)", "中文名", "必填", "格式", "示例", "也可用的列名 (aliases)"])
    for column in columns:
        notes.append(
            [
                column.name,
                column.label,
                "是" if column.name in required else "",
                FORMAT_NOTES[column.kind],
                column.example,
                "、".join(column.aliases),
            ]
        )
    notes.append([])
    notes.append(
        [
            "说明",
            "第1行为列名，第2行中文名可保留或删除；从第3行起每行一条。只读取第一个工作表。不要使用公式。"
            "填写 external_ref 后再次导入会更新同一条目而不是重复创建。",
        ]
    )
    for cell in notes[1]:
        cell.font = bold
    for letter, width in zip("ABCDEF", (26, 18, 6, 60, 40, 30), strict=True):
        notes.column_dimensions[letter].width = width
    buffer_bytes = io.BytesIO()
    workbook.save(buffer_bytes)
    return buffer_bytes.getvalue(), XLSX_MEDIA_TYPE, filename


def _example_cell(column: Column) -> Any:
    if column.kind == Kind.INTEGER and column.example:
        return int(column.example)
    return column.example


def row_from_body(listing_type: ListingType, body: Mapping[str, Any]) -> list[Any]:
    """The inverse of reading: a create body as a spreadsheet row in template column order (exports, tests)."""
    return [_cell_from_value(column, _lookup(body, column.path)) for column in COLUMNS[listing_type]]


def _lookup(body: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = body
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _cell_from_value(column: Column, value: Any) -> Any:
    if value is None or value == [] or value == "":
        return None
    match column.kind:
        case Kind.INTEGER:
            return int(value)
        case Kind.BOOLEAN:
            return "true" if value else "false"
        case Kind.LIST | Kind.CHOICES:
            return ";".join(str(item) for item in value)
        case Kind.IP:
            return ";".join(
                f"{r['kind']}:{r['number']}" if r.get("number") else str(r["kind"]) for r in value
            )
        case Kind.FEES:
            return ";".join(
                f"{fee['unit']}:{fee['price_fen']}" + (f":{fee['group']}" if fee.get("group") else "")
                for fee in value
            )
        case Kind.HOURS:
            return ";".join(f"{p['weekday']} {p['open']}-{p['close']}" for p in value)
        case Kind.OFFERINGS:
            return ";".join(_offering_cell(offering) for offering in value)
        case _:
            return str(value)


def _offering_cell(offering: Mapping[str, Any]) -> str:
    price = offering.get("price") or {}
    parts = [
        offering.get("name", ""),
        offering.get("description", ""),
        price.get("mode", ""),
        "" if price.get("min_fen") is None else str(price["min_fen"]),
        "" if price.get("max_fen") is None else str(price["max_fen"]),
    ]
    while parts and not parts[-1]:
        parts.pop()
    return OFFERING_SEPARATOR.join(str(p) for p in parts)
