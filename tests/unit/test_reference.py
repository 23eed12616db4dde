import re
from datetime import date

import pytest
from stdnum import numdb

from services.reference.categories import (
    INSTRUMENT_CATEGORIES,
    INSTRUMENT_CATEGORY_CODES,
    instrument_category,
)
from services.reference.contracts import (
    CONTRACT_RULE_SETS,
    CONTRACT_TYPES,
    contract_rule_set,
    registered_contract_type,
)
from services.reference.fields import (
    KEY_TECH_FIELD_CODES,
    NATIONAL_FIELDS,
    TECH_FIELD_CODES,
    TECH_FIELDS,
    national_field_for,
    tech_field,
)
from services.reference.identifiers import USCC_CATEGORIES, USCC_DEPARTMENTS
from services.reference.labels import (
    AGENCY_TYPES,
    DEMAND_KINDS,
    EXPERT_SERVICES,
    FEE_UNITS,
    INSTRUMENT_AVAILABILITY,
    IP_KINDS,
    LISTING_STATUSES,
    LISTING_TYPES,
    ORG_KINDS,
    PRICE_MODES,
    SERVICE_MODES,
    TRANSFER_MODES,
)
from services.reference.maturity import MATURITY_LEVELS, MATURITY_TRL_BANDS, TRL_LEVELS
from services.reference.regions import (
    FORMER_REGIONS,
    PROVINCES,
    REGIONS,
    region_name,
    region_path,
    region_successor,
)
from services.reference.targets import INDICATOR_TARGETS, turnover_target_fen

# --- Technology fields -----------------------------------------------------------------------------------


def test_key_fields_are_the_eleven_of_the_plan_in_order() -> None:
    assert [(field.code, field.label) for field in TECH_FIELDS if field.key] == [
        ("ai", "新一代人工智能"),
        ("ic", "集成电路"),
        ("software", "软件和信息技术"),
        ("quantum", "量子信息"),
        ("biotech", "基因与生物技术"),
        ("clinical", "临床医学与健康"),
        ("medtech", "高端医疗装备与创新药"),
        ("materials", "高端新材料"),
        ("nev", "新能源汽车与智能网联汽车"),
        ("manufacturing", "智能制造与机器人"),
        ("space", "深空探测"),
    ]
    assert tuple(field.code for field in TECH_FIELDS[:11]) == KEY_TECH_FIELD_CODES


def test_extra_fields_are_not_key() -> None:
    assert [(field.code, field.key) for field in TECH_FIELDS[11:]] == [
        ("energy", False),
        ("environment", False),
        ("agriculture", False),
    ]
    assert len(TECH_FIELD_CODES) == len(TECH_FIELDS)


def test_national_fields_are_the_eleven_statistics_categories() -> None:
    assert [field.label for field in NATIONAL_FIELDS] == [
        "电子信息技术",
        "先进制造技术",
        "航空航天技术",
        "现代交通",
        "农业技术",
        "新能源与高效节能",
        "核应用技术",
        "新材料及其应用",
        "生物、医药和医疗器械技术",
        "环境保护与资源综合利用技术",
        "城市建设与社会发展",
    ]


def test_every_field_maps_to_a_national_field() -> None:
    national_codes = {field.code for field in NATIONAL_FIELDS}
    assert all(field.national_field in national_codes for field in TECH_FIELDS)


def test_field_lookups() -> None:
    found = tech_field("ic")
    assert found is not None
    assert (found.label, found.label_en) == ("集成电路", "Integrated circuits")
    assert tech_field("blockchain") is None
    national = national_field_for("space")
    assert national is not None
    assert national.label == "航空航天技术"
    medtech = national_field_for("medtech")
    assert medtech is not None
    assert medtech.label == "生物、医药和医疗器械技术"
    assert national_field_for("blockchain") is None


# --- Instruments -----------------------------------------------------------------------------------------


def test_instrument_categories_are_the_fifteen_in_order() -> None:
    assert [(category.code, category.label) for category in INSTRUMENT_CATEGORIES] == [
        ("01", "分析仪器"),
        ("02", "物理性能测试仪器"),
        ("03", "计量仪器"),
        ("04", "电子测量仪器"),
        ("05", "海洋仪器"),
        ("06", "地球探测仪器"),
        ("07", "大气探测仪器"),
        ("08", "天文仪器"),
        ("09", "医学诊断仪器"),
        ("10", "核仪器"),
        ("11", "特种检测仪器"),
        ("12", "工艺实验设备"),
        ("13", "计算机及其配套设备"),
        ("14", "激光器"),
        ("15", "其他仪器"),
    ]


def test_analysis_instrument_subcategories_in_order() -> None:
    assert [(sub.code, sub.label) for sub in INSTRUMENT_CATEGORIES[0].subcategories] == [
        ("0101", "电子光学"),
        ("0102", "质谱"),
        ("0103", "X射线"),
        ("0104", "光谱"),
        ("0105", "色谱"),
        ("0106", "波谱"),
        ("0107", "电化学"),
        ("0108", "显微镜及图象分析"),
        ("0109", "热分析"),
        ("0110", "生化分离分析"),
        ("0111", "环境与农业分析"),
        ("0112", "样品前处理及制备"),
        ("0113", "其他"),
    ]


@pytest.mark.parametrize(
    ("code", "labels"),
    [
        ("0101", ("分析仪器", "电子光学")),
        ("0106", ("分析仪器", "波谱")),
        ("0205", ("物理性能测试仪器", "颗粒度测量")),
        ("0405", ("电子测量仪器", "大规模集成电路测试")),
        ("0902", ("医学诊断仪器", "影像诊断")),
        ("1401", ("激光器", "激光器")),
        ("1501", ("其他仪器", "其他")),
    ],
)
def test_instrument_category_lookup(code: str, labels: tuple[str, str]) -> None:
    assert instrument_category(code) == labels


@pytest.mark.parametrize("code", ["0114", "0100", "1502", "1601", "01", "", "abcd"])
def test_instrument_category_unknown_codes(code: str) -> None:
    assert instrument_category(code) is None
    assert code not in INSTRUMENT_CATEGORY_CODES


def test_instrument_subcategory_codes_are_contiguous_and_end_with_other() -> None:
    for category in INSTRUMENT_CATEGORIES:
        assert [sub.code for sub in category.subcategories] == [
            f"{category.code}{index:02d}" for index in range(1, len(category.subcategories) + 1)
        ]
        assert category.subcategories[-1].label == "其他"


# --- Regions ---------------------------------------------------------------------------------------------


def test_region_examples() -> None:
    assert region_name("500107") == "九龙坡区"
    assert region_name("500106") == "沙坪坝区"
    assert region_name("500108") == "南岸区"
    assert region_name("500112") == "渝北区"
    assert region_name("510100") == "成都市"
    assert region_name("500000") == "重庆市"
    assert region_name("510000") == "四川省"
    assert region_name("500199") is None


def test_provinces_are_31_mainland_plus_taiwan_hong_kong_macao() -> None:
    assert len(PROVINCES) == 34
    assert all(re.fullmatch(r"\d{2}0000", code) for code in PROVINCES)
    assert [PROVINCES[code] for code in ("710000", "810000", "820000")] == [
        "台湾省",
        "香港特别行政区",
        "澳门特别行政区",
    ]


def test_chongqing_has_all_county_level_units() -> None:
    # 2025-11 adjustment: 25 districts, 8 counties, 4 autonomous counties, plus the two abolished codes
    units = {code: name for code, name in REGIONS.items() if code.startswith("50") and code != "500000"}
    current = {code: name for code, name in units.items() if code not in FORMER_REGIONS}
    assert len(current) == 37
    assert sum(name.endswith("区") for name in current.values()) == 25
    assert sum(name.endswith("自治县") for name in current.values()) == 4
    assert sum(name.endswith("县") and not name.endswith("自治县") for name in current.values()) == 8
    assert set(units) - set(current) == {"500105", "500112"}


def test_sichuan_has_21_prefectures_and_chengdu_has_20_units() -> None:
    prefectures = [
        code for code in REGIONS if code.startswith("51") and code.endswith("00") and code != "510000"
    ]
    assert len(prefectures) == 21
    chengdu = [code for code in REGIONS if code.startswith("5101") and code != "510100"]
    assert len(chengdu) == 20


def test_region_names_agree_with_stdnum_table() -> None:
    # Cross-check every 重庆/四川 entry with python-stdnum's copy of the GB/T 2260 table.
    table = numdb.get("cn/loc")
    for code, name in REGIONS.items():
        if not code.startswith(("50", "51")):
            continue
        info = table.info(code)
        assert len(info) == 2, code
        props = info[1][1] if code[2:] != "0000" else info[0][1]
        recorded = props.get("county", props.get("province", ""))
        assert re.sub(r"\[[\d-]*\]", "", recorded.split(",")[-1]) == name, code


def test_prefecture_count_of_other_provinces() -> None:
    # 333 prefecture-level units nationally (293 cities, 7 地区, 30 自治州, 3 盟) in the 2024 table
    prefectures = [code for code in REGIONS if code.endswith("00") and not code.endswith("0000")]
    assert len(prefectures) == 333


def test_region_path_and_successor() -> None:
    assert region_path("510107") == ("四川省", "成都市", "武侯区")
    assert region_path("500107") == ("重庆市", "九龙坡区")
    assert region_path("500000") == ("重庆市",)
    assert region_path("440300") == ("广东省", "深圳市")
    assert region_path("999999") == ()
    assert region_successor("500112") == "500157"
    assert region_successor("500105") == "500157"
    assert region_successor("500107") is None


# --- USCC positions 1-2 ----------------------------------------------------------------------------------


def test_uscc_categories_used_by_the_marketplace() -> None:
    assert (USCC_CATEGORIES["12"], USCC_CATEGORIES["52"], USCC_CATEGORIES["91"]) == (
        "事业单位",
        "民办非企业单位",
        "企业",
    )
    assert all(pair[0] in USCC_DEPARTMENTS for pair in USCC_CATEGORIES)
    assert "94" not in USCC_CATEGORIES


# --- Contracts -------------------------------------------------------------------------------------------


def test_contract_types_and_labels() -> None:
    assert CONTRACT_TYPES == {
        "development": "技术开发",
        "transfer": "技术转让",
        "license": "技术许可",
        "consulting": "技术咨询",
        "service": "技术服务",
    }


def test_contract_rule_set_by_signing_date() -> None:
    assert contract_rule_set(date(2020, 5, 1)).code == "2000"
    assert contract_rule_set(date(2026, 2, 28)).code == "2000"
    assert contract_rule_set(date(2026, 3, 1)).code == "2026"
    assert contract_rule_set(date(2031, 1, 1)).code == "2026"


def test_every_rule_set_covers_every_contract_type() -> None:
    assert [set(rule_set.types) for rule_set in CONTRACT_RULE_SETS] == [set(CONTRACT_TYPES)] * 2


def test_licence_was_registered_as_transfer_before_2026() -> None:
    assert registered_contract_type("license", date(2025, 12, 31)) == "transfer"
    assert registered_contract_type("license", date(2026, 3, 1)) == "license"
    assert registered_contract_type("service", date(2025, 12, 31)) == "service"
    assert registered_contract_type("barter", date(2026, 3, 1)) is None


def test_2026_rule_set_review_deadlines() -> None:
    rules = contract_rule_set(date(2026, 3, 1))
    assert (rules.review_days, rules.review_days_are_working_days, rules.large_contract_review_days) == (
        15,
        True,
        30,
    )
    assert rules.large_contract_threshold_fen == 500_000_000
    assert rules.types["service"].subtypes["intermediary"] == "技术中介"


# --- Labels ----------------------------------------------------------------------------------------------


def test_label_tables_cover_the_api_enumerations() -> None:
    assert set(MATURITY_LEVELS) == {"lab", "pilot", "trial", "industrial"}
    assert LISTING_TYPES == {
        "achievement": "科技成果",
        "instrument": "科研仪器",
        "expert": "专家",
        "agency": "科技服务机构",
    }
    assert set(LISTING_STATUSES) == {"draft", "pending", "published", "rejected", "archived"}
    assert set(ORG_KINDS) == {
        "enterprise",
        "university",
        "institute",
        "hospital",
        "agency",
        "government",
        "other",
    }
    assert set(IP_KINDS) == {"invention", "utility", "design", "software", "secret"}
    assert set(TRANSFER_MODES) == {"transfer", "license", "equity", "co_develop", "service"}
    assert set(PRICE_MODES) == {"fixed", "range", "negotiable"}
    assert set(AGENCY_TYPES) == {
        "testing",
        "ip",
        "tech_transfer",
        "consulting",
        "finance",
        "incubation",
        "legal",
        "design",
    }
    assert set(DEMAND_KINDS) == {
        "tech_problem",
        "challenge",
        "instrument",
        "testing",
        "consulting",
        "ip",
        "finance",
    }
    assert set(EXPERT_SERVICES) == {"consulting", "review", "training", "co_develop"}
    assert SERVICE_MODES == {"self": "自主上机", "commissioned": "送样检测/委托测试"}
    assert set(FEE_UNITS) == {"hour", "sample", "day"}
    assert set(INSTRUMENT_AVAILABILITY) == {"available", "maintenance", "retired"}


def test_maturity_labels_and_bands() -> None:
    assert MATURITY_LEVELS == {
        "lab": "实验室",
        "pilot": "小试/中试",
        "trial": "小批量/试生产",
        "industrial": "产业化",
    }
    assert set(MATURITY_TRL_BANDS) == set(MATURITY_LEVELS)
    covered = {trl for low, high in MATURITY_TRL_BANDS.values() for trl in range(low, high + 1)}
    assert covered == set(range(1, 10)) == set(TRL_LEVELS)


# --- Targets ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "target_fen"),
    [
        (2019, 50_000_000_000),
        (2020, 50_000_000_000),
        (2021, 80_000_000_000),
        (2022, 110_000_000_000),
        (2023, 140_000_000_000),
        (2024, 170_000_000_000),
        (2025, 200_000_000_000),
        (2026, 200_000_000_000),
        (2030, 200_000_000_000),
    ],
)
def test_turnover_target_by_year(year: int, target_fen: int) -> None:
    assert turnover_target_fen(year) == target_fen


def test_indicator_targets_table() -> None:
    assert [(t.code, t.target_year, t.target) for t in INDICATOR_TARGETS] == [
        ("tech_contract_turnover", 2025, 200_000_000_000),
        ("service_agencies", 2025, 100),
        ("tech_brokers", 2025, 100),
    ]
    assert (INDICATOR_TARGETS[0].baseline_year, INDICATOR_TARGETS[0].baseline) == (2020, 50_000_000_000)
