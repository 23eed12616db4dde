"""Facts typed in a query (search/facts.py, dictionary/facts.txt) and how the query matches them, without an engine."""

import json
from pathlib import Path
from typing import Any

import pytest

from search.analysis import normalise, segment
from search.facts import counts_of, field_of, find_facts, find_minimums, kind_of, load_facts
from search.queries import FIELD_BONUS, MISSING_WORD_FACTOR, TYPE_WEIGHT, text_query
from tests.unit.test_queries import find_all


@pytest.mark.parametrize(
    ("typed", "rest", "facts"),
    [
        ("有没有获得过重庆市技术发明奖的电池专家？", "有没有 的电池专家?", ["重庆市技术发明奖"]),
        ("想找主持过国家重点研发计划课题的集成电路设计专家", "想找 的集成电路设计专家", ["国家重点研发计划"]),
        ("检验科 主任技师", "检验科", ["主任技师"]),
        ("China Patent Award winning experts", "experts", ["中国专利优秀奖"]),
        ("associate chief physician oncology", "oncology", ["副主任医师"]),
        ("重庆市技术转移示范机构 成果评价", "成果评价", ["重庆市技术转移示范机构"]),
        ("缙云校区 可以自己上机的仪器", "缙云校区 的仪器", ["自主上机"]),
        # the longest alias wins: 副主任医师 is not 主任医师
        ("副主任医师 肿瘤", "肿瘤", ["副主任医师"]),
    ],
)
def test_a_fact_and_the_verb_before_it_leave_the_words(typed: str, rest: str, facts: list[str]) -> None:
    assert find_facts(normalise(typed)) == (rest, facts)


@pytest.mark.parametrize("typed", ["提高工作效率", "重庆市技术创新中心", "扫描电镜", "专利导航"])
def test_an_alias_inside_another_word_is_no_fact(typed: str) -> None:
    # 高工 (a title) sits inside 提高工作效率; 技术创新 is not the fund 技术创新与应用发展专项
    assert find_facts(normalise(typed)) == (normalise(typed), [])


def test_a_fact_is_one_word_found_whole_as_a_phrase_and_missed_whole() -> None:
    query = text_query("获得过重庆市技术发明奖的电池专家")
    phrases = [
        p
        for p in find_all(query, "match_phrase")
        if p.get("body_seg", {}).get("query") == segment("重庆市技术发明奖")
    ]
    assert phrases, "the fact is matched as a phrase of the listing's text"
    # 重庆市 / 技术 / 发明奖 are no words of their own
    words = [m for m in find_all(query, "match") if "title_seg" in m]
    assert {m["title_seg"]["query"] for m in words} == {"电池"}
    # a listing without the fact pays like one without a word, and the pinyin of the rest does not excuse it
    missing = [
        f for group in find_all(query, "functions") for f in group if f.get("weight") == MISSING_WORD_FACTOR
    ]
    assert len(missing) == 2
    fact_missing = [
        f for f in missing if "match_phrase" in f["filter"]["bool"]["must_not"][0]["dis_max"]["queries"][0]
    ]
    assert [f["filter"]["bool"]["must_not"][0]["dis_max"]["queries"][2] for f in fact_missing] == [
        {"match_phrase": {"body_seg": {"query": segment("重庆市技术发明奖"), "boost": 1.0}}}
    ]


def test_a_title_award_or_qualification_names_the_kind_that_states_it() -> None:
    def kinds(q: str) -> list[Any]:
        return [
            f["filter"]["terms"]["type"]
            for group in find_all(text_query(q), "functions")
            for f in group
            if f.get("weight") == TYPE_WEIGHT
        ]

    assert kinds("主任技师 试剂") == [["expert"]]
    assert kinds("技术转移示范机构 成果评价") == [["agency"]]
    assert kinds("自己上机 电镜") == [["instrument"]]
    assert kind_of("国家重点研发计划") == "expert"


def test_a_listing_with_every_fact_is_found_even_when_the_words_are_not_there() -> None:
    bools = find_all(text_query("有没有检验科的主任技师能帮忙评价试剂性能"), "bool")
    fact_only = [b["must"] for b in bools if list(b) == ["must"] and len(b["must"]) == 1]
    assert [must[0]["dis_max"]["queries"][0] for must in fact_only] == [
        {"match_phrase": {"title_seg": {"query": segment("主任技师"), "boost": 3.0}}}
    ], "a 主任技师 whose bio says none of the other words is still a candidate"


def test_a_query_of_only_a_fact_searches_for_it() -> None:
    query = text_query("首席科学家")
    assert [
        p
        for p in find_all(query, "match_phrase")
        if p.get("title_seg", {}).get("query") == segment("首席科学家")
    ]


def test_a_word_naming_a_field_also_finds_and_lifts_listings_filed_under_it() -> None:
    assert field_of("人工智能") == "ai"
    assert field_of("电池") is None
    query = text_query("人工智能专家")
    filed = [t for t in find_all(query, "term") if "fields" in t]
    assert filed == [{"fields": "ai"}]
    bonus = [c for c in find_all(query, "constant_score") if "terms" in c["filter"]]
    assert bonus == [{"filter": {"terms": {"fields": ["ai"]}}, "boost": FIELD_BONUS}]
    assert not [c for c in find_all(text_query("电池专家"), "constant_score") if "terms" in c["filter"]]


def test_the_file_format_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "facts.txt"
    path.write_text(
        "lead: 曾获\nkind: expert\n测试奖 => test award, 测奖\nfield ai => 人工智能\n", encoding="utf-8"
    )
    facts = load_facts(path)
    assert facts.aliases == {"测试奖": "测试奖", "test award": "测试奖", "测奖": "测试奖"}
    assert facts.kinds == {"测试奖": "expert"}
    assert facts.fields == {"人工智能": "ai"}
    assert facts.leads == ("曾获",)
    path.write_text("只有左边\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"facts\.txt:1"):
        load_facts(path)


@pytest.mark.parametrize(
    ("typed", "rest", "minimums"),
    [
        ("想找授权发明专利30项以上的新材料专家", "想找 的新材料专家", [("counts.patents", 30, "expert")]),
        (
            "近三年累计服务企业1500家次以上的专利代理机构",
            "的专利代理机构",
            [("counts.served", 1500, "agency")],
        ),
        ("检测机构 专业服务人员100名以上", "检测机构", [("counts.staff", 100, "agency")]),
        ("TRL7 以上 芯片封装 技术转让", "芯片封装 技术转让", [("trl", 7, "achievement")]),
        ("授權發明專利 35項以上 人工智慧 專家", "人工智能 专家", [("counts.patents", 35, "expert")]),
    ],
)
def test_a_minimum_typed_in_the_query_is_read_and_left_out_of_the_words(
    typed: str, rest: str, minimums: list[tuple[str, int, str]]
) -> None:
    left, found = find_minimums(normalise(typed))
    assert left == rest
    assert [(m.field, m.least, m.kind) for m in found] == minimums


@pytest.mark.parametrize("typed", ["专利导航", "发明专利申请代理 3项", "论文写作", "500项目"])
def test_a_number_without_a_floor_is_no_minimum(typed: str) -> None:
    assert find_minimums(typed) == (typed, [])


def test_a_listing_states_its_numbers_for_the_engine() -> None:
    bio = "主持重庆市自然科学基金项目等科研项目15项，发表论文92篇，授权发明专利31项。"
    assert counts_of(bio) == {"projects": 15, "papers": 92, "patents": 31}
    agency = "拥有专业服务人员15名，…近三年累计服务企业1479家次。"
    assert counts_of(agency) == {"staff": 15, "served": 1479}
    assert counts_of("无数字") == {}


def test_a_minimum_is_a_range_the_listing_meets_or_misses_like_a_word() -> None:
    query = text_query("授权发明专利30项以上的新材料专家")
    ranges = [r for r in find_all(query, "range") if "counts.patents" in r]
    # once to score (and to be found by it alone), once as the missed-word factor
    assert ranges
    assert all(r == {"counts.patents": {"gte": 30}} for r in ranges)
    missing = [
        f for group in find_all(query, "functions") for f in group if f.get("weight") == MISSING_WORD_FACTOR
    ]
    assert any("counts.patents" in json.dumps(f) for f in missing)


def test_an_absurd_number_is_neither_a_minimum_nor_a_count_the_engine_cannot_hold() -> None:
    # a searcher typing 40 nines, or a provider's bio claiming them, must not fail the search or the indexing
    typed = "授权发明专利" + "9" * 40 + "项以上 电池"
    assert find_minimums(typed) == (typed, [])
    assert counts_of("授权发明专利" + "9" * 40 + "项，发表论文12篇。") == {"papers": 12}
    assert counts_of("授权发明专利999999999项") == {"patents": 999_999_999}
