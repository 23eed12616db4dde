"""Behaviour of the reference data: lookups, the rules over the tables, and their agreement with each other.

The tables themselves are data (docs/domain.md says where each comes from); these tests check what the code
does with them, plus the invariants a wrong edit would break, not their every row.
"""

import re
from datetime import date
from enum import StrEnum

import pytest
from stdnum import numdb

from services.reference import vocabulary
from services.reference.categories import (
    INSTRUMENT_CATEGORIES,
    INSTRUMENT_CATEGORY_CODES,
    instrument_category,
)
from services.reference.contracts import (
    CONTRACT_RULE_SETS,
    contract_rule_set,
    registered_contract_type,
    usual_contract_type,
)
from services.reference.fields import (
    KEY_TECH_FIELD_CODES,
    NATIONAL_FIELDS,
    TECH_FIELD_CODES,
    TECH_FIELDS,
    field_label,
    national_field_for,
    tech_field,
)
from services.reference.identifiers import USCC_CATEGORIES, USCC_DEPARTMENTS, uscc_problem
from services.reference.maturity import MATURITY_TRL_BANDS, TRL_LEVELS, maturity_trl_problem
from services.reference.regions import (
    FORMER_REGIONS,
    PROVINCES,
    REGIONS,
    region_name,
    region_path,
    region_successor,
)
from services.reference.targets import (
    TURNOVER_BASELINE_FEN,
    TURNOVER_BASELINE_YEAR,
    TURNOVER_TARGET_FEN,
    TURNOVER_TARGET_YEAR,
    turnover_target_fen,
)
from services.reference.vocabulary import ContractType, Maturity

# --- Technology fields -----------------------------------------------------------------------------------


def test_every_field_code_looks_up_to_itself_and_to_a_national_field() -> None:
    national_codes = {field.code for field in NATIONAL_FIELDS}
    for code in TECH_FIELD_CODES:
        found = tech_field(code)
        assert found is not None
        assert found.code == code
        assert field_label(code) == found.label
        national = national_field_for(code)
        assert national is not None
        assert national.code in national_codes


def test_unknown_field_codes_have_no_field_and_label_as_themselves() -> None:
    assert tech_field("blockchain") is None
    assert national_field_for("blockchain") is None
    assert field_label("blockchain") == "blockchain"


def test_key_fields_lead_the_table_and_the_statistics_fields_are_known() -> None:
    # The eleven key fields of the zone's plan come first, so pickers can show them before the rest.
    assert len(KEY_TECH_FIELD_CODES) == 11
    assert tuple(field.code for field in TECH_FIELDS[:11]) == KEY_TECH_FIELD_CODES
    assert not any(field.key for field in TECH_FIELDS[11:])
    ic, space = national_field_for("ic"), national_field_for("space")
    assert ic is not None
    assert space is not None
    assert (ic.label, space.label) == ("电子信息技术", "航空航天技术")


# --- Instruments -----------------------------------------------------------------------------------------


def test_every_category_code_looks_up_its_category_and_subcategory() -> None:
    for category in INSTRUMENT_CATEGORIES:
        for sub in category.subcategories:
            assert sub.code in INSTRUMENT_CATEGORY_CODES
            assert instrument_category(sub.code) == (category.label, sub.label)
    assert instrument_category("0101") == ("分析仪器", "电子光学")


@pytest.mark.parametrize("code", ["0114", "0100", "1502", "1601", "01", "", "abcd"])
def test_instrument_category_unknown_codes(code: str) -> None:
    assert instrument_category(code) is None
    assert code not in INSTRUMENT_CATEGORY_CODES


def test_instrument_codes_are_positions_so_the_table_only_grows_at_the_end() -> None:
    # Codes are positions: inserting an entry would renumber stored codes.
    assert [category.code for category in INSTRUMENT_CATEGORIES] == [
        f"{index:02d}" for index in range(1, len(INSTRUMENT_CATEGORIES) + 1)
    ]
    for category in INSTRUMENT_CATEGORIES:
        assert [sub.code for sub in category.subcategories] == [
            f"{category.code}{index:02d}" for index in range(1, len(category.subcategories) + 1)
        ]
        assert category.subcategories[-1].label == "其他"


# --- Regions ---------------------------------------------------------------------------------------------


def test_region_lookups_of_the_zone() -> None:
    assert region_name("500107") == "九龙坡区"
    assert region_name("510100") == "成都市"
    assert region_name("500199") is None


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


def test_every_region_has_a_path_from_its_province() -> None:
    for code in REGIONS:
        path = region_path(code)
        assert path[0] == PROVINCES[code[:2] + "0000"]
        assert path[-1] == REGIONS[code]
    assert region_path("510107") == ("四川省", "成都市", "武侯区")
    assert region_path("500107") == ("重庆市", "九龙坡区")
    assert region_path("999999") == ()


def test_abolished_codes_stay_valid_and_name_their_successor() -> None:
    for old, new in FORMER_REGIONS.items():
        assert old in REGIONS
        assert new in REGIONS
        assert region_successor(old) == new
        assert region_successor(new) is None
    assert region_successor("500107") is None


# --- USCC positions 1-2 ----------------------------------------------------------------------------------


def test_every_uscc_category_belongs_to_a_department_and_passes_the_check() -> None:
    assert all(pair[0] in USCC_DEPARTMENTS for pair in USCC_CATEGORIES)
    assert uscc_problem("91440300708461136T") is None  # docs/domain.md's example
    # A well-formed code with an unknown category is refused by the category, not the check character.
    problem = uscc_problem("94440300708461136T")
    assert problem is not None
    assert "1–2" in problem


# --- Contracts -------------------------------------------------------------------------------------------


def test_contract_rule_set_by_signing_date() -> None:
    assert contract_rule_set(date(2020, 5, 1)).code == "2000"
    assert contract_rule_set(date(2026, 2, 28)).code == "2000"
    assert contract_rule_set(date(2026, 3, 1)).code == "2026"
    assert contract_rule_set(date(2031, 1, 1)).code == "2026"


def test_every_rule_set_registers_every_contract_type() -> None:
    for rule_set in CONTRACT_RULE_SETS:
        assert set(rule_set.types) == set(ContractType)
        for contract_type in ContractType:
            assert registered_contract_type(
                contract_type, rule_set.effective_from or date(2001, 1, 1)
            ) in set(ContractType)


def test_a_deal_over_each_kind_of_supply_starts_from_a_contract_type_of_ours() -> None:
    assert usual_contract_type("achievement") == ContractType.LICENSE
    assert usual_contract_type("expert") == ContractType.CONSULTING
    assert usual_contract_type("instrument") == ContractType.SERVICE
    assert usual_contract_type("agency") == ContractType.SERVICE
    assert usual_contract_type("unknown") == ContractType.SERVICE


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


# --- Vocabularies ----------------------------------------------------------------------------------------


def _vocabularies() -> list[tuple[type[StrEnum], dict[str, str]]]:
    pairs = []
    for name, value in vars(vocabulary).items():
        if (
            isinstance(value, type)
            and issubclass(value, vocabulary.Vocabulary)
            and value is not vocabulary.Vocabulary
        ):
            labels_name = re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper() + "_LABELS"
            pairs.append((value, dict(getattr(vocabulary, labels_name))))
    return pairs


def test_every_vocabulary_labels_each_of_its_values_once() -> None:
    pairs = _vocabularies()
    assert len(pairs) >= 15
    for enum, labels in pairs:
        assert set(labels) == set(enum), enum.__name__
        assert all(label.strip() for label in labels.values()), enum.__name__


def test_a_label_is_found_by_the_plain_value_too() -> None:
    # Rows and query strings carry plain values; the label maps are keyed by the enum members.
    assert (
        vocabulary.LISTING_TYPE_LABELS["instrument"]
        == vocabulary.LISTING_TYPE_LABELS[vocabulary.ListingType.INSTRUMENT]
    )


# --- Maturity --------------------------------------------------------------------------------------------


def test_maturity_bands_cover_every_trl_and_every_label() -> None:
    assert set(MATURITY_TRL_BANDS) == set(Maturity)
    covered = {trl for low, high in MATURITY_TRL_BANDS.values() for trl in range(low, high + 1)}
    assert covered == set(range(1, 10)) == set(TRL_LEVELS)


def test_maturity_and_trl_must_overlap() -> None:
    for maturity, (low, high) in MATURITY_TRL_BANDS.items():
        assert maturity_trl_problem(maturity, low) is None
        assert maturity_trl_problem(maturity, high) is None
    assert maturity_trl_problem("lab", 9) is not None
    assert maturity_trl_problem("industrial", 1) is not None
    assert maturity_trl_problem("lab", 10) is not None
    assert maturity_trl_problem("space-age", 5) is not None


# --- Targets ---------------------------------------------------------------------------------------------


def test_turnover_target_holds_before_and_after_the_plan() -> None:
    assert turnover_target_fen(TURNOVER_BASELINE_YEAR - 1) == TURNOVER_BASELINE_FEN
    assert turnover_target_fen(TURNOVER_BASELINE_YEAR) == TURNOVER_BASELINE_FEN
    assert turnover_target_fen(TURNOVER_TARGET_YEAR) == TURNOVER_TARGET_FEN
    assert turnover_target_fen(TURNOVER_TARGET_YEAR + 5) == TURNOVER_TARGET_FEN


def test_turnover_target_rises_in_equal_steps_between_baseline_and_target() -> None:
    years = range(TURNOVER_BASELINE_YEAR, TURNOVER_TARGET_YEAR + 1)
    steps = {turnover_target_fen(year + 1) - turnover_target_fen(year) for year in years[:-1]}
    assert len(steps) == 1
    assert steps.pop() > 0
    assert turnover_target_fen(2022) == 110_000_000_000  # 5 亿 → 20 亿 over five years: 11 亿 in 2022
