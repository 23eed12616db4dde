import random

import pytest
from stdnum.cn import uscc as stdnum_uscc

from services.reference.identifiers import (
    USCC_CHARSET,
    USCC_WEIGHTS,
    format_patent_number,
    ip_number_problem,
    is_organisation_code_consistent,
    is_valid_uscc,
    normalise_patent_number,
    normalise_uscc,
    patent_check_character,
    patent_kind_from_number,
    patent_problem,
    uscc_check_character,
    uscc_problem,
)
from services.reference.maturity import maturity_trl_problem
from services.reference.regions import PROVINCES, is_valid_region_code, region_problem

# Publicly displayed codes of well-known organisations; each passes the check (research/domain-rules.md §2).
REAL_USCCS = (
    "91440300708461136T",
    "91330100716105852F",
    "914403001922038216",
    "91110000802100433B",
    "91110108551385082Q",
)


def _with_check(first_seventeen: str) -> str:
    return first_seventeen + uscc_check_character(first_seventeen)


def _patent(year_and_type: str, serial: str = "0123456") -> str:
    digits = year_and_type + serial
    return f"{digits}.{patent_check_character(digits)}"


# --- USCC ------------------------------------------------------------------------------------------------


def test_uscc_example_from_the_standard_is_valid() -> None:
    assert is_valid_uscc("91440300708461136T") is True
    assert uscc_problem("91440300708461136T") is None
    assert uscc_check_character("91440300708461136") == "T"


@pytest.mark.parametrize("code", REAL_USCCS)
def test_uscc_real_codes_are_valid(code: str) -> None:
    assert uscc_problem(code) is None


def test_uscc_normalise_uppercases_and_strips() -> None:
    assert normalise_uscc("  91440300708461136t \n") == "91440300708461136T"
    assert normalise_uscc("9144 0300-7084 6113 6T") == "91440300708461136T"
    assert normalise_uscc("９１４４０３００７０８４６１１３６Ｔ") == "91440300708461136T"
    assert is_valid_uscc(" 91440300708461136t ") is True


def test_uscc_wrong_check_character_is_refused() -> None:
    assert is_valid_uscc("91440300708461136A") is False
    assert uscc_problem("91440300708461136A") == (
        "统一社会信用代码校验位不符，请核对 / USCC check character does not match; re-check the code"
    )


def test_uscc_from_the_contract_smoke_test_is_refused() -> None:
    assert uscc_problem("91500107MA5U0000X0") is not None
    assert stdnum_uscc.is_valid("91500107MA5U0000X0") is False


def test_uscc_check_value_zero_maps_to_character_zero() -> None:
    # given a body whose weighted sum is a multiple of 31
    bodies = (f"9150010700000{n:04d}" for n in range(10_000))
    body = next(
        b
        for b in bodies
        if sum(USCC_CHARSET.index(c) * w for c, w in zip(b, USCC_WEIGHTS, strict=True)) % 31 == 0
    )
    # then the check character is "0", not an out-of-range 31
    assert uscc_check_character(body) == "0"
    assert is_valid_uscc(body + "0") is True


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_uscc_forbidden_letters_are_refused(letter: str) -> None:
    code = "91440300" + letter + "08461136T"
    assert is_valid_uscc(code) is False
    assert uscc_problem(code) == (
        f"统一社会信用代码第9位“{letter}”不可用（不使用 I、O、Z、S、V） / "
        f"USCC character 9 '{letter}' is not allowed (I, O, Z, S and V are never used)"
    )


def test_uscc_other_bad_character_is_refused() -> None:
    assert uscc_problem("9144030070846113*T") == (
        "统一社会信用代码第17位“*”无效，只能是数字或大写字母 / "
        "USCC character 17 '*' is not a digit or capital letter"
    )


@pytest.mark.parametrize(("code", "length"), [("9144030070846113T", 17), ("91440300708461136TT", 19)])
def test_uscc_wrong_length_is_refused(code: str, length: int) -> None:
    assert uscc_problem(code) == (
        f"统一社会信用代码应为18位，当前为{length}位 / USCC must be 18 characters long, got {length}"
    )


def test_uscc_empty_is_refused() -> None:
    assert uscc_problem("  ") == "统一社会信用代码不能为空 / USCC is empty"


@pytest.mark.parametrize("prefix", ["94", "99", "B1", "Y2", "20", "01"])
def test_uscc_unknown_department_and_category_is_refused(prefix: str) -> None:
    code = _with_check(prefix + "440300708461136")
    assert uscc_problem(code) == (
        f"统一社会信用代码第1–2位“{prefix}”不是已知的登记管理部门和机构类别 / "
        f"USCC positions 1-2 '{prefix}' are not a known registering department and category"
    )


@pytest.mark.parametrize(
    "prefix", ["11", "12", "13", "31", "51", "52", "53", "91", "92", "93", "A1", "N2", "Y1"]
)
def test_uscc_known_department_and_category_is_accepted(prefix: str) -> None:
    assert uscc_problem(_with_check(prefix + "500107MA5U0000X")) is None


@pytest.mark.parametrize("region", ["990000", "000000", "5001A7"])
def test_uscc_bad_region_is_refused(region: str) -> None:
    code = _with_check("91" + region + "708461136")
    assert uscc_problem(code) == (
        f"统一社会信用代码第3–8位“{region}”不是有效的行政区划代码 / "
        f"USCC positions 3-8 '{region}' are not a valid region code"
    )


def test_uscc_central_registration_region_is_accepted() -> None:
    assert uscc_problem(_with_check("12100000400000624")) is None


def test_uscc_agrees_with_stdnum_on_enterprise_codes() -> None:
    # given random enterprise codes from every province, and copies with a corrupted check character
    rng = random.Random(20260301)
    for _ in range(500):
        region = rng.choice(sorted(PROVINCES))[:2] + "".join(rng.choice("0123456789") for _ in range(4))
        body = "91" + region + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
        good = _with_check(body)
        bad = body + rng.choice(USCC_CHARSET.replace(good[-1], ""))
        # then both implementations accept the first and refuse the second
        assert (is_valid_uscc(good), stdnum_uscc.is_valid(good)) == (True, True)
        assert (is_valid_uscc(bad), stdnum_uscc.is_valid(bad)) == (False, False)
        assert stdnum_uscc.calc_check_digit(body) == good[-1]


def test_uscc_is_stricter_than_stdnum_on_positions_one_to_eight() -> None:
    # stdnum checks only length, charset and check character; we also check department, category, region
    unknown_category = _with_check("99440300708461136")
    assert stdnum_uscc.is_valid(unknown_category) is True
    assert is_valid_uscc(unknown_category) is False


def test_uscc_organisation_code_check_passes_on_real_codes() -> None:
    assert [is_organisation_code_consistent(code) for code in REAL_USCCS] == [True] * len(REAL_USCCS)
    assert is_organisation_code_consistent("91440300708461137T") is False
    assert is_organisation_code_consistent("short") is False


# --- Patent application numbers --------------------------------------------------------------------------


def test_patent_example_is_valid() -> None:
    # Σ digit × (2,3,4,5,6,7,8,9,2,3,4,5) over 202110123456 = 117; 117 mod 11 = 7
    assert patent_check_character("202110123456") == "7"
    assert patent_problem("202110123456.7") is None


def test_patent_worked_examples_from_research() -> None:
    assert patent_check_character("201710601862") == "3"
    assert patent_check_character("95115608") == "X"
    assert patent_problem("ZL201710601862.3") is None
    assert patent_problem("ZL95115608.X") is None


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("202110123456.7", "2021101234567"),
        ("ZL202110123456.7", "2021101234567"),
        ("ZL 2021 1 0123456.7", "2021101234567"),
        ("cn202110123456.7", "2021101234567"),
        ("CNZL202110123456.7", "2021101234567"),
        ("zl95115608.x", "95115608X"),
        ("ＺＬ２０２１１０１２３４５６．７", "2021101234567"),
    ],
)
def test_patent_normalise_strips_prefix_spaces_and_dot(raw: str, normalised: str) -> None:
    assert normalise_patent_number(raw) == normalised
    assert patent_problem(raw) is None


def test_patent_format_gives_dotted_form() -> None:
    assert format_patent_number("zl 2021101234567") == "202110123456.7"
    assert format_patent_number("95115608x") == "95115608.X"
    assert format_patent_number("202110123456.8") == "2021101234568"


def test_patent_wrong_check_character_is_refused() -> None:
    assert patent_problem("202110123456.8") == (
        "专利申请号校验位不符，请核对 / patent application number check character does not match"
    )
    assert patent_problem("202110123456.X") is not None


def test_patent_missing_check_character_is_refused() -> None:
    assert patent_problem("202110123456") == (
        "专利申请号缺少校验位（小数点后的一位） / patent application number lacks its check character"
    )
    assert patent_problem("95115608") is not None


def test_patent_1985_to_1988_numbers_may_lack_the_check_character() -> None:
    assert patent_problem("85100001") is None
    assert patent_problem(f"85100001.{patent_check_character('85100001')}") is None


@pytest.mark.parametrize("type_digit", ["0", "4", "5", "6", "7"])
def test_patent_bad_type_digit_is_refused(type_digit: str) -> None:
    assert patent_problem(_patent("2021" + type_digit)) == (
        f"专利类型代码“{type_digit}”无效（应为1、2、3、8或9） / "
        f"patent type digit '{type_digit}' is not 1, 2, 3, 8 or 9"
    )


def test_patent_bad_type_digit_in_old_number_is_refused() -> None:
    digits = "99515608"
    assert patent_problem(f"{digits}.{patent_check_character(digits)}") is not None


@pytest.mark.parametrize("number", ["2021101234.5", "2021101234567890", "12345", "2021101234567.7"])
def test_patent_wrong_length_is_refused(number: str) -> None:
    assert patent_problem(number) == (
        "专利申请号应为12位数字加校验位（2003年前为8位），如 202110123456.7 / "
        "patent application number must be 12 digits plus a check character (8 before 2003), "
        "e.g. 202110123456.7"
    )


def test_patent_letters_are_refused() -> None:
    assert patent_problem("2021A0123456.7") == (
        "专利申请号只能包含数字，校验位可为X / "
        "patent application number may only contain digits, and X as the check character"
    )
    assert patent_problem("202110123456.Y") is not None


def test_patent_year_before_2003_in_twelve_digit_form_is_refused() -> None:
    assert (
        patent_problem(_patent("20021"))
        == "专利申请号年份2002无效 / patent application year 2002 is not possible"
    )


def test_patent_future_year_is_refused_only_when_current_year_given() -> None:
    number = _patent("20301")
    assert patent_problem(number) is None
    assert patent_problem(number, current_year=2026) == (
        "专利申请号年份2030无效 / patent application year 2030 is not possible"
    )


def test_patent_eight_digit_year_outside_1985_2003_is_refused() -> None:
    digits = "50115608"
    assert patent_problem(f"{digits}.{patent_check_character(digits)}") == (
        "8位专利申请号的年份“50”无效（应为1985–2003年） / "
        "8-digit application number year '50' is not 1985-2003"
    )


def test_patent_publication_number_is_refused_with_hint() -> None:
    assert patent_problem("CN112345678A") == (
        "这是专利公开（公告）号，请填写申请号，如 202110123456.7 / "
        "this is a publication number; give the application number, e.g. 202110123456.7"
    )


def test_patent_empty_is_refused() -> None:
    assert patent_problem(" ZL ") == "专利申请号不能为空 / patent application number is empty"


@pytest.mark.parametrize(
    ("year_and_type", "kind"),
    [
        ("20211", "invention"),
        ("20218", "invention"),
        ("20212", "utility"),
        ("20219", "utility"),
        ("20213", "design"),
    ],
)
def test_patent_kind_follows_type_digit(year_and_type: str, kind: str) -> None:
    assert patent_kind_from_number(_patent(year_and_type)) == kind


def test_patent_kind_of_old_and_bad_numbers() -> None:
    assert patent_kind_from_number("ZL95115608.X") == "invention"
    assert patent_kind_from_number("202110123456.8") is None


def test_ip_number_kind_must_agree_with_number() -> None:
    assert ip_number_problem("invention", "202110123456.7") is None
    assert ip_number_problem("utility", "202110123456.7") == (
        "申请号表示发明专利，与所选类型“实用新型”不符 / "
        "the application number is of kind 'invention', not 'utility'"
    )
    assert ip_number_problem("design", _patent("20213")) is None


def test_ip_number_of_software_and_secret_is_not_checked() -> None:
    assert ip_number_problem("software", "2021SR0123456") is None
    assert ip_number_problem("secret", "") is None


def test_ip_number_unknown_kind_and_bad_patent_are_refused() -> None:
    assert ip_number_problem("trademark", "202110123456.7") == (
        "未知的知识产权类型“trademark” / "
        "unknown IP kind 'trademark' (invention, utility, design, software, secret)"
    )
    assert ip_number_problem("invention", "202110123456.8") is not None


# --- Maturity and TRL ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("maturity", "trl"),
    [
        ("lab", 1),
        ("lab", 4),
        ("pilot", 4),
        ("pilot", 6),
        ("pilot", 7),
        ("trial", 6),
        ("trial", 8),
        ("industrial", 8),
        ("industrial", 9),
    ],
)
def test_maturity_and_trl_that_overlap_are_accepted(maturity: str, trl: int) -> None:
    assert maturity_trl_problem(maturity, trl) is None


@pytest.mark.parametrize(
    ("maturity", "trl"),
    [("lab", 5), ("pilot", 3), ("pilot", 9), ("trial", 5), ("industrial", 7), ("industrial", 1)],
)
def test_maturity_and_trl_mismatch_is_refused(maturity: str, trl: int) -> None:
    assert maturity_trl_problem(maturity, trl) is not None


def test_maturity_mismatch_message_names_the_band() -> None:
    assert maturity_trl_problem("pilot", 9) == (
        "成熟度“小试/中试”通常对应技术就绪水平4–7，当前为9 / maturity 'pilot' spans TRL 4-7, got 9"
    )


def test_maturity_unknown_label_is_refused() -> None:
    assert maturity_trl_problem("mass", 9) == (
        "未知的成熟度“mass” / unknown maturity 'mass' (lab, pilot, trial, industrial)"
    )


@pytest.mark.parametrize("trl", [0, 10, -1])
def test_trl_out_of_range_is_refused(trl: int) -> None:
    assert (
        maturity_trl_problem("lab", trl) == f"技术就绪水平应为1–9，当前为{trl} / TRL must be 1-9, got {trl}"
    )


# --- Region codes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["500107", "500106", "500108", "500112", "500157", "500243", "510100", "510107", "513400", "440300"],
)
def test_region_known_codes_are_valid(code: str) -> None:
    assert is_valid_region_code(code) is True
    assert region_problem(code) is None


def test_region_all_31_mainland_provinces_are_valid() -> None:
    mainland = [
        f"{prefix}0000"
        for prefix in (
            "11",
            "12",
            "13",
            "14",
            "15",
            "21",
            "22",
            "23",
            "31",
            "32",
            "33",
            "34",
            "35",
            "36",
            "37",
            "41",
            "42",
            "43",
            "44",
            "45",
            "46",
            "50",
            "51",
            "52",
            "53",
            "54",
            "61",
            "62",
            "63",
            "64",
            "65",
        )
    ]
    assert len(mainland) == 31
    assert all(is_valid_region_code(code) for code in mainland)


@pytest.mark.parametrize("code", ["500199", "500170", "510199", "990000", "500100", "440305"])
def test_region_typos_are_refused(code: str) -> None:
    assert is_valid_region_code(code) is False
    assert region_problem(code) == (
        f"行政区划代码“{code}”不在平台区划表中（重庆、四川到区县，其他省份到地级市） / "
        f"region code '{code}' is not in the platform's table "
        "(districts of Chongqing and Sichuan, cities elsewhere)"
    )


@pytest.mark.parametrize("code", ["50010", "5001070", "50O107", "", " 500107"])
def test_region_malformed_codes_are_refused(code: str) -> None:
    assert is_valid_region_code(code) is False
    assert region_problem(code) == (
        f"行政区划代码应为6位数字，当前为“{code}” / region code must be 6 digits, got '{code}'"
    )
