"""Reading import files: encodings, xlsx, Chinese headers, list encodings, and every refusal names row and column."""

import csv
import io
import random
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from devdata.generator import generate_listings, generate_orgs
from services.catalog.schemas import CREATE_SCHEMAS
from services.imports import columns, parsing, templates
from services.imports.columns import COLUMNS, ImportFormat
from services.imports.parsing import ImportFileError
from services.reference.identifiers import patent_check_character
from services.reference.vocabulary import ListingType

ACH = ListingType.ACHIEVEMENT
HEADER = [
    "external_ref",
    "title",
    "maturity",
    "trl",
    "fields",
    "ip",
    "price_mode",
    "price_min_fen",
    "price_max_fen",
]
ROW = [
    "A-1",
    "石墨烯导热膜制备技术",
    "pilot",
    "6",
    "materials;nev",
    "invention:202110123456.7",
    "range",
    "100",
    "200",
]


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(
    content: bytes, listing_type: ListingType = ACH, filename: str = "f.csv"
) -> tuple[list[Any], list[Any]]:
    sheet = parsing.parse_file(listing_type, content, filename=filename)
    valid, errors = parsing.validate_chunk(sheet, sheet.rows)
    return valid, [(e.row, e.column, e.msg) for e in errors]


def file_errors(content: bytes, listing_type: ListingType = ACH, filename: str = "f.csv") -> list[Any]:
    with pytest.raises(ImportFileError) as caught:
        parsing.parse_file(listing_type, content, filename=filename)
    return [(e.row, e.column, e.msg) for e in caught.value.errors]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    # given the same rows saved in each encoding
    content = csv_bytes([HEADER, ROW], encoding)

    # when read
    valid, errors = read(content)

    # then the Chinese text arrives intact and typed
    assert errors == []
    [(row, data)] = valid
    assert row == 2
    assert data.title == "石墨烯导热膜制备技术"
    assert data.trl == 6
    assert data.fields == ["materials", "nev"]
    assert data.price.min_fen == 100
    assert data.ip[0].number == "2021101234567"


def test_undecodable_bytes_are_a_file_error_naming_the_row():
    content = csv_bytes([HEADER, ROW]) + b"A-2,\xff\xfe broken,pilot,6\r\n"

    errors = file_errors(content)

    assert len(errors) == 1
    assert errors[0][0] == 3
    assert "UTF-8 或 GBK" in errors[0][2]


def test_xlsx_is_read_with_numbers_typed_and_rows_numbered_like_the_sheet():
    content = xlsx_bytes(
        [HEADER, [], ["A-1", "石墨烯导热膜制备技术", "pilot", 6, "materials", None, "fixed", 100.0, 100]]
    )

    valid, errors = read(content, filename="f.xlsx")

    assert errors == []
    [(row, data)] = valid
    assert row == 3
    assert (data.trl, data.price.min_fen, data.price.max_fen) == (6, 100, 100)


def test_xlsx_is_recognised_by_its_bytes_whatever_its_name():
    content = xlsx_bytes([HEADER, ROW])

    assert parsing.detect_format(content, "upload.csv") == ImportFormat.XLSX
    assert len(read(content, filename="upload.csv")[0]) == 1


def test_legacy_xls_is_refused():
    errors = file_errors(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, filename="old.xls")

    assert ".xls" in errors[0][2]


def test_chinese_headers_and_values_are_aliases():
    # given Chinese headers, a required-marker star and Chinese enum values
    header = ["成果名称*", "成熟度", "技术就绪度", "技术领域", "转化方式", "报价方式", "发明人", "知识产权"]
    row = [
        "量子密钥分发终端",
        "中试",
        "6",
        "量子信息；集成电路",
        "许可;转让",
        "面议",
        "张三；李四",
        "发明专利:202110123456.7",
    ]

    valid, errors = read(csv_bytes([header, row], "gbk"))

    assert errors == []
    data = valid[0][1]
    assert data.title == "量子密钥分发终端"
    assert data.maturity.value == "pilot"
    assert data.fields == ["quantum", "ic"]
    assert data.transfer_modes == ["license", "transfer"]
    assert data.price.mode.value == "negotiable"
    assert data.inventors == ["张三", "李四"]
    assert data.ip[0].kind.value == "invention"


def test_instrument_fees_location_booking_and_category_with_lost_leading_zero():
    header = [
        "仪器名称",
        "型号",
        "生产厂商",
        "仪器分类代码",
        "服务方式",
        "收费标准",
        "校区",
        "最短提前预约(小时)",
        "需培训",
    ]
    row = [
        "扫描电子显微镜",
        "Sigma 300",
        "ZEISS",
        101,
        "自主上机;送样",
        "hour:40000;样:20000",
        "虎溪校区",
        2,
        "是",
    ]

    valid, errors = read(xlsx_bytes([header, row]), ListingType.INSTRUMENT, "i.xlsx")

    assert errors == []
    data = valid[0][1]
    assert data.category == "0101"
    assert data.service_modes == ["self", "commissioned"]
    assert [(f.unit.value, f.price_fen) for f in data.fees] == [("hour", 40000), ("sample", 20000)]
    assert data.location.campus == "虎溪校区"
    assert (data.booking.min_notice_hours, data.booking.needs_training) == (2, True)


def test_expert_consent_and_contact_with_an_international_phone_number():
    header = ["姓名", "职称", "单位", "同意公开", "同意联系", "联系电话", "邮箱"]
    row = ["王建国", "教授", "重庆大学", "true", "0", "+86 138 0000 0000", "wang@example.cn"]

    valid, errors = read(csv_bytes([header, row]), ListingType.EXPERT)

    assert errors == []
    data = valid[0][1]
    assert (data.consent.publish, data.consent.contact) == (True, False)
    assert data.contact.phone == "+86 138 0000 0000"


def test_agency_offerings_encoding():
    header = ["name", "agency_types", "offerings"]
    row = [
        "检测中心",
        "检验检测",
        "导热系数测试|激光闪射法|fixed|80000|80000;专利代理|发明专利申请|面议;咨询",
    ]

    valid, errors = read(csv_bytes([header, row]), ListingType.AGENCY)

    assert errors == []
    offerings = valid[0][1].offerings
    assert [(o.name, o.description, o.price.mode.value, o.price.min_fen) for o in offerings] == [
        ("导热系数测试", "激光闪射法", "fixed", 80000),
        ("专利代理", "发明专利申请", "negotiable", None),
        ("咨询", "", "negotiable", None),
    ]


def test_secret_ip_needs_no_number_and_a_bare_patent_number_implies_its_kind():
    utility = f"202120123456.{patent_check_character('202120123456')}"
    row = [*ROW[:5], f"secret;{utility}", *ROW[6:]]

    valid, errors = read(csv_bytes([HEADER, row]))

    assert errors == []
    assert [(r.kind.value, r.number) for r in valid[0][1].ip] == [
        ("secret", None),
        ("utility", utility.replace(".", "")),
    ]


@pytest.mark.parametrize("cell", ["=1+2", "@SUM(A1)", "+A1", "-2+3", '=HYPERLINK("http://x")'])
def test_formula_like_csv_cells_are_refused_naming_the_cell(cell):
    row = [*ROW[:1], cell, *ROW[2:]]

    valid, errors = read(csv_bytes([HEADER, row]))

    assert valid == []
    assert [(e[0], e[1]) for e in errors] == [(2, "title")]
    assert "B2" in errors[0][2]


def test_xlsx_formula_cells_are_refused_naming_the_cell():
    content = xlsx_bytes([HEADER, ["A-1", "成果", "pilot", "=3+3", "materials", None, "negotiable"]])

    valid, errors = read(content, filename="f.xlsx")

    assert valid == []
    assert [(e[0], e[1]) for e in errors] == [(2, "trl")]
    assert "D2" in errors[0][2]


@pytest.mark.parametrize("content", [b"", b"   \r\n", csv_bytes([[], []])])
def test_empty_file_is_a_file_error(content):
    errors = file_errors(content)

    assert "为空" in errors[0][2]


def test_header_without_rows_is_a_file_error():
    errors = file_errors(csv_bytes([HEADER]))

    assert errors == [(2, "*", "文件中没有数据行 (the file has a header but no rows)")]


def test_unknown_columns_are_one_file_error_listing_them_and_the_allowed_ones():
    errors = file_errors(csv_bytes([[*HEADER, "colour", "预算"], [*ROW, "red", "1"]]))

    assert len(errors) == 1
    row, column, msg = errors[0]
    assert (row, column) == (1, "colour, 预算")
    assert "inventors(发明人)" in msg
    assert "price_min_fen" in msg


def test_missing_required_columns_are_named():
    errors = file_errors(csv_bytes([["title", "fields"], ["成果", "ai"]]))

    assert errors[0][:2] == (1, "maturity, trl")
    assert "成熟度" in errors[0][2]


def test_a_column_given_twice_is_refused():
    errors = file_errors(csv_bytes([[*HEADER, "成果名称"], [*ROW, "x"]]))

    assert errors[0][0] == 1
    assert "title" in errors[0][2]


def test_oversized_file_is_refused_before_reading():
    content = csv_bytes([HEADER]) + b"x" * columns.MAX_BYTES

    errors = file_errors(content)

    assert "20 MB" in errors[0][2]


def test_too_many_rows_is_a_file_error_at_the_first_row_over_the_limit():
    lines = [",".join(HEADER)] + [f"R{i},成果{i},pilot,6,ai" for i in range(columns.MAX_ROWS + 1)]
    content = "\n".join(lines).encode()

    errors = file_errors(content)

    assert errors[0][0] == columns.MAX_ROWS + 2
    assert str(columns.MAX_ROWS) in errors[0][2]


@pytest.mark.parametrize(("cell", "word"), [("6.5", "小数"), ("6.0", "小数"), ("six", "不是整数")])
def test_integer_columns_refuse_decimals_and_words(cell, word):
    row = [*ROW[:3], cell, *ROW[4:]]

    valid, errors = read(csv_bytes([HEADER, row]))

    assert valid == []
    assert [(e[0], e[1]) for e in errors] == [(2, "trl")]
    assert word in errors[0][2]


def test_xlsx_fraction_in_integer_column_is_refused():
    content = xlsx_bytes([HEADER, ["A-1", "成果", "pilot", 6, "ai", None, "fixed", 100.5, 100.5]])

    valid, errors = read(content, filename="f.xlsx")

    assert valid == []
    assert [(e[0], e[1]) for e in errors] == [(2, "price_min_fen"), (2, "price_max_fen")]


def test_booleans_accept_chinese_and_digits_and_refuse_other_words():
    header = ["name", "consent_publish", "consent_contact"]
    rows = [header, ["甲", "是", "否"], ["乙", "1", "FALSE"], ["丙", "maybe", "0"]]

    valid, errors = read(csv_bytes(rows), ListingType.EXPERT)

    assert [(r, d.consent.publish, d.consent.contact) for r, d in valid] == [
        (2, True, False),
        (3, True, False),
    ]
    assert [(e[0], e[1]) for e in errors] == [(4, "consent_publish")]


def test_duplicate_external_ref_in_one_file_fails_the_later_row():
    second = ["A-1", "另一个成果", *ROW[2:]]

    valid, errors = read(csv_bytes([HEADER, ROW, second]))

    assert [r for r, _ in valid] == [2]
    assert errors[0][:2] == (3, "external_ref")
    assert "第 2 行" in errors[0][2]


def test_schema_errors_name_row_and_file_column():
    # given a bad field code, a bad patent check digit, a bad region and a price range upside down
    header = [*HEADER, "region"]
    rows = [
        header,
        [
            "A-1",
            "成果一",
            "pilot",
            "6",
            "ai;robots",
            "invention:202110123456.7",
            "negotiable",
            "",
            "",
            "500106",
        ],
        ["A-2", "成果二", "pilot", "6", "ai", "invention:202110123456.8", "negotiable", "", "", "999999"],
        ["A-3", "成果三", "pilot", "6", "ai", "", "range", "300", "200", "500106"],
        ["A-4", "成果四", "lab", "9", "ai", "", "negotiable", "", "", "500106"],
    ]

    valid, errors = read(csv_bytes(rows))

    assert valid == []
    assert [(e[0], e[1]) for e in errors] == [
        (2, "fields"),
        (3, "ip"),
        (3, "region"),
        (4, "price_mode, price_min_fen, price_max_fen"),
        (5, "trl"),
    ]
    assert "robots" in errors[0][2]
    assert errors[1][2] == (
        "第 1 项：专利申请号校验位不符，请核对 (item 1: patent application number check character does not match)"
    )
    assert "min_fen" in errors[3][2]


def test_each_error_keeps_its_chinese_and_english_apart():
    rows = [
        HEADER,
        ["A-2", "成果二", "pilot", "6", "ai", "invention:202110123456.8", "negotiable", "", "", ""],
    ]
    sheet = parsing.parse_file(ACH, csv_bytes(rows), filename="f.csv")

    _, errors = parsing.validate_chunk(sheet, sheet.rows)

    [patent] = [e for e in errors if e.column == "ip"]
    assert patent.zh == "第 1 项：专利申请号校验位不符，请核对"
    assert patent.en == "item 1: patent application number check character does not match"


def test_errors_use_the_headers_written_in_the_file():
    valid, errors = read(csv_bytes([["成果名称", "成熟度", "技术就绪度"], ["成果", "pilot", "12"]]))

    assert valid == []
    assert [(e[0], e[1]) for e in errors] == [(2, "技术就绪度")]


def test_a_cell_under_no_header_is_a_row_error():
    valid, errors = read(csv_bytes([["title", "maturity", "trl"], ["成果", "pilot", "6", "stray"]]))

    assert valid == []
    assert [(e[0], e[1]) for e in errors] == [(2, "D")]


@pytest.mark.parametrize("listing_type", list(ListingType))
@pytest.mark.parametrize("fmt", list(ImportFormat))
def test_template_has_english_header_and_an_example_row_that_imports(listing_type, fmt):
    content, media_type, filename = templates.template(listing_type, fmt)

    valid, errors = read(content, listing_type, filename)

    assert errors == []
    assert len(valid) == 1
    assert filename.endswith(f".{fmt.value}")
    assert media_type.startswith("text/csv" if fmt == ImportFormat.CSV else "application/vnd.openxml")
    if fmt == ImportFormat.CSV:
        assert content.startswith(b"\xef\xbb\xbf")
        assert len(content.decode("utf-8-sig").strip().splitlines()) == 2
    else:
        workbook = load_workbook(io.BytesIO(content))
        sheet = workbook.worksheets[0]
        assert [c.value for c in sheet[1]] == [c.name for c in COLUMNS[listing_type]]
        assert sheet.cell(row=2, column=1).value == COLUMNS[listing_type][0].label
        assert workbook.sheetnames[1] == "说明"
        assert valid[0][0] == 3


@pytest.mark.parametrize("listing_type", list(ListingType))
def test_columns_cover_every_field_of_the_create_schema(listing_type):
    names = {c.name for c in COLUMNS[listing_type]}
    covered = {c.path[0] for c in COLUMNS[listing_type]}

    assert set(CREATE_SCHEMAS[listing_type].model_fields) == covered
    for group in ("price", "location", "booking", "consent", "contact"):
        field = CREATE_SCHEMAS[listing_type].model_fields.get(group)
        if field is not None:
            model = field.annotation if hasattr(field.annotation, "model_fields") else None
            nested = model or next(a for a in field.annotation.__args__ if hasattr(a, "model_fields"))
            assert {f"{group}_{n}" for n in nested.model_fields} <= names


@pytest.mark.parametrize("listing_type", list(ListingType))
def test_no_header_alias_is_shared_by_two_columns(listing_type):
    seen: dict[str, str] = {}
    for column in COLUMNS[listing_type]:
        for key in {columns.normalise(k) for k in (column.name, column.label, *column.aliases)}:
            assert seen.setdefault(key, column.name) == column.name, key


@pytest.mark.parametrize("listing_type", list(ListingType))
def test_seed_bodies_survive_a_round_trip_through_a_spreadsheet(listing_type):
    # given realistic generated listings of one type
    rng = random.Random(7)
    bodies = [
        {**item.payload, "external_ref": item.external_ref}
        for item in generate_listings(rng, scale=200, orgs=generate_orgs(rng))
        if item.type == listing_type
    ]
    expected = [CREATE_SCHEMAS[listing_type].model_validate(body) for body in bodies]

    # when written as rows of an xlsx and read back
    header = [c.name for c in COLUMNS[listing_type]]
    content = xlsx_bytes([header, *(templates.row_from_body(listing_type, body) for body in bodies)])
    valid, errors = read(content, listing_type, "seed.xlsx")

    # then every listing reads back equal
    assert errors == []
    assert [data for _, data in valid] == expected
