"""Spreadsheet import of listings: csv (UTF-8 or GBK/GB18030) and xlsx into create bodies, and the templates.

Pure apart from reading the bytes it is given. Every problem names its spreadsheet row (the header is row 1)
and column; a problem with the file as a whole raises `ImportFileError`, one with a cell becomes a row error.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, Final

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from services.catalog import reference
from services.catalog.bulk import RowError, validate_rows
from services.catalog.schemas import CREATE_SCHEMAS, ListingCommon, ListingType
from services.core.validators import patent_kind_from_number

MAX_BYTES: Final = 20 * 1024 * 1024
MAX_ROWS: Final = 50_000
MAX_COLUMNS: Final = 200
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE: Final = "text/csv; charset=utf-8"
LIST_SEPARATOR: Final = re.compile(r"[;；]")
PAIR_SEPARATOR: Final = re.compile(r"[:：]")
OFFERING_SEPARATOR: Final = "|"
# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection). A leading
# + or - is allowed only before a plain number or phone number (`+86 138 0000 0000`, `-1`).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@")
NUMBER_LIKE: Final = re.compile(r"^[+-][\d\s().\-]*$")
INTEGER_TEXT: Final = re.compile(r"^[+-]?\d+$")
DECIMAL_TEXT: Final = re.compile(r"^[+-]?\d*\.\d+$")
TRUE_WORDS: Final = frozenset({"true", "t", "yes", "y", "1", "是", "对", "√"})
FALSE_WORDS: Final = frozenset({"false", "f", "no", "n", "0", "否", "错", "×"})
GROUPS: Final = ("price", "location", "booking", "consent", "contact")


class ImportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    LIST = "list"
    CHOICES = "choices"
    CATEGORY = "category"
    IP = "ip"
    FEES = "fees"
    OFFERINGS = "offerings"
    HOURS = "hours"


FORMAT_NOTES: Final[Mapping[Kind, str]] = {
    Kind.TEXT: "文本",
    Kind.INTEGER: "整数（不能有小数；金额单位为分）",
    Kind.BOOLEAN: "是/否（true/false、1/0）",
    Kind.CHOICE: "代码或中文名称之一",
    Kind.LIST: "多个值用分号 ; 分隔",
    Kind.CHOICES: "代码或中文名称，多个用分号 ; 分隔",
    Kind.CATEGORY: "4位国家大型仪器分类代码，如 0101",
    Kind.IP: "类型:申请号，多项用 ; 分隔；类型为 invention/utility/design/software/secret（或 发明/实用新型/"
    "外观设计/软件著作权/技术秘密），技术秘密可只写类型。如 invention:202110123456.7;secret",
    Kind.FEES: "单位:价格(分)[:价格组]，多项用 ; 分隔；单位为 hour/sample/day（或 小时/样/天），价格组为 own/academic/"
    "enterprise（或 校内/校外/企业），不写即通用价。如 hour:40000;hour:10000:校内;sample:20000",
    Kind.HOURS: "星期 开始-结束（北京时间），多段用 ; 分隔；星期 1–7 为周一至周日，可写区间。如 1-5 09:00-17:00;6 09:00-12:00",
    Kind.OFFERINGS: "名称|描述|计价方式|最低价(分)|最高价(分)，多项用 ; 分隔；计价方式为 fixed/range/negotiable"
    "（或 一口价/价格区间/面议），后三项可省略（面议）。名称和描述中不能含 ; 或 |。如 导热系数测试|激光闪射法|fixed|80000|80000",
}


def _value_aliases(*tables: Mapping[str, str]) -> dict[str, str]:
    """Chinese label (and each part of a label like 小试/中试) → code, plus each code itself."""
    aliases: dict[str, str] = {}
    for table in tables:
        for code, label in table.items():
            aliases[code.lower()] = code
            aliases[_normalise(label)] = code
            for part in label.split("/"):
                aliases.setdefault(_normalise(part), code)
    return aliases


def _normalise(text: str) -> str:
    """Compare headers and coded values loosely: NFKC (full-width → ASCII), no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


FIELD_VALUES: Final = _value_aliases(
    {f.code: f.label for f in reference.TECH_FIELDS}, {f.code: f.label_en for f in reference.TECH_FIELDS}
)
MATURITY_VALUES: Final = _value_aliases(
    reference.MATURITY_LEVELS,
    {"lab": "实验室阶段", "pilot": "中试阶段", "trial": "试生产", "industrial": "量产"},
)
TRANSFER_VALUES: Final = _value_aliases(reference.TRANSFER_MODES, {"equity": "作价入股"})
PRICE_VALUES: Final = _value_aliases(reference.PRICE_MODES, {"fixed": "固定价", "range": "区间"})
SERVICE_MODE_VALUES: Final = _value_aliases(
    reference.SERVICE_MODES, {"self": "自主操作", "commissioned": "送样"}
)
AVAILABILITY_VALUES: Final = _value_aliases(reference.INSTRUMENT_AVAILABILITY, {"available": "可用"})
EXPERT_SERVICE_VALUES: Final = _value_aliases(
    reference.EXPERT_SERVICES, {"consulting": "咨询", "training": "培训"}
)
AGENCY_TYPE_VALUES: Final = _value_aliases(reference.AGENCY_TYPES, {"testing": "检测"})
IP_VALUES: Final = _value_aliases(
    reference.IP_KINDS, {"invention": "发明", "utility": "实用新型", "design": "外观设计", "software": "软著"}
)
PRICE_GROUP_VALUES: Final = _value_aliases({"own": "校内", "academic": "校外", "enterprise": "企业"})
OPENING_ITEM: Final = re.compile(r"^([1-7])(?:\s*-\s*([1-7]))?\s+(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$")
FEE_UNIT_VALUES: Final = _value_aliases(
    {"hour": "小时", "sample": "样", "day": "天"},
    {"hour": "时", "sample": "样品", "day": "日"},
    reference.FEE_UNITS,
)


@dataclass(frozen=True, slots=True)
class Column:
    """One spreadsheet column: its JSON name (nested objects flattened with `_`), Chinese label and parsing."""

    name: str
    label: str
    kind: Kind = Kind.TEXT
    example: str = ""
    aliases: tuple[str, ...] = ()
    values: Mapping[str, str] | None = None

    @property
    def path(self) -> tuple[str, ...]:
        for group in GROUPS:
            if self.name.startswith(f"{group}_"):
                return group, self.name[len(group) + 1 :]
        return (self.name,)


def _common(*, summary: str, description: str, fields: str, keywords: str) -> tuple[Column, ...]:
    return (
        Column("summary", "摘要", example=summary, aliases=("简要介绍", "概要")),
        Column("description", "详细描述", example=description, aliases=("描述", "详细介绍", "详细说明")),
        Column("fields", "技术领域", Kind.CHOICES, fields, ("领域", "所属领域"), FIELD_VALUES),
        Column("keywords", "关键词", Kind.LIST, keywords, ("关键字",)),
        Column("region", "行政区划代码", example="500106", aliases=("行政区划", "地区代码", "区划代码")),
    )


EXTERNAL_REF: Final = Column("external_ref", "外部编号", aliases=("外部引用", "编号", "原系统编号"))

COLUMNS: Final[Mapping[ListingType, tuple[Column, ...]]] = {
    ListingType.ACHIEVEMENT: (
        Column("external_ref", "外部编号", example="TPL-ACH-0001", aliases=EXTERNAL_REF.aliases),
        Column("title", "成果名称", example="石墨烯导热膜制备技术", aliases=("名称", "成果标题", "项目名称")),
        *_common(
            summary="高导热石墨烯膜的低成本制备工艺",
            description="面向电子器件散热，导热系数≥1500 W/(m·K)。",
            fields="materials;nev",
            keywords="石墨烯;导热膜",
        ),
        Column("maturity", "成熟度", Kind.CHOICE, "pilot", ("成熟阶段", "技术成熟度"), MATURITY_VALUES),
        Column("trl", "技术就绪度", Kind.INTEGER, "6", ("TRL", "技术就绪水平")),
        Column("ip", "知识产权", Kind.IP, "invention:202110123456.7;secret", ("专利",), IP_VALUES),
        Column(
            "transfer_modes", "转化方式", Kind.CHOICES, "license;transfer", ("合作方式",), TRANSFER_VALUES
        ),
        Column("price_mode", "报价方式", Kind.CHOICE, "range", ("价格方式", "计价方式"), PRICE_VALUES),
        Column("price_min_fen", "最低价(分)", Kind.INTEGER, "50000000", ("价格下限(分)",)),
        Column("price_max_fen", "最高价(分)", Kind.INTEGER, "120000000", ("价格上限(分)",)),
        Column("inventors", "发明人", Kind.LIST, "张三;李四", ("完成人", "成果完成人")),
    ),
    ListingType.INSTRUMENT: (
        Column("external_ref", "外部编号", example="TPL-INS-0001", aliases=EXTERNAL_REF.aliases),
        Column("name", "仪器名称", example="场发射扫描电子显微镜", aliases=("名称", "设备名称")),
        Column("title", "展示标题", aliases=("标题",)),
        *_common(
            summary="高分辨形貌观察与能谱分析",
            description="配备能谱仪，可进行微区成分分析。",
            fields="materials",
            keywords="扫描电镜;SEM",
        ),
        Column("model", "型号", example="Sigma 300", aliases=("规格型号", "仪器型号")),
        Column("manufacturer", "生产厂商", example="ZEISS", aliases=("厂商", "制造商", "生产厂家")),
        Column("category", "仪器分类代码", Kind.CATEGORY, "0101", ("分类代码", "仪器分类")),
        Column("original_value_fen", "原值(分)", Kind.INTEGER, "350000000", ("仪器原值(分)",)),
        Column("location_campus", "校区", example="虎溪校区", aliases=("所在校区",)),
        Column("location_building", "楼宇", example="材料楼", aliases=("楼栋", "所在楼宇")),
        Column("location_room", "房间", example="101", aliases=("房间号",)),
        Column(
            "service_modes", "服务方式", Kind.CHOICES, "self;commissioned", ("共享方式",), SERVICE_MODE_VALUES
        ),
        Column("fees", "收费标准", Kind.FEES, "hour:40000;sample:20000", ("收费",), FEE_UNIT_VALUES),
        Column("booking_min_notice_hours", "最短提前预约(小时)", Kind.INTEGER, "24", ("提前预约(小时)",)),
        Column("booking_max_hours", "单次最长(小时)", Kind.INTEGER, "8", ("单次最长预约(小时)",)),
        Column("booking_needs_training", "需培训", Kind.BOOLEAN, "是", ("是否需要培训", "需要培训")),
        Column("booking_opening_hours", "开放时间", Kind.HOURS, "1-5 09:00-17:00", ("开放时段",)),
        Column("booking_long_runs", "允许长时运行", Kind.BOOLEAN, "否", ("长时运行",)),
        Column("booking_response_hours", "审批时限(小时)", Kind.INTEGER, "48", ("响应时限(小时)",)),
        Column("booking_cancel_free_hours", "免费取消提前(小时)", Kind.INTEGER, "24", ("免费取消(小时)",)),
        Column("booking_cancel_fee_percent", "逾期取消费(%)", Kind.INTEGER, "50", ("取消费比例",)),
        Column("booking_no_show_limit", "爽约上限(次/90天)", Kind.INTEGER, "3", ("爽约上限",)),
        Column(
            "availability", "仪器状态", Kind.CHOICE, "available", ("状态", "可用状态"), AVAILABILITY_VALUES
        ),
    ),
    ListingType.EXPERT: (
        Column("external_ref", "外部编号", example="TPL-EXP-0001", aliases=EXTERNAL_REF.aliases),
        Column("name", "姓名", example="王建国", aliases=("专家姓名",)),
        Column("title", "职称", example="教授", aliases=("专业技术职称",)),
        Column("institution", "单位", example="重庆大学", aliases=("工作单位", "所在单位")),
        *_common(
            summary="石墨烯热管理材料",
            description="",
            fields="materials",
            keywords="石墨烯;热管理",
        ),
        Column("bio", "个人简介", example="长期从事石墨烯热管理材料研究。", aliases=("简介", "专家简介")),
        Column(
            "services", "服务类型", Kind.CHOICES, "consulting;review", ("服务内容",), EXPERT_SERVICE_VALUES
        ),
        Column("rate_fen_per_hour", "咨询费(分/小时)", Kind.INTEGER, "100000", ("时薪(分)",)),
        Column("consent_publish", "同意公开", Kind.BOOLEAN, "是", ("同意公开信息",)),
        Column("consent_contact", "同意联系", Kind.BOOLEAN, "否", ("同意提供联系方式",)),
        Column("contact_phone", "联系电话", example="13800000000", aliases=("电话", "手机")),
        Column("contact_email", "电子邮箱", example="expert@example.cn", aliases=("邮箱", "email")),
    ),
    ListingType.AGENCY: (
        Column("external_ref", "外部编号", example="TPL-AGE-0001", aliases=EXTERNAL_REF.aliases),
        Column("name", "机构名称", example="西部材料检测中心", aliases=("名称",)),
        Column("title", "展示标题", aliases=("标题",)),
        *_common(
            summary="材料热物性与力学性能检测",
            description="具备CMA资质的第三方检测机构。",
            fields="materials",
            keywords="检测;导热",
        ),
        Column(
            "agency_types", "机构类型", Kind.CHOICES, "testing;consulting", ("服务类别",), AGENCY_TYPE_VALUES
        ),
        Column("qualifications", "资质", Kind.LIST, "CMA;CNAS", ("资质认证",)),
        Column(
            "offerings",
            "服务项目",
            Kind.OFFERINGS,
            "导热系数测试|激光闪射法|fixed|80000|80000;力学性能测试|拉伸与弯曲|negotiable",
            values=PRICE_VALUES,
        ),
    ),
}


def _header_index(listing_type: ListingType) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in COLUMNS[listing_type]:
        for key in (column.name, column.label, *column.aliases):
            index.setdefault(_normalise(key), column)
    return index


HEADERS: Final[Mapping[ListingType, dict[str, Column]]] = {t: _header_index(t) for t in ListingType}


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


def _file_error(msg: str, *, row: int = 0, column: str = "*") -> ImportFileError:
    return ImportFileError([RowError(row=row, column=column, msg=msg)])


def detect_format(content: bytes, filename: str = "", content_type: str = "") -> ImportFormat:
    """xlsx or csv, from the bytes first (a zip is xlsx), then the name; refuses legacy .xls."""
    name = filename.lower()
    if content.startswith(b"PK\x03\x04"):
        return ImportFormat.XLSX
    if content.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise _file_error(
            "不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV (legacy .xls is not supported; save as .xlsx or csv)"
        )
    if name.endswith((".xlsx", ".xlsm")) or "spreadsheetml" in content_type:
        raise _file_error("文件不是有效的 xlsx (the file is not a valid xlsx workbook)")
    return ImportFormat.CSV


def check_upload(content: bytes, filename: str = "", content_type: str = "") -> ImportFormat:
    """The checks worth doing before queueing: not empty, not too large, a format we read."""
    if not content.strip():
        raise _file_error("文件为空 (the file is empty)")
    if len(content) > MAX_BYTES:
        raise _file_error(
            f"文件超过 {MAX_BYTES // (1024 * 1024)} MB 上限 (the file exceeds {MAX_BYTES // (1024 * 1024)} MB)"
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
        f"第 {row} 行含有无法识别的字符：请将文件保存为 UTF-8 或 GBK 编码 "
        f"(undecodable bytes at row {row}; save the file as UTF-8 or GBK)",
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
        raise _file_error(f"第 {number + 1} 行不是有效的 CSV：{exc} (malformed csv)", row=number + 1) from exc


def _xlsx_records(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    # Not data_only: a formula must be seen to be refused, where data_only would hand over its cached value
    # (or nothing, for a file no spreadsheet program has calculated).
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:
        raise _file_error("无法读取 xlsx 文件 (the xlsx workbook cannot be read)") from exc
    try:
        if not workbook.worksheets:
            raise _file_error("工作簿中没有工作表 (the workbook has no sheet)")
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
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
        raise _file_error("文件为空：没有列名行和数据行 (the file is empty: no header and no rows)")
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
                f"数据超过 {MAX_ROWS} 行上限，请拆分文件 (more than {MAX_ROWS} rows; split the file)",
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
                        f"external_ref {ref} 与第 {seen_refs[ref]} 行重复 (duplicate of row {seen_refs[ref]})",
                    )
                )
            else:
                seen_refs[ref] = number
        if errors:
            sheet.cell_errors[number] = errors
        sheet.rows.append((number, body))
    if not sheet.rows:
        raise _file_error("文件中没有数据行 (the file has a header but no rows)", row=2)
    return sheet


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _map_headers(listing_type: ListingType, values: list[Any]) -> tuple[list[Column | None], dict[str, str]]:
    if len(values) > MAX_COLUMNS:
        raise _file_error(f"列数超过 {MAX_COLUMNS} (more than {MAX_COLUMNS} columns)", row=1)
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
        column = index.get(_normalise(text).rstrip("*").replace(".", "_"))
        if column is None:
            unknown.append(text)
            columns.append(None)
            continue
        if column.name in headers:
            errors.append(
                RowError(
                    1,
                    text,
                    f"列 {text} 与列 {headers[column.name]} 重复，均为 {column.name} "
                    f"(column {get_column_letter(position + 1)} repeats {column.name})",
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
                f"未知的列 {', '.join(unknown)} (unknown columns); 可用的列 (allowed columns): {allowed}",
            )
        )
    schema = CREATE_SCHEMAS[listing_type]
    missing = [
        name for name, info in schema.model_fields.items() if info.is_required() and name not in headers
    ]
    if missing:
        labels = ", ".join(f"{name}({_label(listing_type, name)})" for name in missing)
        errors.append(RowError(1, ", ".join(missing), f"缺少必填列 {labels} (required columns missing)"))
    if errors:
        raise ImportFileError(errors)
    return columns, headers


def _label(listing_type: ListingType, name: str) -> str:
    return next((c.label for c in COLUMNS[listing_type] if c.name == name), name)


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
        if index.get(_normalise(value).rstrip("*")) is not column:
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
                    f"单元格 {cell} 所在列没有列名 (column has no header)",
                )
            )
            continue
        header = sheet.header_of(column.name)
        try:
            converted = _convert(column, value, cell)
        except ValueError as exc:
            errors.append(RowError(number, header, str(exc)))
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
        raise ValueError(
            f"单元格 {cell} 是公式，请粘贴为数值 (cell {cell} holds a formula; paste values only)"
        )
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(FORMULA_PREFIXES) and not NUMBER_LIKE.match(text):
            raise ValueError(
                f"单元格 {cell} 以 {text[0]} 开头，可能是公式，已拒绝 (cell {cell} looks like a formula; refused)"
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
        raise ValueError(f"单元格 {cell} 须为整数 (must be a whole number)")
    if isinstance(value, int):
        return value
    # A numeric xlsx cell is a double even when it shows 12; only a real fraction is refused.
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"单元格 {cell} 的 {value} 有小数，须为整数 (must be a whole number, no decimals)")
    text = _text(value).replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", _text(value)) else _text(value)
    if INTEGER_TEXT.match(text):
        return int(text)
    if DECIMAL_TEXT.match(text):
        raise ValueError(f"单元格 {cell} 的 {text} 有小数，须为整数 (must be a whole number, no decimals)")
    raise ValueError(f"单元格 {cell} 的 {text} 不是整数 (not a whole number)")


def _boolean(value: Any, cell: str) -> bool:
    if isinstance(value, bool):
        return value
    word = _normalise(_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"单元格 {cell} 的 {value} 须为 是/否 (must be 是/否, true/false or 1/0)")


def _split(text: str) -> list[str]:
    return [item.strip() for item in LIST_SEPARATOR.split(text) if item.strip()]


def _coded(text: str, values: Mapping[str, str] | None) -> str:
    """A code from its code or Chinese name; anything else passes through for the schema to refuse by name."""
    if values is None:
        return text
    return values.get(_normalise(text), text)


def _ip_item(item: str, cell: str) -> dict[str, Any]:
    parts = [p.strip() for p in PAIR_SEPARATOR.split(item, maxsplit=1)]
    if len(parts) == 2:
        return {"kind": _coded(parts[0], IP_VALUES), "number": parts[1] or None}
    kind = IP_VALUES.get(_normalise(item))
    if kind is not None:
        return {"kind": kind}
    implied = patent_kind_from_number(item)
    if implied is None:
        raise ValueError(
            f"单元格 {cell} 的知识产权 {item} 须写成 类型:号码，如 invention:202110123456.7 "
            "(write ip as kind:number)"
        )
    return {"kind": implied, "number": item}


def _fee_item(item: str, cell: str) -> dict[str, Any]:
    parts = [p.strip() for p in PAIR_SEPARATOR.split(item, maxsplit=2)]
    if len(parts) not in (2, 3):
        raise ValueError(
            f"单元格 {cell} 的收费 {item} 须写成 单位:价格(分)，如 hour:40000 (write fees as unit:price_fen)"
        )
    fee: dict[str, Any] = {"unit": _coded(parts[0], FEE_UNIT_VALUES), "price_fen": _integer(parts[1], cell)}
    if len(parts) == 3:
        fee["group"] = _coded(parts[2], PRICE_GROUP_VALUES)
    return fee


def _opening_item(item: str, cell: str) -> list[dict[str, Any]]:
    match = OPENING_ITEM.match(item)
    if match is None:
        raise ValueError(
            f"单元格 {cell} 的开放时间 {item} 须写成 星期 开始-结束，如 1-5 09:00-17:00 "
            "(write opening hours as weekdays open-close)"
        )
    first, last, opens, closes = match.groups()
    return [
        {"weekday": day, "open": opens, "close": closes} for day in range(int(first), int(last or first) + 1)
    ]


def _offering_item(item: str, cell: str) -> dict[str, Any]:
    parts = [p.strip() for p in item.split(OFFERING_SEPARATOR)]
    if len(parts) > 5:
        raise ValueError(
            f"单元格 {cell} 的服务项目 {item} 最多 5 段：名称|描述|计价方式|最低价|最高价 "
            "(an offering has at most 5 parts: name|description|mode|min_fen|max_fen)"
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
        return RowError(error.row, ", ".join(headers) or best, error.msg)
    rest = loc[len(best) + 1 :]
    msg = error.msg
    if rest:
        position, _, detail = rest.partition("_")
        if position.isdigit():
            item = f"第 {int(position) + 1} 项 (item {int(position) + 1})"
            msg = f"{item} {detail}: {msg}" if detail else f"{item}: {msg}"
    return RowError(error.row, sheet.header_of(best), msg)


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
