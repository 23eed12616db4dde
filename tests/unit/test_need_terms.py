"""Everyday wording of a need reaches the supply side's words, in the retrieval query only."""

import pytest

from matching.candidates import demand_facts
from matching.features import CandidateFacts, compute
from matching.vocabulary import expansion, need_terms, parse_need_terms
from search.analysis import segment
from search.queries import TIE_MARGIN, build_match_candidates, match_words


def test_the_shipped_need_terms_parse_and_every_word_segments_to_itself_or_its_parts():
    # given the shipped file
    rules = need_terms()

    # then it has rules, and each added word is something the analyser can match
    assert len(rules) >= 20
    for phrases, words in rules:
        assert phrases
        assert words
        for word in words:
            assert segment(word).split(), word


def test_a_colloquial_need_gains_the_technical_words():
    # when an enterprise asks to see inside a casting without cutting it
    added = expansion("压铸壳体想找设备透视看内部气孔，又不想把件切开")

    # then the words instrument listings use are added, once each
    assert added.split()[:3] == ["无损检测", "工业ct", "内部缺陷"]
    assert len(added.split()) == len(set(added.split()))


def test_a_technical_need_gains_nothing():
    assert expansion("扫描电镜断口形貌观察与能谱分析") == ""


def test_a_malformed_line_is_refused_with_its_line_number():
    with pytest.raises(ValueError, match="line 2"):
        parse_need_terms("# comment\n透视 无损检测\n")


def test_added_words_are_searched_but_never_named_as_a_shared_keyword():
    # given a demand in everyday words and an industrial CT listing
    facts = demand_facts({"title": "铸件透视看内部", "kind": "testing", "fields": ["manufacturing"]})
    ct = CandidateFacts(
        id=1,
        type="instrument",
        title="工业CT",
        fields=("manufacturing",),
        words=frozenset({"工业", "ct", "无损检测"}),
        price_min_fen=None,
        price_max_fen=None,
        region=None,
        maturity=None,
        relevance=1.0,
    )

    # then retrieval searches for 无损检测, but the reason does not claim the demand said it
    assert "无损检测" in facts.expansion
    assert "无损检测" not in compute(facts, ct, 1.0).facts["words"]


def test_match_words_leave_out_numbers_and_deal_words_but_keep_the_need():
    # a 300 mm part must not find a 300元/小时 fee; 最好两周内出结果 says nothing about the need
    words = match_words("壳体大约300×250mm，需要工业CT检测，最好两周内出结果，预算别太高")
    assert "300" not in words
    assert "两周" not in words
    assert "预算" not in words
    assert {"壳体", "工业", "ct"} <= set(words)
    # and the query asks for the supply types wanted, each type's best in its own bucket
    query = build_match_candidates("工业CT检测", ["manufacturing"], ["instrument", "agency"], 40)
    assert {"terms": {"type": ["instrument", "agency"]}} in query["query"]["bool"]["must"][0]["bool"][
        "filter"
    ]
    # (with a margin beyond the 40, so ties at the edge can go to the most recently published)
    assert query["aggs"]["by_type"]["aggs"]["best"]["top_hits"]["size"] == 40 + TIE_MARGIN


@pytest.mark.parametrize(
    ("need", "supply_word"),
    [
        ("收购的大米镉超标，想知道每批到底含多少", "icp-ms"),
        ("想查瓶装水里有没有微塑料", "拉曼"),
        ("豆奶放一段时间底部有沉淀", "激光粒度"),
        ("沼气里甲烷和二氧化碳各占多少", "气相色谱"),
    ],
)
def test_a_symptom_or_product_named_in_everyday_words_gains_the_method_that_answers_it(
    need: str, supply_word: str
) -> None:
    # when an enterprise describes what it sees or sells, not the method
    added = expansion(need).split()

    # then the retrieval query carries the method the instrument listings name
    assert supply_word in added


def test_added_words_are_matched_whole_never_by_their_bigrams():
    # when a demand in everyday words is searched with the supply words it stands for
    body = build_match_candidates("压铸壳体透视看内部", [], ["instrument"], 40, extra="无损检测 工业ct 壳体")
    clauses = body["query"]["bool"]["should"]

    # then the added words join the demand's words once each, in the whole-word clause
    whole = clauses[0]["multi_match"]["query"].split()
    assert {"无损检测", "工业ct"} <= set(whole)
    assert whole.count("壳体") == 1
    # and the costly bigram clause carries only what the demand itself wrote
    for clause in clauses[1:]:
        assert "无损检测" not in clause["multi_match"]["query"]
