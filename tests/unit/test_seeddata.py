"""Tests of the demo/benchmark data generator (devdata/generator.py).

The identifier checks are re-implemented here from docs/domain.md §2 rather than imported, so a mistake in the
generator's own check-character code cannot hide itself.
"""

import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from devdata.generator import (
    FIELD_CODES,
    DemandSeed,
    ListingSeed,
    OrgSeed,
    generate_demands,
    generate_listings,
    generate_orgs,
)
from services.catalog.schemas import CREATE_SCHEMAS
from services.demand.schemas import DemandCreate
from services.reference.categories import INSTRUMENT_CATEGORY_CODES
from services.reference.maturity import MATURITY_TRL_BANDS, maturity_trl_problem
from services.reference.vocabulary import ListingType

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
PATENT_RE = re.compile(r"^(\d{4})([123])(\d{7})\.([0-9X])$")
SOFTWARE_RE = re.compile(r"^(20\d\d)SR\d{7}$")


def uscc_is_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_CHARSET for c in code):
        return False
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31] == code[17]


def patent_is_valid(number: str) -> bool:
    match = PATENT_RE.match(number)
    if match is None:
        return False
    digits = number[:12]
    remainder = sum(int(d) * w for d, w in zip(digits, PATENT_WEIGHTS, strict=True)) % 11
    return ("X" if remainder == 10 else str(remainder)) == number[-1]


@pytest.fixture(scope="module")
def orgs() -> list[OrgSeed]:
    return generate_orgs(random.Random(20260301))


@pytest.fixture(scope="module")
def listings(orgs: list[OrgSeed]) -> list[ListingSeed]:
    return list(generate_listings(random.Random(11), scale=5_000, orgs=orgs))


@pytest.fixture(scope="module")
def demands(orgs: list[OrgSeed]) -> list[DemandSeed]:
    return list(generate_demands(random.Random(12), count=1_000, orgs=orgs))


def of_type(listings: list[ListingSeed], kind: str) -> list[dict[str, Any]]:
    return [item.payload for item in listings if item.type == kind]


def fen_values(value: object, key: str = "") -> Iterator[tuple[str, object]]:
    """Every (key, value) whose key ends in _fen, at any depth."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k.endswith("_fen"):
                yield k, v
            yield from fen_values(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from fen_values(item, key)


# --- Identifier checks used by the tests themselves -------------------------------------------------------


def test_reference_check_implementations_accept_known_examples() -> None:
    assert uscc_is_valid("91440300708461136T")  # docs/domain.md's example
    assert not uscc_is_valid("91440300708461136U")
    assert patent_is_valid("202110123456.7")  # docs/domain.md's example
    assert not patent_is_valid("202110123456.8")


# --- Organisations ----------------------------------------------------------------------------------------


def test_orgs_include_the_zone_institutions(orgs: list[OrgSeed]) -> None:
    names = {org.name for org in orgs}
    for expected in (
        "重庆大学", "重庆医科大学", "西南大学", "重庆邮电大学", "重庆交通大学", "重庆师范大学",
        "重庆理工大学", "重庆工商大学", "四川美术学院", "陆军军医大学", "中国科学院重庆绿色智能技术研究院",
        "重庆市计量质量检测研究院", "北京理工大学重庆创新中心", "电子科技大学", "四川大学", "西南交通大学",
        "重庆医科大学附属第一医院", "重庆科学城知识产权运营中心",
    ):  # fmt: skip
        assert expected in names
    assert any(name.startswith("中国汽车工程研究院") for name in names)
    kinds = Counter(org.kind for org in orgs)
    assert kinds["enterprise"] >= 25
    assert kinds["agency"] >= 10
    assert kinds["hospital"] >= 3
    assert set(kinds) <= {
        "enterprise",
        "university",
        "institute",
        "hospital",
        "agency",
        "government",
        "other",
    }


def test_org_keys_and_names_unique(orgs: list[OrgSeed]) -> None:
    assert len({org.key for org in orgs}) == len(orgs)
    assert len({org.name for org in orgs}) == len(orgs)
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", org.key) for org in orgs)


def test_every_uscc_passes_its_check_and_matches_kind_and_region(orgs: list[OrgSeed]) -> None:
    extra = generate_orgs(random.Random(5), extra_enterprises=200)
    for org in [*orgs, *extra]:
        assert uscc_is_valid(org.uscc), org
        assert org.uscc[2:8] == org.region
        assert re.fullmatch(r"\d{6}", org.region)
        if org.kind in ("university", "hospital"):
            assert org.uscc.startswith("12"), org
        if org.kind == "enterprise":
            assert org.uscc.startswith("91"), org
    assert len({org.uscc for org in extra}) == len(extra)


def test_named_orgs_do_not_depend_on_the_seed() -> None:
    assert generate_orgs(random.Random(1)) == generate_orgs(random.Random(2))


def test_extra_enterprises_are_deterministic() -> None:
    first = generate_orgs(random.Random(9), extra_enterprises=50)
    second = generate_orgs(random.Random(9), extra_enterprises=50)
    assert first == second
    assert sum(1 for org in first if org.key.startswith("ent-x")) == 50


# --- Listings: shape, counts, determinism -----------------------------------------------------------------


def test_same_seed_gives_byte_identical_output(orgs: list[OrgSeed]) -> None:
    def dump(seed: int) -> str:
        rows = generate_listings(random.Random(seed), scale=2_000, orgs=orgs)
        return "\n".join(
            json.dumps([r.type, r.org_key, r.external_ref, r.payload], ensure_ascii=False) for r in rows
        )

    assert dump(3) == dump(3)
    assert dump(3) != dump(4)


def test_a_smaller_scale_is_a_prefix_of_a_larger_one(orgs: list[OrgSeed]) -> None:
    small = list(generate_listings(random.Random(8), scale=50, orgs=orgs))
    large = list(generate_listings(random.Random(8), scale=500, orgs=orgs))
    assert large[:50] == small


def test_generator_is_lazy(orgs: list[OrgSeed]) -> None:
    assert isinstance(generate_listings(random.Random(1), scale=10, orgs=orgs), Iterator)
    assert isinstance(generate_demands(random.Random(1), count=10, orgs=orgs), Iterator)


@pytest.mark.parametrize("scale", [0, 1, 50, 53, 1_000])
def test_scale_is_the_total_and_proportions_hold(orgs: list[OrgSeed], scale: int) -> None:
    counts = Counter(item.type for item in generate_listings(random.Random(1), scale=scale, orgs=orgs))
    assert sum(counts.values()) == scale
    if scale % 10 == 0:
        assert counts == Counter(
            {k: v for k, v in {"achievement": scale * 4 // 10, "expert": scale * 3 // 10,
                               "instrument": scale * 2 // 10, "agency": scale // 10}.items() if v}
        )  # fmt: skip


def test_payloads_fill_every_field_of_the_create_schema(listings: list[ListingSeed]) -> None:
    # The demo data shows every field the API has; external_ref travels on the seed, not in the payload.
    for item in listings:
        fields = set(CREATE_SCHEMAS[ListingType(item.type)].model_fields) - {"external_ref"}
        assert set(item.payload) == fields, item.type


def test_external_refs_unique_and_orgs_known(orgs: list[OrgSeed], listings: list[ListingSeed]) -> None:
    keys = {org.key for org in orgs}
    assert len({item.external_ref for item in listings}) == len(listings)
    assert all(item.org_key in keys for item in listings)


def test_common_fields(listings: list[ListingSeed]) -> None:
    for item in listings:
        payload = item.payload
        heading = payload["name"] if item.type == "expert" else payload["title"]
        assert heading.strip()
        assert payload["fields"]
        assert set(payload["fields"]) <= set(FIELD_CODES)
        assert len(set(payload["fields"])) == len(payload["fields"])
        assert payload["keywords"]
        assert len(payload["keywords"]) == len(set(payload["keywords"]))
        assert len(payload["keywords"]) <= 30
        assert re.fullmatch(r"\d{6}", payload["region"])
        assert payload["summary"]
        assert payload["description"]


def test_money_is_integer_fen(listings: list[ListingSeed], demands: list[DemandSeed]) -> None:
    seen = 0
    for payload in [*(i.payload for i in listings), *(d.payload for d in demands)]:
        for key, value in fen_values(payload):
            assert value is None or (type(value) is int and value >= 0), (key, value)
            seen += 1
    assert seen > 10_000


# --- Achievements -----------------------------------------------------------------------------------------


def test_achievement_maturity_and_trl_consistent(listings: list[ListingSeed]) -> None:
    achievements = of_type(listings, "achievement")
    assert {a["maturity"] for a in achievements} == set(MATURITY_TRL_BANDS)
    for a in achievements:
        assert maturity_trl_problem(a["maturity"], a["trl"]) is None, (a["maturity"], a["trl"])


def test_patent_numbers_pass_their_check(listings: list[ListingSeed]) -> None:
    kinds: Counter[str] = Counter()
    for a in of_type(listings, "achievement"):
        for right in a["ip"]:
            kinds[right["kind"]] += 1
            number = right["number"]
            if right["kind"] == "secret":
                assert number is None
            elif right["kind"] == "software":
                assert SOFTWARE_RE.match(number), number
            else:
                assert patent_is_valid(number), number
                assert number[4] == {"invention": "1", "utility": "2", "design": "3"}[right["kind"]]
    assert set(kinds) == {"invention", "utility", "design", "software", "secret"}


def test_achievement_price_modes_and_transfer_modes(listings: list[ListingSeed]) -> None:
    modes: Counter[str] = Counter()
    for a in of_type(listings, "achievement"):
        price = a["price"]
        modes[price["mode"]] += 1
        if price["mode"] == "negotiable":
            assert price["min_fen"] is None
            assert price["max_fen"] is None
        elif price["mode"] == "fixed":
            assert price["min_fen"] == price["max_fen"] > 0
        else:
            assert 0 < price["min_fen"] <= price["max_fen"]
        assert a["transfer_modes"]
        assert set(a["transfer_modes"]) <= {"transfer", "license", "equity", "co_develop", "service"}
        assert a["inventors"]
        assert all(2 <= len(name) <= 4 for name in a["inventors"])
    assert set(modes) == {"fixed", "range", "negotiable"}


def test_search_vocabulary_has_synonyms(listings: list[ListingSeed]) -> None:
    keywords = {k for item in listings for k in item.payload["keywords"]}
    for word in (
        "AI",
        "人工智能",
        "芯片",
        "集成电路",
        "SEM",
        "扫描电镜",
        "NMR",
        "核磁共振",
        "锂电",
        "锂离子电池",
    ):
        assert word in keywords, word


# --- Instruments ------------------------------------------------------------------------------------------


def test_instrument_categories_are_national_codes(listings: list[ListingSeed]) -> None:
    instruments = of_type(listings, "instrument")
    for i in instruments:
        code = i["category"]
        assert re.fullmatch(r"\d{4}", code)
        assert 1 <= int(code[:2]) <= 15
        assert int(code[2:]) >= 1
    assert {i["category"] for i in instruments} <= INSTRUMENT_CATEGORY_CODES


def test_instrument_values_fees_and_booking(listings: list[ListingSeed]) -> None:
    instruments = of_type(listings, "instrument")
    big = sum(1 for i in instruments if i["original_value_fen"] >= 50_000_000)
    assert big / len(instruments) >= 0.9
    availability = Counter(i["availability"] for i in instruments)
    assert availability["available"] > availability["maintenance"] > 0
    for i in instruments:
        assert i["name"] in i["title"]
        assert i["model"]
        assert i["manufacturer"]
        assert i["service_modes"]
        assert set(i["service_modes"]) <= {"self", "commissioned"}
        assert i["fees"]
        assert all(f["unit"] in ("hour", "sample", "day") and f["price_fen"] > 0 for f in i["fees"])
        assert set(i["location"]) == {"campus", "building", "room"}
        booking = i["booking"]
        assert booking["min_notice_hours"] >= 0
        assert booking["max_hours"] >= 1
        assert isinstance(booking["needs_training"], bool)
        if booking["needs_training"]:
            assert "self" in i["service_modes"]


def test_sem_is_priced_realistically(listings: list[ListingSeed]) -> None:
    sems = [
        i
        for i in of_type(listings, "instrument")
        if i["category"] == "0101" and "扫描电子显微镜" in i["name"]
    ]
    assert sems
    for sem in sems:
        assert 3_000_000_00 <= sem["original_value_fen"] <= 25_000_000_00
        hourly = [f["price_fen"] for f in sem["fees"] if f["unit"] == "hour"]
        assert all(300_00 <= fee <= 1_800_00 for fee in hourly)


# --- Experts ----------------------------------------------------------------------------------------------


def test_expert_contact_and_consent(listings: list[ListingSeed]) -> None:
    experts = of_type(listings, "expert")
    emails = [e["contact"]["email"] for e in experts]
    assert all(email.endswith("@example.cn") for email in emails)
    assert len(set(emails)) == len(emails)
    for e in experts:
        assert re.fullmatch(r"1[358]\d{9}", e["contact"]["phone"])
        assert isinstance(e["consent"]["publish"], bool)
        assert isinstance(e["consent"]["contact"], bool)
        assert e["services"]
        assert set(e["services"]) <= {"consulting", "review", "training", "co_develop"}
        assert e["rate_fen_per_hour"] > 0
        assert e["institution"]
        assert e["bio"].startswith(e["name"])
    assert sum(e["consent"]["publish"] for e in experts) / len(experts) > 0.9


# --- Agencies ---------------------------------------------------------------------------------------------


def test_agencies(listings: list[ListingSeed]) -> None:
    allowed = {"testing", "ip", "tech_transfer", "consulting", "finance", "incubation", "legal", "design"}
    for a in of_type(listings, "agency"):
        assert a["title"] == a["name"]
        assert a["agency_types"]
        assert set(a["agency_types"]) <= allowed
        assert a["qualifications"]
        assert a["offerings"]
        for offering in a["offerings"]:
            price = offering["price"]
            assert offering["name"]
            assert price["mode"] in ("fixed", "range", "negotiable")
            if price["mode"] != "negotiable":
                assert price["min_fen"] <= price["max_fen"]


# --- Demands ----------------------------------------------------------------------------------------------


def test_demands(orgs: list[OrgSeed], demands: list[DemandSeed]) -> None:
    by_key = {org.key: org for org in orgs}
    kinds = Counter(d.payload["kind"] for d in demands)
    assert set(kinds) == {"tech_problem", "challenge", "instrument", "testing", "consulting", "ip", "finance"}
    assert sum(1 for d in demands if by_key[d.org_key].kind == "enterprise") / len(demands) > 0.7
    assert len({d.external_ref for d in demands}) == len(demands)
    for d in demands:
        payload = d.payload
        # Only fields of the API, and every required one (newer optional fields may stay unset).
        assert set(payload) <= set(DemandCreate.model_fields)
        assert {name for name, info in DemandCreate.model_fields.items() if info.is_required()} <= set(
            payload
        )
        assert payload["fields"]
        assert set(payload["fields"]) <= set(FIELD_CODES)
        assert 0 <= payload["budget"]["min_fen"] <= payload["budget"]["max_fen"]
        assert date.fromisoformat(payload["deadline"]) > date(2026, 1, 1)
        assert payload["region"] == by_key[d.org_key].region
    assert any(d.payload["title"].startswith("揭榜挂帅：") for d in demands)


def test_demands_are_deterministic(orgs: list[OrgSeed]) -> None:
    first = list(generate_demands(random.Random(4), count=300, orgs=orgs))
    assert first == list(generate_demands(random.Random(4), count=300, orgs=orgs))


def test_empty_org_list_is_refused() -> None:
    with pytest.raises(ValueError, match="organisation"):
        list(generate_listings(random.Random(1), scale=5, orgs=[]))


# --- Against the API's own validation --------------------------------------------------------------------


def test_payloads_pass_the_api_create_schemas(listings: list[ListingSeed], demands: list[DemandSeed]) -> None:
    for item in listings:
        CREATE_SCHEMAS[ListingType(item.type)].model_validate(item.payload)
    for d in demands:
        DemandCreate.model_validate(d.payload)


# --- Scale ------------------------------------------------------------------------------------------------


def test_scale_200k_generates(orgs: list[OrgSeed]) -> None:
    counts: Counter[str] = Counter()
    experts_in_first_100k = 0
    for index, item in enumerate(generate_listings(random.Random(2026), scale=200_000, orgs=orgs)):
        counts[item.type] += 1
        if index < 100_000 and item.type == "expert":
            experts_in_first_100k += 1
    assert sum(counts.values()) == 200_000
    assert counts == {"achievement": 80_000, "expert": 60_000, "instrument": 40_000, "agency": 20_000}
    assert experts_in_first_100k >= 30_000


def test_worked_history_stages_are_pipeline_stages_and_better_ranked_matches_get_further() -> None:
    from devdata.histories import stage_of
    from services.reference.vocabulary import CloseReason, MatchStatus

    rng = random.Random(3)
    top = [stage_of(rng, 0) for _ in range(2000)]
    tail = [stage_of(rng, 10) for _ in range(2000)]

    for status, reason in top + tail:
        assert status in set(MatchStatus)
        assert (reason is not None) == (status in ("lost", "dismissed"))
        assert reason is None or reason in set(CloseReason)
    advanced = ("won", "negotiating")
    assert sum(s in advanced for s, _ in top) > 3 * sum(s in advanced for s, _ in tail)
    assert sum(s == "won" for s, _ in top) > 0
