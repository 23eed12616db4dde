"""Spreadsheet parsing: csv (UTF-8 or GBK/GB18030) and xlsx into create bodies.

Pure apart from reading the bytes it is given. Every problem names its spreadsheet row (the header is row 1)
and column; a problem with the file as a whole raises `ImportFileError`, one with a cell becomes a row error.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Final

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from services.catalog.schemas import CREATE_SCHEMAS, ListingCommon
from services.core.errors import LocalizedValueError
from services.imports.bulk import RowError, validate_rows
from services.imports.columns import (
    COLUMNS,
    FEE_UNIT_VALUES,
    GROUPS,
    HEADERS,
    IP_VALUES,
    LIST_SEPARATOR,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    OFFERING_SEPARATOR,
    PAIR_SEPARATOR,
    PRICE_GROUP_VALUES,
    PRICE_VALUES,
    Column,
    ImportFormat,
    Kind,
    column_label,
    normalise,
)
from services.reference.identifiers import patent_kind_from_number
from services.reference.vocabulary import ListingType

# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection). A leading
# + or - is allowed only before a plain number or phone number (`+86 138 0000 0000`, `-1`).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@")
NUMBER_LIKE: Final = re.compile(r"^[+-][\d\s().\-]*$")
INTEGER_TEXT: Final = re.compile(r"^[+-]?\d+$")
DECIMAL_TEXT: Final = re.compile(r"^[+-]?\d*\.\d+$")
TRUE_WORDS: Final = frozenset({"true", "t", "yes", "y", "1", "是", "对", "√"})
FALSE_WORDS: Final = frozenset({"false", "f", "no", "n", "0", "否", "错", "×"})


class ImportFileError(Exception):
    """The file as a whole cannot be imported (encoding, columns, size, format); nothing is read from it."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(f"row {e.row} {e.column}: {e.msg}" for e in errors[:3]))
        self.errors = errors


@dataclass(slots=True)
class ParsedSheet:
    """Rows of a file as create bodies, with the cell errors found while reading them."""

    listing_type: ListingType
    headers: dict[str, str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    cell_errors: dict[int, list[RowError]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.rows)

    def header_of(self, name: str) -> str:
        """The column's heading as written in the file (`成果名称`), or its JSON name."""
        return self.headers.get(name, name)


def _file_error(zh: str, en: str, *, row: int = 0, column: str = "*") -> ImportFileError:
    return ImportFileError([RowError(row, column, zh, en)])


def detect_format(content: bytes, filename: str = "", content_type: str = "") -> ImportFormat:
    """xlsx or csv, from the bytes first (a zip is xlsx), then the name; refuses legacy .xls."""
    name = filename.lower()
    if content.startswith(b"PK\x03\x04"):
        return ImportFormat.XLSX
    if content.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise _file_error(
            "不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV",
            "legacy .xls is not supported; save as .xlsx or csv",
        )
    if name.endswith((".xlsx", ".xlsm")) or "spreadsheetml" in content_type:
        raise _file_error("文件不是有效的 xlsx", "the file is not a valid xlsx workbook")
    return ImportFormat.CSV


def check_upload(content: bytes, filename: str = "", content_type: str = "") -> ImportFormat:
    """The checks worth doing before queueing: not empty, not too large, a format we read."""
    if not content.strip():
        raise _file_error("文件为空", "the file is empty")
    if len(content) > MAX_BYTES:
        raise _file_error(
            f"文件超过 {MAX_BYTES // (1024 * 1024)} MB 上限",
            f"the file exceeds {MAX_BYTES // (1024 * 1024)} MB",
        )
    return detect_format(content, filename, content_type)


def parse_file(
    listing_type: ListingType, content: bytes, *, filename: str = "", content_type: str = ""
) -> ParsedSheet:
    """Read an uploaded csv or xlsx into create bodies; raises ImportFileError for a file-level problem."""
    fmt = check_upload(content, filename, content_type)
    records = _xlsx_records(content) if fmt == ImportFormat.XLSX else _csv_records(content)
    return parse_records(listing_type, records)


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _undecodable(content, exc) from exc
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # GB18030 is a superset of GBK and GB2312, which Chinese office software still saves csv files in.
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        # The encoding that read further is the one the file was meant to be in: report its bad byte.
        raise _undecodable(content, max(utf8_error, exc, key=lambda e: e.start)) from exc


def _undecodable(content: bytes, exc: UnicodeDecodeError) -> ImportFileError:
    row = content[: exc.start].count(b"\n") + 1
    return _file_error(
        f"第 {row} 行含有无法识别的字符：请将文件保存为 UTF-8 或 GBK 编码",
        f"undecodable bytes at row {row}; save the file as UTF-8 or GBK",
        row=row,
    )


def _csv_records(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            yield number, list(record)
    except csv.Error as exc:
        raise _file_error(
            f"第 {number + 1} 行不是有效的 CSV：{exc}", "malformed csv", row=number + 1
        ) from exc


# A workbook is a zip of XML: what it declares is checked before a single cell is read. A 2 KB file can
# declare a cell at row 2,500,000 (the reader then walks every empty row) or a 200 MB shared-strings table.
MAX_UNPACKED_BYTES: Final = 200 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES: Final = 32 * 1024 * 1024
MAX_PACKING_RATIO: Final = 200
DIMENSION: Final = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def inspect_xlsx(content: bytes) -> None:
    """Refuse a workbook whose declared size is beyond the limits, without parsing it (ImportFileError)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _file_error("无法读取 xlsx 文件", "the xlsx workbook cannot be read") from exc
    with archive:
        unpacked = sum(entry.file_size for entry in entries)
        if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_PACKING_RATIO * max(len(content), 64 * 1024):
            raise _file_error("xlsx 文件解压后过大", "the workbook unpacks to too much data")
        for entry in entries:
            name = entry.filename.lower()
            if name.endswith("sharedstrings.xml") and entry.file_size > MAX_SHARED_STRINGS_BYTES:
                raise _file_error("xlsx 文件的共享字符串表过大", "the shared-strings table is too large")
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(entry) as sheet:
                    head = sheet.read(16 * 1024)
                _check_dimension(head)


def _check_dimension(head: bytes) -> None:
    found = DIMENSION.search(head)
    if not found:
        return  # no declaration: the row cap in _xlsx_records still applies while reading
    letters_raw, row_raw = found.group(3) or found.group(1), found.group(4) or found.group(2)
    last_letters = letters_raw.decode("ascii") if letters_raw else ""
    last_row = row_raw.decode("ascii") if row_raw else ""
    if last_row and int(last_row) > MAX_ROWS + 2:
        raise _file_error(
            f"工作表声明了 {int(last_row)} 行，超过 {MAX_ROWS} 行上限",
            f"the sheet declares {int(last_row)} rows",
            row=int(last_row),
        )
    if last_letters and _column_number(last_letters) > MAX_COLUMNS:
        raise _file_error(
            f"工作表超过 {MAX_COLUMNS} 列上限",
            f"the sheet declares more than {MAX_COLUMNS} columns",
            column=last_letters,
        )


def _xlsx_records(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    inspect_xlsx(content)
    # Not data_only: a formula must be seen to be refused, where data_only would hand over its cached value
    # (or nothing, for a file no spreadsheet program has calculated).
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:
        raise _file_error("无法读取 xlsx 文件", "the xlsx workbook cannot be read") from exc
    try:
        if not workbook.worksheets:
            raise _file_error("工作簿中没有工作表", "the workbook has no sheet")
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        for number, values in enumerate(rows, start=1):
            # A lying or missing dimension: empty rows are yielded one by one, so stop counting early.
            if number > MAX_ROWS + 2:
                raise _file_error(
                    f"数据超过 {MAX_ROWS} 行上限，请拆分文件",
                    f"more than {MAX_ROWS} rows; split the file",
                    row=number,
                )
            yield number, list(values)
    finally:
        workbook.close()


def parse_records(listing_type: ListingType, records: Iterable[tuple[int, Sequence[Any]]]) -> ParsedSheet:
    """Header row, optional second header of Chinese labels, then data rows (blank rows are skipped)."""
    iterator = iter(records)
    header_row: list[Any] | None = None
    for _, values in iterator:
        if any(_blank(v) is False for v in values):
            header_row = list(values)
            break
    if header_row is None:
        raise _file_error("文件为空：没有列名行和数据行", "the file is empty: no header and no rows")
    columns, headers = _map_headers(listing_type, header_row)
    sheet = ParsedSheet(listing_type=listing_type, headers=headers)
    seen_refs: dict[str, int] = {}
    first_data = True
    for number, values in iterator:
        if all(_blank(v) for v in values):
            continue
        if first_data:
            first_data = False
            if _is_label_row(listing_type, columns, values):
                continue
        if len(sheet.rows) >= MAX_ROWS:
            raise _file_error(
                f"数据超过 {MAX_ROWS} 行上限，请拆分文件",
                f"more than {MAX_ROWS} rows; split the file",
                row=number,
            )
        body, errors = _row_body(columns, values, number, sheet)
        ref = body.get("external_ref")
        if isinstance(ref, str) and ref:
            if ref in seen_refs:
                errors.append(
                    RowError(
                        number,
                        sheet.header_of("external_ref"),
                        f"external_ref {ref} 与第 {seen_refs[ref]} 行重复",
                        f"duplicate of row {seen_refs[ref]}",
                    )
                )
            else:
                seen_refs[ref] = number
        if errors:
            sheet.cell_errors[number] = errors
        sheet.rows.append((number, body))
    if not sheet.rows:
        raise _file_error("文件中没有数据行", "the file has a header but no rows", row=2)
    return sheet


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _map_headers(listing_type: ListingType, values: list[Any]) -> tuple[list[Column | None], dict[str, str]]:
    if len(values) > MAX_COLUMNS:
        raise _file_error(f"列数超过 {MAX_COLUMNS}", f"more than {MAX_COLUMNS} columns", row=1)
    index = HEADERS[listing_type]
    columns: list[Column | None] = []
    headers: dict[str, str] = {}
    errors: list[RowError] = []
    unknown: list[str] = []
    for position, value in enumerate(values):
        text = "" if value is None else str(value).strip()
        if not text:
            columns.append(None)
            continue
        column = index.get(normalise(text).rstrip("*").replace(".", "_"))
        if column is None:
            unknown.append(text)
            columns.append(None)
            continue
        if column.name in headers:
            errors.append(
                RowError(
                    1,
                    text,
                    f"列 {text} 与列 {headers[column.name]} 重复，均为 {column.name}",
                    f"column {get_column_letter(position + 1)} repeats {column.name}",
                )
            )
        headers[column.name] = text
        columns.append(column)
    if unknown:
        allowed = ", ".join(f"{c.name}({c.label})" for c in COLUMNS[listing_type])
        errors.append(
            RowError(
                1,
                ", ".join(unknown),
                f"未知的列 {', '.join(unknown)}；可用的列：{allowed}",
                f"unknown columns {', '.join(unknown)}; allowed columns: {allowed}",
            )
        )
    schema = CREATE_SCHEMAS[listing_type]
    missing = [
        name for name, info in schema.model_fields.items() if info.is_required() and name not in headers
    ]
    if missing:
        labels = ", ".join(f"{name}({column_label(listing_type, name)})" for name in missing)
        errors.append(RowError(1, ", ".join(missing), f"缺少必填列 {labels}", "required columns missing"))
    if errors:
        raise ImportFileError(errors)
    return columns, headers


def _is_label_row(listing_type: ListingType, columns: list[Column | None], values: Sequence[Any]) -> bool:
    """The template's second header (Chinese labels): every filled cell names its own column again."""
    index = HEADERS[listing_type]
    matched = 0
    for position, value in enumerate(values):
        if _blank(value):
            continue
        column = columns[position] if position < len(columns) else None
        if column is None or not isinstance(value, str):
            return False
        if index.get(normalise(value).rstrip("*")) is not column:
            return False
        matched += 1
    return matched > 0


def _row_body(
    columns: list[Column | None], values: Sequence[Any], number: int, sheet: ParsedSheet
) -> tuple[dict[str, Any], list[RowError]]:
    body: dict[str, Any] = {}
    errors: list[RowError] = []
    for position, value in enumerate(values):
        if _blank(value):
            continue
        column = columns[position] if position < len(columns) else None
        cell = f"{get_column_letter(position + 1)}{number}"
        if column is None:
            errors.append(
                RowError(
                    number,
                    get_column_letter(position + 1),
                    f"单元格 {cell} 所在列没有列名",
                    "column has no header",
                )
            )
            continue
        header = sheet.header_of(column.name)
        try:
            converted = _convert(column, value, cell)
        except ValueError as exc:
            zh, en = (
                (exc.message_zh, exc.message_en or "")
                if isinstance(exc, LocalizedValueError)
                else (str(exc), "")
            )
            errors.append(RowError(number, header, zh, en))
            continue
        if converted is None:
            continue
        if len(column.path) == 2:
            body.setdefault(column.path[0], {})[column.path[1]] = converted
        else:
            body[column.name] = converted
    return body, errors


def _convert(column: Column, value: Any, cell: str) -> Any:
    if not isinstance(value, str | int | float | bool | datetime | date | time):
        raise LocalizedValueError(
            f"单元格 {cell} 是公式，请粘贴为数值", f"cell {cell} holds a formula; paste values only"
        )
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(FORMULA_PREFIXES) and not NUMBER_LIKE.match(text):
            raise LocalizedValueError(
                f"单元格 {cell} 以 {text[0]} 开头，可能是公式，已拒绝",
                f"cell {cell} looks like a formula; refused",
            )
        value = text
    match column.kind:
        case Kind.INTEGER:
            return _integer(value, cell)
        case Kind.BOOLEAN:
            return _boolean(value, cell)
        case Kind.CATEGORY:
            # Excel drops the leading zero of a code typed as a number: 0101 arrives as 101.
            return f"{int(value):04d}" if _is_number(value) and float(value).is_integer() else _text(value)
        case Kind.CHOICE:
            return _coded(_text(value), column.values)
        case Kind.LIST:
            return _split(_text(value))
        case Kind.CHOICES:
            return [_coded(item, column.values) for item in _split(_text(value))]
        case Kind.IP:
            return [_ip_item(item, cell) for item in _split(_text(value))]
        case Kind.FEES:
            return [_fee_item(item, cell) for item in _split(_text(value))]
        case Kind.OFFERINGS:
            return [_offering_item(item, cell) for item in _split(_text(value))]
        case Kind.HOURS:
            return [period for item in _split(_text(value)) for period in _opening_item(item, cell)]
        case _:
            return _text(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _integer(value: Any, cell: str) -> int:
    if isinstance(value, bool):
        raise LocalizedValueError(f"单元格 {cell} 须为整数", "must be a whole number")
    if isinstance(value, int):
        return value
    # A numeric xlsx cell is a double even when it shows 12; only a real fraction is refused.
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise LocalizedValueError(
            f"单元格 {cell} 的 {value} 有小数，须为整数", "must be a whole number, no decimals"
        )
    text = _text(value).replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", _text(value)) else _text(value)
    if INTEGER_TEXT.match(text):
        return int(text)
    if DECIMAL_TEXT.match(text):
        raise LocalizedValueError(
            f"单元格 {cell} 的 {text} 有小数，须为整数", "must be a whole number, no decimals"
        )
    raise LocalizedValueError(f"单元格 {cell} 的 {text} 不是整数", "not a whole number")


def _boolean(value: Any, cell: str) -> bool:
    if isinstance(value, bool):
        return value
    word = normalise(_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise LocalizedValueError(f"单元格 {cell} 的 {value} 须为 是/否", "must be 是/否, true/false or 1/0")


def _split(text: str) -> list[str]:
    return [item.strip() for item in LIST_SEPARATOR.split(text) if item.strip()]


def _coded(text: str, values: Mapping[str, str] | None) -> str:
    """A code from its code or Chinese name; anything else passes through for the schema to refuse by name."""
    if values is None:
        return text
    return values.get(normalise(text), text)


def _ip_item(item: str, cell: str) -> dict[str, Any]:
    parts = [p.strip() for p in PAIR_SEPARATOR.split(item, maxsplit=1)]
    if len(parts) == 2:
        return {"kind": _coded(parts[0], IP_VALUES), "number": parts[1] or None}
    kind = IP_VALUES.get(normalise(item))
    if kind is not None:
        return {"kind": kind}
    implied = patent_kind_from_number(item)
    if implied is None:
        raise LocalizedValueError(
            f"单元格 {cell} 的知识产权 {item} 须写成 类型:号码，如 invention:202110123456.7",
            "write ip as kind:number",
        )
    return {"kind": implied, "number": item}


def _fee_item(item: str, cell: str) -> dict[str, Any]:
    parts = [p.strip() for p in PAIR_SEPARATOR.split(item, maxsplit=2)]
    if len(parts) not in (2, 3):
        raise LocalizedValueError(
            f"单元格 {cell} 的收费 {item} 须写成 单位:价格(分)，如 hour:40000", "write fees as unit:price_fen"
        )
    fee: dict[str, Any] = {"unit": _coded(parts[0], FEE_UNIT_VALUES), "price_fen": _integer(parts[1], cell)}
    if len(parts) == 3:
        fee["group"] = _coded(parts[2], PRICE_GROUP_VALUES)
    return fee


OPENING_ITEM = re.compile(r"^([1-7])(?:\s*-\s*([1-7]))?\s+(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$")


def _opening_item(item: str, cell: str) -> list[dict[str, Any]]:
    match = OPENING_ITEM.match(item)
    if match is None:
        raise LocalizedValueError(
            f"单元格 {cell} 的开放时间 {item} 须写成 星期 开始-结束，如 1-5 09:00-17:00",
            "write opening hours as weekdays open-close",
        )
    first, last, opens, closes = match.groups()
    return [
        {"weekday": day, "open": opens, "close": closes} for day in range(int(first), int(last or first) + 1)
    ]


def _offering_item(item: str, cell: str) -> dict[str, Any]:
    parts = [p.strip() for p in item.split(OFFERING_SEPARATOR)]
    if len(parts) > 5:
        raise LocalizedValueError(
            f"单元格 {cell} 的服务项目 {item} 最多 5 段：名称|描述|计价方式|最低价|最高价",
            "an offering has at most 5 parts: name|description|mode|min_fen|max_fen",
        )
    offering: dict[str, Any] = {"name": parts[0]}
    if len(parts) > 1 and parts[1]:
        offering["description"] = parts[1]
    if len(parts) > 2 and parts[2]:
        price: dict[str, Any] = {"mode": _coded(parts[2], PRICE_VALUES)}
        for key, text in zip(("min_fen", "max_fen"), parts[3:], strict=False):
            if text:
                price[key] = _integer(text, cell)
        offering["price"] = price
    return offering


def validate_chunk(
    sheet: ParsedSheet, rows: list[tuple[int, dict[str, Any]]]
) -> tuple[list[tuple[int, ListingCommon]], list[RowError]]:
    """Validate rows with the create schema; errors name the file's columns, rows with any error are left out."""
    valid, schema_errors = validate_rows(sheet.listing_type, rows)
    errors: list[RowError] = []
    for number, _ in rows:
        errors.extend(sheet.cell_errors.get(number, ()))
    # A refused cell is left out of the body; the schema's complaint about its absence would only repeat it.
    bad_cells = {(e.row, e.column) for e in errors}
    for error in schema_errors:
        named = _name_column(sheet, error)
        if not any((named.row, header) in bad_cells for header in named.column.split(", ")):
            errors.append(named)
    failed = {e.row for e in errors}
    order = {name: i for i, name in enumerate(sheet.headers)}
    errors.sort(key=lambda e: (e.row, order.get(_canonical(sheet, e.column), len(order))))
    return [(number, data) for number, data in valid if number not in failed], errors


def _canonical(sheet: ParsedSheet, header: str) -> str:
    return next((name for name, text in sheet.headers.items() if text == header), header)


def _name_column(sheet: ParsedSheet, error: RowError) -> RowError:
    """A schema error located as `price_min_fen` or `ip_0_number`, renamed to the column of the file."""
    loc = error.column
    if loc == "*":
        return error
    columns = COLUMNS[sheet.listing_type]
    candidates = [c.name for c in columns] + list(GROUPS)
    best = max((n for n in candidates if loc == n or loc.startswith(f"{n}_")), key=len, default=None)
    if best is None:
        return error
    if best in GROUPS:
        headers = [sheet.header_of(c.name) for c in columns if c.path[0] == best and c.name in sheet.headers]
        return RowError(error.row, ", ".join(headers) or best, error.zh, error.en)
    rest = loc[len(best) + 1 :]
    zh, en = error.zh, error.en
    if rest:
        position, _, detail = rest.partition("_")
        if position.isdigit():
            item = int(position) + 1
            zh = f"第 {item} 项 {detail}：{zh}" if detail else f"第 {item} 项：{zh}"
            en = f"item {item} {detail}: {en}" if detail else f"item {item}: {en}"
    return RowError(error.row, sheet.header_of(best), zh, en)
