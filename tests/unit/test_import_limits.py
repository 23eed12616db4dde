"""Imports that cannot hurt the service: declared sizes checked before reading, parsing in a limited child."""

import io
import re
import time
import zipfile

import pytest
from openpyxl import Workbook

from services.imports import isolation, parsing
from services.imports.columns import MAX_COLUMNS, MAX_ROWS
from services.imports.parsing import ImportFileError
from services.reference.vocabulary import ListingType


def _xlsx(cells: dict[str, str]) -> bytes:
    book = Workbook()
    for ref, value in cells.items():
        book.active[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite_sheets(content: bytes, change: object, extra: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename.startswith("xl/worksheets/"):
                data = change(data)  # type: ignore[operator]
            target.writestr(entry.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def _far_cell() -> bytes:
    """A 5 KB workbook with one cell at row 2,500,000 (beyond what Excel writes, as an attacker would)."""
    return _rewrite_sheets(
        _xlsx({"A1": "title", "A1000000": "x"}),
        lambda b: b.replace(b"1000000", b"2500000"),
    )


def test_a_declared_huge_sheet_is_refused_before_reading():
    content = _far_cell()
    assert len(content) < 10_000
    with pytest.raises(ImportFileError) as refused:
        parsing.inspect_xlsx(content)
    assert "2500000" in refused.value.errors[0].msg


def test_a_sheet_without_a_dimension_is_cut_off_at_the_row_limit():
    content = _rewrite_sheets(_far_cell(), lambda b: re.sub(rb'<dimension ref="[^"]*" ?/>', b"", b))
    parsing.inspect_xlsx(content)  # nothing declared: passes the pre-check
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as refused:
        for _ in parsing._xlsx_records(content):
            pass
    assert refused.value.errors[0].row == MAX_ROWS + 3
    # it stopped at the limit instead of walking 2.5 million empty rows (a bound, not a benchmark)
    assert time.perf_counter() - started < 30


def test_too_many_declared_columns_are_refused():
    content = _rewrite_sheets(
        _xlsx({"A1": "title", "B2": "x"}),
        lambda b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:ZZZ2"', b),
    )
    with pytest.raises(ImportFileError) as refused:
        parsing.inspect_xlsx(content)
    assert str(MAX_COLUMNS) in refused.value.errors[0].msg


def test_a_shared_strings_bomb_is_refused_before_reading():
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    strings += b"a" * 60_000_000 + b"</t></si></sst>"
    content = _rewrite_sheets(_xlsx({"A1": "title"}), lambda b: b, {"xl/sharedStrings.xml": strings})
    assert len(content) < 200_000
    with pytest.raises(ImportFileError):
        parsing.inspect_xlsx(content)


def _csv(rows: int) -> bytes:
    lines = ["external_ref,title,maturity,trl,fields"]
    lines += [f"A-{n},石墨烯导热膜制备技术{n},pilot,6,materials" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def test_parsing_in_a_child_returns_the_rows():
    sheet = await isolation.parse_file_isolated(ListingType("achievement"), _csv(3), filename="a.csv")
    assert sheet.total == 3
    assert [number for number, _ in sheet.rows] == [2, 3, 4]
    assert sheet.rows[0][1]["title"] == "石墨烯导热膜制备技术0"


async def test_a_child_over_its_time_limit_is_killed_and_reported():
    csv = b"title\nx\n"
    with pytest.raises(ImportFileError) as refused:
        await isolation.parse_file_isolated(ListingType("achievement"), csv, filename="a.csv", seconds=0.01)
    assert "秒" in refused.value.errors[0].msg


async def test_a_child_over_its_memory_limit_is_reported_as_a_file_error():
    # 40,000 rows need far more than the 64 MB address space this child is allowed
    with pytest.raises(ImportFileError) as refused:
        await isolation.parse_file_isolated(
            ListingType("achievement"), _csv(40_000), filename="a.csv", memory_mb=64
        )
    assert "内存" in refused.value.errors[0].msg
