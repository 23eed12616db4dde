"""Checks of identifiers that arrive from forms, the API and spreadsheet imports: USCC and patent numbers
(docs/domain.md §2).

Each `*_problem` function returns None when the value is fine, or one message (Chinese, then English) that
names what is wrong; the web layer puts it into the problem+json `errors`.
"""

import unicodedata
from collections.abc import Mapping
from typing import Final, Literal

from services.core.errors import Problem
from services.reference.regions import PROVINCES

# --- 统一社会信用代码 (GB 32100-2015) positions 1–2 ---------------------------------------------------

# fmt: off
USCC_DEPARTMENTS: Final[Mapping[str, str]] = {
    "1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政", "6": "旅游", "7": "宗教",
    "8": "工会", "9": "工商", "A": "中央军委改革和编制办公室", "N": "农业", "Y": "其他",
}
# fmt: on

# fmt: off
USCC_CATEGORIES: Final[Mapping[str, str]] = {
    "11": "机关", "12": "事业单位", "13": "中央编办直接管理机构编制的群众团体", "19": "其他",
    "21": "外国常驻新闻机构", "29": "其他",
    "31": "律师执业机构", "32": "公证处", "33": "基层法律服务所", "34": "司法鉴定机构", "35": "仲裁委员会",
    "39": "其他",
    "41": "外国在华文化中心", "49": "其他",
    "51": "社会团体", "52": "民办非企业单位", "53": "基金会", "59": "其他",
    "61": "外国旅游部门常驻代表机构", "62": "港澳台地区旅游部门常驻内地（大陆）代表机构", "69": "其他",
    "71": "宗教活动场所", "72": "宗教院校", "79": "其他",
    "81": "基层工会", "89": "其他",
    "91": "企业", "92": "个体工商户", "93": "农民专业合作社",
    "A1": "军队事业单位", "A9": "其他",
    "N1": "组级集体经济组织", "N2": "村级集体经济组织", "N3": "乡镇级集体经济组织", "N9": "其他",
    "Y1": "其他",
}
# fmt: on

# --- 统一社会信用代码 (GB 32100-2015) ---------------------------------------------------------------

USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH: Final = 18
_USCC_FORBIDDEN_LETTERS: Final = frozenset("IOZSV")
# Codes issued by central bodies (e.g. universities under 教育部) carry 100000 in positions 3–8.
_USCC_NATIONAL_REGION_PREFIX: Final = "10"
_USCC_REGION_PREFIXES: Final = frozenset(code[:2] for code in PROVINCES) | {_USCC_NATIONAL_REGION_PREFIX}

_ORGANISATION_CODE_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_ORGANISATION_CODE_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def normalise_uscc(code: str) -> str:
    """The canonical form of a USCC: half-width, upper case, without spaces or hyphens."""
    text = unicodedata.normalize("NFKC", code).upper()
    return "".join(character for character in text if not character.isspace() and character != "-")


def uscc_check_character(first_seventeen: str) -> str:
    """The GB 32100 check character for the first 17 characters (which must be in USCC_CHARSET)."""
    total = sum(
        USCC_CHARSET.index(character) * weight
        for character, weight in zip(first_seventeen, USCC_WEIGHTS, strict=True)
    )
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> Problem | None:
    """What is wrong with a USCC (length, character, department/category, region, check), or None."""
    normalised = normalise_uscc(code)
    if not normalised:
        return Problem("统一社会信用代码不能为空", "USCC is empty")
    if len(normalised) != USCC_LENGTH:
        return Problem(
            f"统一社会信用代码应为18位，当前为{len(normalised)}位",
            f"USCC must be 18 characters long, got {len(normalised)}",
        )
    for position, character in enumerate(normalised, start=1):
        if character in USCC_CHARSET:
            continue
        if character in _USCC_FORBIDDEN_LETTERS:
            return Problem(
                f"统一社会信用代码第{position}位“{character}”不可用（不使用 I、O、Z、S、V）",
                f"USCC character {position} '{character}' is not allowed (I, O, Z, S and V are never used)",
            )
        return Problem(
            f"统一社会信用代码第{position}位“{character}”无效，只能是数字或大写字母",
            f"USCC character {position} '{character}' is not a digit or capital letter",
        )
    if normalised[:2] not in USCC_CATEGORIES:
        return Problem(
            f"统一社会信用代码第1–2位“{normalised[:2]}”不是已知的登记管理部门和机构类别",
            f"USCC positions 1-2 '{normalised[:2]}' are not a known registering department and category",
        )
    region = normalised[2:8]
    if not region.isdigit() or region[:2] not in _USCC_REGION_PREFIXES:
        return Problem(
            f"统一社会信用代码第3–8位“{region}”不是有效的行政区划代码",
            f"USCC positions 3-8 '{region}' are not a valid region code",
        )
    # The expected character is deliberately not revealed: a mismatch usually means a typo elsewhere.
    if normalised[-1] != uscc_check_character(normalised[:-1]):
        return Problem(
            "统一社会信用代码校验位不符，请核对", "USCC check character does not match; re-check the code"
        )
    return None


def is_valid_uscc(code: str) -> bool:
    """Whether a USCC (after normalise_uscc) is well-formed and its check character matches."""
    return uscc_problem(code) is None


def is_organisation_code_consistent(code: str) -> bool:
    """Whether positions 9–17 of a USCC pass the GB 11714 organisation-code check.

    Only for a soft warning: the rule was verified on a handful of real codes, not on newly issued ones.
    """
    normalised = normalise_uscc(code)
    body = normalised[8:16]
    if len(normalised) != USCC_LENGTH or any(ch not in _ORGANISATION_CODE_ALPHABET for ch in body):
        return False
    total = sum(
        _ORGANISATION_CODE_ALPHABET.index(character) * weight
        for character, weight in zip(body, _ORGANISATION_CODE_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    expected = "X" if value == 10 else "0" if value == 11 else str(value)
    return normalised[16] == expected


# --- Patent application numbers (CNIPA) ------------------------------------------------------------------

PatentKind = Literal["invention", "utility", "design"]

PATENT_TYPE_KINDS: Final[Mapping[str, PatentKind]] = {
    "1": "invention",
    "2": "utility",
    "3": "design",
    "8": "invention",
    "9": "utility",
}
_PATENT_KIND_LABELS: Final[Mapping[str, str]] = {
    "invention": "发明",
    "utility": "实用新型",
    "design": "外观设计",
}
_PATENT_WEIGHTS: Final = (2, 3, 4, 5, 6, 7, 8, 9)
# ZC 0006-2003 introduced the 12-digit form on 2003-10-01; the 8-digit form covers 1985 to 2003.
_FIRST_TWELVE_DIGIT_YEAR: Final = 2003
_EIGHT_DIGIT_YEARS: Final = frozenset({f"{year % 100:02d}" for year in range(1985, 2004)})
# Numbers from 1985–1988 were issued without a check character and are still quoted that way.
_EIGHT_DIGIT_YEARS_WITHOUT_CHECK: Final = frozenset({"85", "86", "87", "88"})
_PATENT_PREFIXES: Final = ("ZL", "CN")


def normalise_patent_number(number: str) -> str:
    """Application number without ZL/CN prefix, spaces or dot, upper case (`ZL 2021….7` → `2021…7`)."""
    text = unicodedata.normalize("NFKC", number).upper()
    text = "".join(character for character in text if not character.isspace() and character != ".")
    while text.startswith(_PATENT_PREFIXES):
        text = text[2:]
    return text


def patent_check_character(digits: str) -> str:
    """CNIPA check character of an 8- or 12-digit application number: Σ digit × 2..9 (cycling) mod 11."""
    total = sum(
        int(digit) * _PATENT_WEIGHTS[index % len(_PATENT_WEIGHTS)] for index, digit in enumerate(digits)
    )
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def _split_patent_number(normalised: str) -> tuple[str, str | None]:
    if len(normalised) in (9, 13):
        return normalised[:-1], normalised[-1]
    return normalised, None


def patent_problem(number: str, *, current_year: int | None = None) -> Problem | None:
    """What is wrong with a patent application number (format, year, type, check), or None.

    Pass `current_year` to also refuse application years in the future.
    """
    normalised = normalise_patent_number(number)
    if not normalised:
        return Problem("专利申请号不能为空", "patent application number is empty")
    if len(normalised) == 10 and normalised[:9].isdigit() and normalised[9] in "ABUS":
        return Problem(
            "这是专利公开（公告）号，请填写申请号，如 202110123456.7",
            "this is a publication number; give the application number, e.g. 202110123456.7",
        )
    digits, check = _split_patent_number(normalised)
    if len(digits) not in (8, 12):
        return Problem(
            "专利申请号应为12位数字加校验位（2003年前为8位），如 202110123456.7",
            "patent application number must be 12 digits plus a check character (8 before 2003), "
            "e.g. 202110123456.7",
        )
    if not digits.isdigit() or (check is not None and check not in "0123456789X"):
        return Problem(
            "专利申请号只能包含数字，校验位可为X",
            "patent application number may only contain digits, and X as the check character",
        )
    if len(digits) == 12:
        year, type_digit = int(digits[:4]), digits[4]
        if year < _FIRST_TWELVE_DIGIT_YEAR or (current_year is not None and year > current_year):
            return Problem(f"专利申请号年份{year}无效", f"patent application year {year} is not possible")
    else:
        if digits[:2] not in _EIGHT_DIGIT_YEARS:
            return Problem(
                f"8位专利申请号的年份“{digits[:2]}”无效（应为1985–2003年）",
                f"8-digit application number year '{digits[:2]}' is not 1985-2003",
            )
        type_digit = digits[2]
    if type_digit not in PATENT_TYPE_KINDS:
        return Problem(
            f"专利类型代码“{type_digit}”无效（应为1、2、3、8或9）",
            f"patent type digit '{type_digit}' is not 1, 2, 3, 8 or 9",
        )
    if check is None:
        if len(digits) == 8 and digits[:2] in _EIGHT_DIGIT_YEARS_WITHOUT_CHECK:
            return None
        return Problem(
            "专利申请号缺少校验位（小数点后的一位）", "patent application number lacks its check character"
        )
    if check != patent_check_character(digits):
        return Problem(
            "专利申请号校验位不符，请核对", "patent application number check character does not match"
        )
    return None


def patent_kind_from_number(number: str) -> PatentKind | None:
    """Patent kind from the type digit (1/8 invention, 2/9 utility, 3 design); None for a bad number."""
    if patent_problem(number) is not None:
        return None
    digits, _ = _split_patent_number(normalise_patent_number(number))
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    return PATENT_TYPE_KINDS[type_digit]


def format_patent_number(number: str) -> str:
    """Display form `YYYYTNNNNNNN.C` of a valid application number; the normalised text otherwise."""
    normalised = normalise_patent_number(number)
    digits, check = _split_patent_number(normalised)
    if check is None or patent_problem(normalised) is not None:
        return normalised
    return f"{digits}.{check}"


def ip_number_problem(kind: str, number: str, *, current_year: int | None = None) -> Problem | None:
    """What is wrong with an achievement's `ip` entry: a bad patent number or a kind the number contradicts.

    Software copyrights and technical secrets have no checkable number, so only patents are checked.
    """
    if kind in ("software", "secret"):
        return None
    if kind not in _PATENT_KIND_LABELS:
        return Problem(
            f"未知的知识产权类型“{kind}”",
            f"unknown IP kind '{kind}' (invention, utility, design, software, secret)",
        )
    problem = patent_problem(number, current_year=current_year)
    if problem is not None:
        return problem
    number_kind = patent_kind_from_number(number)
    if number_kind is not None and number_kind != kind:
        return Problem(
            f"申请号表示{_PATENT_KIND_LABELS[number_kind]}专利，与所选类型“{_PATENT_KIND_LABELS[kind]}”不符",
            f"the application number is of kind '{number_kind}', not '{kind}'",
        )
    return None
