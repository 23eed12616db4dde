"""The engine request bodies built from search parameters (search/queries.py), without an engine."""

import json
from typing import Any

import pytest

from search.analysis import normalise, segment
from search.queries import (
    ANCHOR_BOOST,
    MAINTENANCE_FACTOR,
    MAX_QUERY_WORDS,
    MISSING_WORD_FACTOR,
    PINYIN_WORDS_BOOST,
    SAME_MODEL,
    TRANSLATION_FACTOR,
    SearchParams,
    build_search,
    build_suggest,
    text_query,
)


def find_all(node: Any, key: str) -> list[Any]:
    """Every value stored under ``key`` anywhere in a nested body."""
    found: list[Any] = []
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key:
                found.append(value)
            found.extend(find_all(value, key))
    elif isinstance(node, list):
        for item in node:
            found.extend(find_all(item, key))
    return found


def core(query: dict[str, Any]) -> dict[str, Any]:
    """The bool query inside the score factors (kind named, missing words, maintenance)."""
    while "function_score" in query:
        query = query["function_score"]["query"]
    return query


def word_clauses(query: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-word clauses of a text query (one dis_max per meaningful word)."""
    ways_in = core(query)["bool"]["must"][0]["bool"]["should"]
    return next(way for way in ways_in if "bool" in way)["bool"]["should"]  # type: ignore[no-any-return]


def words_of(query: dict[str, Any]) -> list[str]:
    return [clause["dis_max"]["queries"][0]["match"]["title_seg"]["query"] for clause in word_clauses(query)]


def test_search_without_text_filters_published_and_returns_facets_highlights_and_first_page() -> None:
    # given no text and default paging
    body = build_search(SearchParams())

    # then everything published matches, newest first within equal scores, with the four facets
    assert body["size"] == 20
    assert body["from"] == 0
    assert body["track_total_hits"] is True
    assert body["_source"] == ["display"]
    assert set(body["aggs"]) == {"type", "field", "region", "maturity"}
    assert set(body["highlight"]["fields"]) == {"title", "body"}
    assert body["sort"] == [
        "_score",
        {"published_at": {"order": "desc", "missing": "_last"}},
        {"id": "desc"},
    ]
    assert "search_after" not in body


def test_search_with_text_scores_the_text_inside_the_filters() -> None:
    body = build_search(SearchParams(q="扫描电镜", types=("instrument",)))

    assert body["query"]["bool"]["must"] == [text_query("扫描电镜")]


def test_facet_selections_leave_the_scoring_query_alone() -> None:
    # given a text query with two values of one facet and one of another
    chosen = build_search(SearchParams(q="扫描电镜", types=("instrument", "expert"), fields=("ic",)))

    # then the scored query is the one without any selection (the engine narrows the hits after scoring)
    assert chosen["query"] == build_search(SearchParams(q="扫描电镜"))["query"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]),
        ("price_asc", [{"price_min_fen": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]),
        ("price_desc", [{"price_max_fen": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]),
    ],
)
def test_sorts_end_with_the_id_so_pages_are_stable(sort: str, expected: list[Any]) -> None:
    assert build_search(SearchParams(q="芯片", sort=sort))["sort"] == expected


def test_page_becomes_an_offset() -> None:
    body = build_search(SearchParams(page=3, size=25))

    assert (body["from"], body["size"]) == (50, 25)


def test_search_after_replaces_the_offset() -> None:
    body = build_search(SearchParams(page=7, search_after=(12.5, "2026-06-01T00:00:00+00:00", 42)))

    assert body["search_after"] == [12.5, "2026-06-01T00:00:00+00:00", 42]
    assert "from" not in body


def test_grouping_collapses_on_the_model_group_with_the_others_as_inner_hits() -> None:
    body = build_search(SearchParams(q="扫描电镜", group=True))

    assert body["collapse"]["field"] == "group"
    inner = body["collapse"]["inner_hits"]
    assert inner["name"] == SAME_MODEL
    assert {"display.institution", "display.availability", "display.fees"} <= set(inner["_source"])
    assert "collapse" not in build_search(SearchParams(q="扫描电镜"))
    assert SearchParams(q="x", group=True).cache_key() != SearchParams(q="x").cache_key()


def test_each_meaningful_word_is_one_clause_and_filler_is_dropped() -> None:
    # given a typed need full of filler
    query = text_query("我们想找一台扫描电镜看金属断口形貌")

    # then only the words that carry the need are searched, each in any field
    assert words_of(query) == ["扫描电镜", "金属", "断口", "形貌"]
    fields = [next(iter(q["match"])) for q in word_clauses(query)[0]["dis_max"]["queries"]]
    assert fields == ["title_seg", "keywords_seg", "body_seg", "measures_seg", "title", "body"]


@pytest.mark.parametrize(
    ("q", "required"),
    [
        ("碳化硅", "1"),
        ("SiC MOSFET", "1"),
        ("SiC MOSFET 可靠性", "2<-1 3<-2 6<50%"),
        ("需要做碳化硅器件可靠性测试", "2<-1 3<-2 6<50%"),
    ],
)
def test_how_many_words_must_match(q: str, required: str) -> None:
    ways_in = core(text_query(q))["bool"]["must"][0]["bool"]["should"]
    assert next(way for way in ways_in if "bool" in way)["bool"]["minimum_should_match"] == required


def test_words_are_capped() -> None:
    query = text_query(" ".join(f"word{chr(ord('a') + n // 26)}{chr(ord('a') + n % 26)}" for n in range(40)))

    assert len(word_clauses(query)) == MAX_QUERY_WORDS


def test_a_bare_number_beside_two_words_is_a_detail_not_a_required_word() -> None:
    query = text_query("spacecraft ground test 4000 hours")
    ways_in = core(query)["bool"]["must"][0]["bool"]["should"]
    matched = next(way for way in ways_in if "bool" in way)["bool"]

    # spacecraft, ground test, hours must mostly match; 4000 only scores (a listing stating 4700小时 is found)
    assert len(matched["should"]) == 3
    assert matched["minimum_should_match"] == "2<-1 3<-2 6<50%"
    assert "4000" not in json.dumps(matched)
    assert "4000" in json.dumps(core(query)["bool"]["should"])


def test_a_number_beside_one_word_is_the_model_asked_for() -> None:
    matched_words = words_of(text_query("Sigma 300"))

    assert matched_words == ["sigma", "300"]


def test_misspelt_latin_word_is_corrected_and_latin_phrases_stay_whole() -> None:
    assert words_of(text_query("SiC MOSFTE 可靠性")) == ["sic", "mosfet", "可靠 可靠性"]
    assert words_of(text_query("scaning electron microscope")) == ["scanning electron microscope"]


def test_fuzzy_matching_only_for_latin_words() -> None:
    # given a mixed query
    query = text_query("GeminSEM 扫描电镜")

    # then the Latin word may match fuzzily, without synonyms, and the Chinese word may not
    latin, chinese = word_clauses(query)
    fuzzy = [q["multi_match"] for q in latin["dis_max"]["queries"] if "multi_match" in q]
    assert fuzzy == [
        {
            "query": "geminsem",
            "fields": ["title_seg^3.0", "keywords_seg^2.5"],
            "analyzer": "tm_seg",
            "fuzziness": 1,
            "prefix_length": 1,
            "boost": 0.5,
        }
    ]
    assert find_all(chinese, "fuzziness") == []


@pytest.mark.parametrize("q", ["6470", "sem", "jichengdianlu", "scaning electron microscope"])
def test_numbers_short_words_pinyin_and_synonym_phrases_are_never_fuzzy(q: str) -> None:
    assert find_all(text_query(q), "fuzziness") == []


def test_pinyin_typed_without_an_input_method_matches_syllables() -> None:
    ways_in = core(text_query("saomiaodianjing"))["bool"]["must"][0]["bool"]["should"]

    assert {"match_phrase": {"title_pinyin": {"query": "sao miao dian jing", "boost": 2.0}}} in ways_in


def test_pinyin_also_searches_the_words_it_reads_as_with_their_synonyms() -> None:
    # given pinyin whose syllables are in no title (titles say 高新技术企业认定, not 高企认定)
    ways_in = core(text_query("gaoqirending"))["bool"]["must"][0]["bool"]["should"]

    # then the words it reads as are one way in, each matched like a typed word (with synonyms), all required
    meant = next(way["bool"] for way in ways_in if "must" in way.get("bool", {}))
    assert meant["boost"] == PINYIN_WORDS_BOOST
    assert [clause["dis_max"]["queries"][0]["match"]["title_seg"]["query"] for clause in meant["must"]] == [
        "高企",
        "认定",
    ]


def test_initials_match_one_letter_per_syllable() -> None:
    ways_in = core(text_query("jcdl"))["bool"]["must"][0]["bool"]["should"]

    assert {"match_phrase": {"title_initials": {"query": "j c d l", "boost": 2.0}}} in ways_in
    assert find_all(ways_in, "title_pinyin") == []


@pytest.mark.parametrize("q", ["SEM", "AI", "gan", "Sigma 300", "mosfte"])
def test_latin_words_that_are_not_pinyin_get_no_pinyin_clause(q: str) -> None:
    query = text_query(q)

    assert find_all(query, "title_pinyin") == []
    assert find_all(query, "title_initials") == []


def test_homophone_slip_reaches_the_title_by_its_syllables() -> None:
    # a slip in words the catalogue's vocabulary does not hold together (基成芯片) is not corrected
    ways_in = core(text_query("基成芯片"))["bool"]["must"][0]["bool"]["should"]

    # a word the dictionary does not know (基成) makes the reading the stronger evidence
    assert {"match_phrase": {"title_pinyin": {"query": "ji cheng xin pian", "boost": 2.0}}} in ways_in


def test_homophone_slip_of_a_catalogue_term_is_searched_as_the_term() -> None:
    # 基成电路 is one character off 集成电路 and reads alike: the words searched are the term's
    assert words_of(text_query("基成电路")) == words_of(text_query("集成电路"))


def test_two_syllables_are_too_ambiguous_for_a_pinyin_clause() -> None:
    # 电镜 sounds like 电竞 (e-sports)
    assert find_all(text_query("电镜"), "title_pinyin") == []


def test_exact_phrase_title_words_and_exact_keywords_add_fixed_bonuses() -> None:
    should = core(text_query("IVD 检测试剂"))["bool"]["should"]

    assert should == [
        {"constant_score": {"filter": {"match_phrase": {"title": "ivd 检测试剂"}}, "boost": 6.0}},
        {
            "constant_score": {
                "filter": {"match_phrase": {"title_seg": {"query": "ivd 检测 试剂", "slop": 1}}},
                "boost": 3.0,
            }
        },
        {"terms": {"keywords": ["ivd 检测试剂", "ivd", "检测", "试剂"], "boost": 3.0}},
    ]


def test_a_kind_named_in_the_query_multiplies_that_kind() -> None:
    # given a need that names the kind of supply
    query = text_query("找专家咨询医学影像")

    # then 专家 leaves the text and experts score three times as much
    score = query["function_score"]
    assert score["boost_mode"] == "multiply"
    assert words_of(score["query"]) == ["咨询", "医学影像"]


def test_a_kind_alone_is_still_searched_for() -> None:
    assert words_of(text_query("专家")["function_score"]["query"]) == ["专家"]


def test_query_of_only_filler_is_searched_as_typed() -> None:
    assert words_of(text_query("服务")) == ["服务"]


def test_query_without_words_matches_nothing() -> None:
    assert text_query("，。！") == {"match_none": {}}


def test_queries_use_only_dsl_elasticsearch_also_accepts() -> None:
    # given the bodies of a few typical searches and a suggestion
    bodies = [
        build_search(SearchParams(q=q, types=("expert",), sort="newest", search_after=(1, 2)))
        for q in ("找专家咨询医学影像AI辅助诊断", "jcdl", "saomiaodianjing", "SiC MOSFTE", "掃描電鏡")
    ]
    bodies.append(build_suggest("jicheng"))
    text = json.dumps(bodies, ensure_ascii=False)

    # then none of the OpenSearch-only or removed query types appears
    for name in ("neural", "hybrid", "cutoff_frequency", "common", "type_name", "_type", "script_score"):
        assert f'"{name}"' not in text


def test_cache_key_ignores_script_width_and_case() -> None:
    assert SearchParams(q="掃描電鏡 ＳＥＭ").cache_key() == SearchParams(q="扫描电镜 sem").cache_key()


def test_pinyin_still_being_typed_matches_a_syllable_prefix() -> None:
    ways_in = core(text_query("saomiaodianj"))["bool"]["must"][0]["bool"]["should"]

    assert {
        "match_phrase_prefix": {
            "title_pinyin": {"query": "sao miao dian j", "max_expansions": 20, "boost": 1.5}
        }
    } in ways_in


def test_a_document_missing_a_query_word_keeps_a_share_of_its_score_per_missing_word() -> None:
    # given a two-word query
    query = text_query("GaN 功率器件")

    # then either word is enough to be found, and each missing word multiplies the score by the factor
    coverage = query["function_score"]["query"]["function_score"]
    assert [f["weight"] for f in coverage["functions"]] == [MISSING_WORD_FACTOR, MISSING_WORD_FACTOR]
    assert coverage["score_mode"] == "multiply"
    assert all("must_not" in f["filter"]["bool"] for f in coverage["functions"])
    ways_in = core(query)["bool"]["must"][0]["bool"]["should"]
    assert next(way for way in ways_in if "bool" in way)["bool"]["minimum_should_match"] == "1"


def missing_factors(query: dict[str, Any]) -> list[float]:
    return [f["weight"] for f in query["function_score"]["query"]["function_score"]["functions"]]


@pytest.mark.parametrize(
    ("q", "needs", "places"),
    [
        ("材料成分分析 送样 成华区", ["材料", "成分分析", "送样"], ["成华区"]),
        ("重郵南岸 半導體參數分析儀", ["半导体参数分析仪"], ["重邮", "南岸"]),
        ("成果评价 南岸", ["成果评价"], ["南岸"]),
    ],
)
def test_a_place_or_institution_beside_a_need_is_not_required(
    q: str, needs: list[str], places: list[str]
) -> None:
    # given a need typed with where it should be (a district, a university and its campus)
    query = text_query(q)

    # then only the need's words decide what is found: the need elsewhere is found too, a listing merely in
    # that place is not; the place still scores, and a listing elsewhere pays for it as for any word missed
    assert words_of(query) == [segment(need) for need in needs]
    scored = json.dumps(core(query)["bool"]["should"], ensure_ascii=False)
    assert all(place in scored for place in places)
    assert missing_factors(query) == [MISSING_WORD_FACTOR] * (len(places) + len(needs))


def test_a_place_typed_in_pinyin_is_searched_by_its_chinese_name() -> None:
    query = text_query("incubator in Wuhou District Chengdu")

    assert words_of(query) == ["incubator"]
    scored = json.dumps(core(query)["bool"]["should"], ensure_ascii=False)
    assert "武侯" in scored
    assert "成都" in scored
    # a spelling several names share is any of them: huaxi is 华西 (the hospital) or 花溪 (the campus)
    scored = json.dumps(core(text_query("chuanda huaxi qixiang sepu"))["bool"]["should"], ensure_ascii=False)
    assert all(name in scored for name in ("川大", "华西", "花溪"))


@pytest.mark.parametrize("q", ["重庆大学", "北碚 两江", "重庆大学 300"])
def test_places_alone_are_the_need(q: str) -> None:
    # given nothing but places (or a place and a figure), the places are what is searched for
    query = text_query(q)

    assert len(word_clauses(query)) == len(q.split())
    if len(q.split()) > 1:
        assert missing_factors(query) == [MISSING_WORD_FACTOR] * len(q.split())


def test_instruments_under_maintenance_rank_below_available_ones() -> None:
    factor = text_query("扫描电镜")["function_score"]

    assert factor["functions"] == [
        {"filter": {"term": {"availability": "maintenance"}}, "weight": MAINTENANCE_FACTOR}
    ]
    assert factor["boost_mode"] == "multiply"
    assert MAINTENANCE_FACTOR < 1


def test_a_relaxed_query_needs_any_one_word_and_tolerates_more_slips() -> None:
    # given a three-word query asked again because it found nothing
    strict = core(text_query("Qwertyz Plonkish 测试"))
    relaxed = core(text_query("Qwertyz Plonkish 测试", relaxed=True))

    # then one word is enough, bigrams need most rather than all, and English words allow more edits
    def required(query: dict[str, Any]) -> str:
        ways_in = query["bool"]["must"][0]["bool"]["should"]
        return str(next(way for way in ways_in if "bool" in way)["bool"]["minimum_should_match"])

    assert required(strict) != "1"
    assert required(relaxed) == "1"
    assert "AUTO:3,6" in find_all(relaxed, "fuzziness")
    assert "AUTO:3,6" not in find_all(strict, "fuzziness")
    assert all(body.get("minimum_should_match") == "60%" for body in find_all(relaxed, "body"))
    assert all(body.get("operator") == "and" for body in find_all(strict, "body"))


def test_only_long_words_the_vocabulary_does_not_know_are_matched_fuzzily() -> None:
    # the engine behaviour (a slip forgiven, never in the first letter) is in tests/integration/test_query_engine.py
    (unknown,) = find_all(text_query("Plonkishes"), "latin")
    (known,) = find_all(text_query("microscope"), "latin")
    (short,) = find_all(text_query("abcd"), "latin")

    assert "fuzziness" in unknown
    assert "fuzziness" not in known
    assert "fuzziness" not in short


def test_a_relaxed_body_is_built_only_when_asked() -> None:
    assert build_search(SearchParams(q="扫描电镜")) != build_search(SearchParams(q="扫描电镜"), relaxed=True)


def test_a_short_form_is_matched_as_ordered_first_characters_and_a_known_word_is_not() -> None:
    # 网安 is no dictionary word: its characters must start words of a title or keyword, in order
    phrases = find_all(text_query("网安"), "match_phrase")
    short = [p for p in phrases if "title.chars" in p or "keywords_seg.chars" in p]
    assert short
    assert all(next(iter(p.values()))["slop"] == 1 for p in short)
    assert [next(iter(p.values()))["query"] for p in short] == ["网安", "网安"]

    # a dictionary word is matched as itself only
    assert not [p for p in find_all(text_query("电镜"), "match_phrase") if "title.chars" in p]


def test_pinyin_read_as_several_words_rewards_them_together() -> None:
    # kexue jisuan reads 科学 计算: both must match, and the two side by side score more
    reading = [
        b for b in find_all(text_query("kexue jisuan"), "bool") if b.get("boost") == PINYIN_WORDS_BOOST
    ]
    assert reading
    assert len(reading[0]["must"]) == 2
    together = find_all(reading[0]["should"], "match_phrase")
    assert together
    assert {next(iter(p.values()))["query"] for p in together} == {segment("科学计算")}


def _anchors(query: dict[str, Any]) -> list[dict[str, Any]]:
    ways_in = core(query)["bool"]["must"][0]["bool"]["should"]
    return [way["bool"] for way in ways_in if way.get("bool", {}).get("boost") == ANCHOR_BOOST]


def test_a_catalogue_term_typed_beside_a_problem_finds_its_listings_by_itself() -> None:
    # 空间机械臂 载荷质量 is three words, two of which a listing must match: a listing of the term alone
    # (空间机械臂系统) would be left out
    anchors = _anchors(text_query("空间机械臂 载荷质量"))

    # so the catalogue term is a way in of its own, matched like a typed word
    assert len(anchors) == 1
    assert anchors[0]["must"][0]["dis_max"]["queries"][0]["match"]["title_seg"]["query"] == segment(
        "空间机械臂"
    )


@pytest.mark.parametrize(
    "q",
    [
        "空间机械臂 载荷",  # two words: one is enough anyway
        "载荷 质量 轻量化",  # no catalogue term
        "西南医院 流式 细胞 分选",  # an institution is where, never the need by itself
    ],
)
def test_no_way_in_by_one_term_without_a_catalogue_term_among_three_needs(q: str) -> None:
    assert _anchors(text_query(q)) == []


def test_pinyin_typed_as_separate_words_requires_each_word_as_syllables_in_a_name() -> None:
    # given brand and product typed apart (马尔文 is the maker, 粒度仪 the title: the whole is in neither)
    pieces = [
        b for b in find_all(text_query("maerwen lidu yi"), "bool") if b.get("boost") == 1.5 and "must" in b
    ]

    # then each word must be a run of syllables in the title, a keyword or the maker
    assert pieces
    assert pieces[0]["must"] == [
        {"match_phrase": {"title_pinyin": "ma er wen"}},
        {"match_phrase": {"title_pinyin": "li du"}},
        {"match_phrase": {"title_pinyin": "yi"}},
    ]


@pytest.mark.parametrize("q", ["maerwen", "maerwen 6470", "sem xrd"])
def test_one_pinyin_word_or_a_word_that_is_not_pinyin_gets_no_per_word_clause(q: str) -> None:
    assert not [b for b in find_all(text_query(q), "bool") if b.get("boost") == 1.5 and "must" in b]


@pytest.mark.parametrize(
    ("typed", "rest", "ceiling_fen"),
    [
        ("想找咨询费每小时500元以内的人工智能专家", "想找 的人工智能专家", 50_000),
        ("检测费不超过800元的xrd", "的xrd", 80_000),
        ("扫描电镜 不超过300元", "扫描电镜", 30_000),
        ("预算50万 固态电池", "固态电池", 50_000_000),
        ("液相色谱 1.5万元以下", "液相色谱", 1_500_000),
        ("拉曼 每小时300块内", "拉曼", 30_000),
    ],
)
def test_a_price_ceiling_typed_in_the_query_is_read_in_fen_and_left_out_of_the_words(
    typed: str, rest: str, ceiling_fen: int
) -> None:
    from search.queries import budget_ceiling

    assert budget_ceiling(normalise(typed)) == (rest, ceiling_fen)


@pytest.mark.parametrize(
    "typed", ["eds 元素面扫", "有限元仿真", "500元以内", "16g 500元内存条", "3d打印 4000元"]
)
def test_what_is_not_a_ceiling_on_a_topic_is_left_alone(typed: str) -> None:
    from search.queries import budget_ceiling

    assert budget_ceiling(typed) == (typed, None)


def test_an_absurd_ceiling_is_no_ceiling_and_never_reaches_the_engine_as_a_number_it_cannot_hold() -> None:
    from search.queries import budget_ceiling

    assert budget_ceiling("扫描电镜 不超过" + "9" * 40 + "万元") == ("扫描电镜", None)
    assert budget_ceiling("扫描电镜 不超过101亿元") == ("扫描电镜", None)
    assert budget_ceiling("成果转让 预算1亿") == ("成果转让", 10_000_000_000)
    assert budget_ceiling("扫描电镜 不超过1000000万元") == ("扫描电镜", 1_000_000_000_000)


def test_listings_priced_above_a_typed_ceiling_rank_lower_and_unpriced_ones_are_not_judged() -> None:
    from search.queries import OVER_BUDGET_FACTOR

    factors = find_all(text_query("人工智能专家 每小时500元以内"), "functions")
    over = [f for group in factors for f in group if f.get("weight") == OVER_BUDGET_FACTOR]
    assert over == [{"filter": {"range": {"price_min_fen": {"gt": 50_000}}}, "weight": OVER_BUDGET_FACTOR}]
    # and the amount is no word to match
    typed = [q for q in find_all(text_query("人工智能专家 每小时500元以内"), "query") if isinstance(q, str)]
    assert typed
    assert not [q for q in typed if "500" in q or "以内" in q]
    # without a ceiling, nothing is judged by price
    plain = [f for group in find_all(text_query("人工智能专家"), "functions") for f in group]
    assert not [f for f in plain if "range" in f.get("filter", {})]


def test_related_listings_are_like_the_best_hits_under_the_same_filters_without_them() -> None:
    from search.queries import build_related, facet_filters

    params = SearchParams(q="加速量热仪", types=("instrument",), group=True)
    body = build_related(params, [("tm-instrument-v1", "7")], ["7"], ["keysight|n5227b"], 12, ["1201"])

    similar = find_all(body, "more_like_this")[0]
    assert similar["like"] == [{"_index": "tm-instrument-v1", "_id": "7"}]
    assert set(similar["fields"]) == {"keywords_seg", "title_seg"}
    assert body["size"] == 12
    must_not = body["query"]["bool"]["must_not"]
    assert {"ids": {"values": ["7"]}} in must_not
    assert {"terms": {"group": ["keysight|n5227b"]}} in must_not
    # the same filters as the search (published, the chosen type), and one card per model
    assert body["query"]["bool"]["filter"] == [
        {"term": {"status": "published"}},
        *facet_filters(params).values(),
    ]
    assert "collapse" in body
    # either way makes a neighbour: like the hits, or of the hits' instrument category
    neighbours = body["query"]["bool"]["should"]
    assert body["query"]["bool"]["minimum_should_match"] == 1
    assert len(neighbours) == 2
    assert {"constant_score": {"filter": {"terms": {"category": ["1201"]}}, "boost": 5.0}} in neighbours
    # without categories (no instrument among the hits) there is no category clause
    plain = build_related(params, [("tm-expert-v1", "8")], ["8"], [], 12)
    assert '"category"' not in json.dumps(plain)


def test_an_english_word_no_synonym_list_names_is_also_matched_by_its_chinese_meanings() -> None:
    # imaging is no synonym term: its dictionary meaning 成像 is an alternative for that word
    matches = find_all(text_query("plant tissue imaging"), "match")
    assert any("成像" in str(next(iter(m.values())).get("query", "")) for m in matches)

    # a synonym term (sem) says what it means here: no dictionary meaning is added
    def translated(query: dict[str, Any]) -> list[Any]:
        return [
            m
            for m in find_all(query, "match")
            if isinstance(m.get("title_seg"), dict)
            and m["title_seg"].get("boost") == 3.0 * TRANSLATION_FACTOR
        ]

    assert translated(text_query("imaging"))
    assert not translated(text_query("sem"))

    # next to a model number the words are names, not English (Sigma 300 is no 西格玛)
    assert "西格玛" not in json.dumps(text_query("Sigma 300"), ensure_ascii=False)


def test_pinyin_naming_a_kind_of_supply_picks_that_kind_instead_of_being_a_word_to_match() -> None:
    # qiche dianzi zhuanjia reads 汽车电子 专家: 专家 picks experts, as it does typed in Chinese
    query = text_query("qiche dianzi zhuanjia")
    assert {"terms": {"type": ["expert"]}} in find_all(query, "filter")
    reading = [b for b in find_all(query, "bool") if b.get("boost") == PINYIN_WORDS_BOOST]
    assert reading
    assert "专家" not in json.dumps(reading[0]["must"], ensure_ascii=False)
