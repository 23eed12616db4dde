"""Matching scores are deterministic and bounded, and every stated reason is true of the data behind it."""

import re
from dataclasses import replace

from matching.features import (
    CandidateFacts,
    DemandFacts,
    Outcomes,
    budget_fit,
    compute,
    region_fit,
    shared_words,
)
from matching.scoring import WEIGHTS, budget_detail, explain, money, rank


def demand(**overrides):
    base = {
        "id": 1,
        "title": "寻找碳化硅器件可靠性测试技术",
        "kind": "tech_problem",
        "fields": ("ic",),
        "words": frozenset({"碳化硅", "可靠性", "测试", "基于", "公司", "元器", "元器件", "ai"}),
        "budget_min_fen": 50_000_000,
        "budget_max_fen": 150_000_000,
        "region": "500107",
    }
    base.update(overrides)
    return DemandFacts(**base)


def candidate(**overrides):
    base = {
        "id": 10,
        "type": "achievement",
        "title": "基于碳化硅的功率元器件可靠性测试技术",
        "fields": ("ic",),
        "words": frozenset({"碳化硅", "功率", "元器", "元器件", "可靠性", "测试", "基于", "公司", "ai"}),
        "price_min_fen": 60_000_000,
        "price_max_fen": 80_000_000,
        "region": "500106",
        "maturity": "pilot",
        "relevance": 10.0,
    }
    base.update(overrides)
    return CandidateFacts(**base)


def reasons_of(d: DemandFacts, c: CandidateFacts) -> dict[str, str]:
    return {r.feature: r.detail for r in explain(compute(d, c, 10.0), WEIGHTS, c.region)}


def fen_in(text: str) -> list[int]:
    """Every amount a reason states, back in fen (万元 and 元)."""
    amounts = []
    for number, unit in re.findall(r"([\d,]+(?:\.\d+)?)(万元|元)", text):
        value = float(number.replace(",", ""))
        amounts.append(round(value * (1_000_000 if unit == "万元" else 100)))
    return amounts


def test_a_price_twenty_percent_over_budget_is_said_to_be_over_by_twenty_percent():
    # given a project quoted from 180万 against a budget of 50–150万
    d, c = demand(), candidate(price_min_fen=180_000_000, price_max_fen=200_000_000)

    # when the match is explained
    detail = reasons_of(d, c)["budget"]

    # then the reason says over, by the true percentage, with the true amounts, and never "below"
    assert "超出预算上限" in detail
    assert "低于" not in detail
    assert "相符" not in detail
    assert "20%" in detail
    assert fen_in(detail) == [180_000_000, 150_000_000]
    value, facts = budget_fit(d, c)
    assert facts["relation"] == "over"
    assert value == 0.8


def test_an_experts_hourly_rate_is_not_compared_with_a_project_budget():
    # given an expert at 2,700 元/h and a 50–150万 project budget
    d = demand(kind="consulting")
    c = candidate(
        type="expert", price_min_fen=270_000, price_max_fen=270_000, price_unit="hour", maturity=None
    )

    # when the match is explained
    detail = reasons_of(d, c)["budget"]

    # then the reason speaks per hour and says how many hours the budget buys — the true quotient
    assert detail.startswith("按小时收费 2,700元/小时起")
    assert "预算上限150万元约可支付 555 小时" in detail
    for wrong in ("相符", "低于", "超出"):
        assert wrong not in detail
    assert 150_000_000 // 270_000 == 555


def test_budget_reasons_match_the_relation_of_price_and_budget():
    d = demand()
    within = reasons_of(d, candidate())["budget"]
    assert within == "报价 60万元–80万元 与预算（50万元–150万元）相符"
    under = reasons_of(d, candidate(price_min_fen=1_000_000, price_max_fen=2_000_000))["budget"]
    assert under == "报价最高 2万元，低于预算下限50万元"
    assert budget_fit(d, candidate(price_min_fen=None, price_max_fen=None)) == (None, {})
    assert "budget" not in reasons_of(d, candidate(price_min_fen=None, price_max_fen=None))


def test_shared_keywords_leave_out_filler_fragments_and_short_latin():
    # given both sides using 基于, 公司, the fragment 元器 of 元器件, and `ai`
    words = shared_words(demand(), candidate())

    # then only meaningful whole words are named
    assert words == ["元器件", "可靠性", "碳化硅"]
    detail = reasons_of(demand(), candidate())["keywords"]
    for noise in ("基于", "公司", "元器、", "ai"):
        assert noise not in detail
    assert all(
        word in demand().words and word in candidate().words for word in detail.split("：")[1].split("、")
    )


def test_every_reason_is_true_of_the_facts():
    # given a varied set of candidates
    d = demand(deadline=None)
    candidates = [
        candidate(id=1),
        candidate(
            id=2,
            type="instrument",
            price_unit="hour",
            price_min_fen=40_000,
            price_max_fen=40_000,
            availability="available",
            maturity=None,
            region="500107",
        ),
        candidate(id=3, type="agency", fields=("materials",), region="510104", maturity=None),
        candidate(id=4, maturity="industrial", outcomes=Outcomes(won=2, completed_bookings=3)),
    ]
    for c in candidates:
        reasons = reasons_of(d, c)
        # then each reason is backed by the candidate's own data
        if "field" in reasons:
            assert set(c.fields) & set(d.fields)
        if "region" in reasons:
            expected = {"500107": "同在九龙坡区", "500106": "同在重庆市", "510104": "同属成渝地区"}
            assert reasons["region"] == expected[c.region]
        if "maturity" in reasons:
            assert c.maturity in ("trial", "industrial")
        if "availability" in reasons:
            assert c.availability == "available"
        if "outcomes" in reasons:
            assert (
                reasons["outcomes"]
                == f"已促成 {c.outcomes.won} 项成交，完成预约 {c.outcomes.completed_bookings} 次"
            )
    assert "field" not in reasons_of(d, candidates[2])


def test_money_is_said_as_people_say_it():
    assert money(150_000_000) == "150万元"
    assert money(2_500_000) == "2.5万元"
    assert money(270_000) == "2,700元"
    assert money(12_345) == "123.45元"
    assert budget_detail({}) is None


def test_region_fit_by_administrative_level():
    assert region_fit(demand(), candidate(region="500107")) == (1.0, "district")
    assert region_fit(demand(), candidate(region="500106")) == (0.7, "city")
    assert region_fit(demand(), candidate(region="510104")) == (0.4, "chengyu")
    assert region_fit(demand(), candidate(region="440305")) == (0.2, "far")


def test_rank_is_deterministic_bounded_and_normalises_text_per_demand():
    d = demand()
    found = [candidate(id=i, relevance=float(i)) for i in range(1, 8)]
    first = rank(d, found, 5)
    assert [m.candidate.id for m in first] == [m.candidate.id for m in rank(d, list(reversed(found)), 5)]
    assert all(0.0 <= m.score <= 1.0 for m in first)
    assert first[0].candidate.id == 7
    assert first[0].features.values["text"] == 1.0
    # twice the engine score everywhere changes nothing: relevance is relative to the demand's best
    doubled = rank(d, [replace(c, relevance=c.relevance * 2) for c in found], 5)
    assert [m.score for m in doubled] == [m.score for m in first]


def test_kind_fit_prefers_instruments_for_testing_demands():
    d = demand(kind="testing")
    achievement = candidate(id=1)
    instrument = candidate(
        id=2, type="instrument", price_unit="hour", price_min_fen=40_000, price_max_fen=40_000
    )
    ranked = rank(d, [achievement, instrument], 2)
    assert [m.candidate.id for m in ranked] == [2, 1]
    assert "科研仪器适合“检验检测”类需求" in [r.detail for r in ranked[0].reasons]


def test_a_match_lost_as_not_relevant_counts_against_a_provider_more_than_one_lost_on_price():
    from matching.features import outcome_score, outcomes_from_counts

    # given three providers' stored records
    clean = outcomes_from_counts({})
    on_price = outcomes_from_counts({"lost:price": 2})
    wrong = outcomes_from_counts({"dismissed:not_relevant": 2})
    proven = outcomes_from_counts({"won": 1, "lost:price": 1}, completed_bookings=4)

    # then no record is neutral, a wrong match weighs more than a lost negotiation, wins and bookings lift
    assert outcome_score(clean) == 0.5
    assert outcome_score(wrong) < outcome_score(on_price) < 0.5 < outcome_score(proven)
    assert (on_price.lost, on_price.dismissed, on_price.wrong_match) == (2, 0, 0)
    assert wrong.wrong_match == 2


def test_track_record_reason_states_the_counts_it_was_computed_from():
    from matching.features import outcomes_from_counts

    outcomes = outcomes_from_counts(
        {"won": 2, "lost:price": 1, "dismissed:not_relevant": 3}, completed_bookings=5
    )
    c = candidate(type="instrument", outcomes=outcomes)
    reason = reasons_of(demand(), c)["track_record"]
    assert reason == "已促成 2 项成交，完成预约 5 次，4 次匹配未成交（不相关 3、价格 1）"


def test_availability_follows_the_free_hours_of_the_calendar_before_the_deadline():
    from datetime import date

    from matching.features import availability_fit

    d = demand(deadline=date(2027, 3, 31))
    instrument = candidate(type="instrument", availability="available", price_min_fen=None)
    # a full calendar, a free morning, a free week; maintenance and retired whatever the calendar says
    assert availability_fit(replace(instrument, free_hours=0.0)) == 0.0
    assert availability_fit(replace(instrument, free_hours=4.0)) == 0.5
    assert availability_fit(replace(instrument, free_hours=40.0)) == 1.0
    assert availability_fit(replace(instrument, availability="retired", free_hours=40.0)) == 0.0
    assert availability_fit(replace(instrument, availability="maintenance")) == 0.3
    assert availability_fit(candidate(type="expert")) is None
    # and the reason says what the calendar said
    assert reasons_of(d, replace(instrument, free_hours=0.0))["availability"] == (
        "需求截止 2027-03-31 前预约日历已满，无空闲时段"
    )
    assert reasons_of(d, replace(instrument, free_hours=12.5))["availability"] == (
        "需求截止 2027-03-31 前预约日历尚有约 12.5 小时空闲"
    )


def test_a_providers_record_names_close_reasons_with_the_labels_the_broker_picked_them_by():
    from matching.features import outcomes_from_counts
    from matching.scoring import record_detail
    from services.reference.vocabulary import CloseReason

    # given a provider whose matches were lost for being too early and dismissed as not relevant
    outcomes = outcomes_from_counts({"lost:too_early": 2, "dismissed:not_relevant": 1})

    # then its record counts them under the one label set the portal offers the broker
    detail = record_detail(outcomes)
    assert detail is not None
    assert f"{CloseReason.TOO_EARLY.label} 2" in detail
    assert f"{CloseReason.NOT_RELEVANT.label} 1" in detail
    assert "3 次匹配未成交" in detail


def test_match_candidates_look_for_longer_specific_words_inside_longer_words_and_not_everyday_words() -> None:
    from search.queries import build_match_candidates

    body = build_match_candidates(
        "火锅底料香味物质分析，我们自己觉得不如竞品，想看看挥发性成分", [], ["instrument"], 40
    )
    inner = [
        clause["multi_match"]
        for clause in body["query"]["bool"]["should"]
        if "multi_match" in clause and clause["multi_match"]["fields"] == ["body_inner"]
    ]
    assert len(inner) == 1
    words = inner[0]["query"].split()
    # the need's specific words of three or more characters, whole: 挥发性 is found inside 挥发性有机物
    assert "挥发性" in words
    # not everyday words, and not two-character words (inside longer words they are everywhere)
    assert not {"自己", "觉得", "分析", "香味", "火锅"} & set(words)


def test_a_demand_without_a_long_specific_word_looks_inside_no_longer_word() -> None:
    from search.queries import build_match_candidates

    body = build_match_candidates("想做检测分析", [], ["instrument"], 40)
    fields = [clause["multi_match"]["fields"] for clause in body["query"]["bool"]["should"]]
    assert ["body_inner"] not in fields


def test_an_instrument_found_by_what_its_kind_measures_says_so_and_only_with_the_demands_own_words():
    # given a demand asking for the dielectric constant of a laminate, and two vector network analysers whose
    # kind measures it (one of them also names 高频 in its keywords)
    d = demand(words=frozenset({"覆铜板", "介电常数", "损耗角正切", "高频"}))
    measures = frozenset({"介电常数", "损耗角正切", "插入损耗", "高频板材"})
    plain = candidate(type="instrument", words=frozenset({"矢量网络分析仪"}), measures=measures)
    keyed = candidate(type="instrument", words=frozenset({"矢量网络分析仪", "高频"}), measures=measures)

    # then the reason names the measurands the demand itself used, none it did not (插入损耗), and a word already
    # named as a shared keyword is not named twice
    assert reasons_of(d, plain)["keywords"] == "该类仪器可测：损耗角正切、介电常数"
    assert reasons_of(d, keyed)["keywords"] == "共同关键词：高频；该类仪器可测：损耗角正切、介电常数"
    # and a candidate whose kind measures nothing the demand said has no such reason
    assert "可测" not in reasons_of(demand(), candidate(type="instrument", measures=measures)).get(
        "keywords", ""
    )


def test_a_topic_found_by_what_it_is_asked_for_says_so_without_claiming_to_measure():
    # given a demand about short driving range and an expert whose topic (battery management) is asked for it
    d = demand(words=frozenset({"续航短", "电动三轮车"}))
    expert = candidate(
        type="expert", words=frozenset({"电池管理系统"}), measures=frozenset({"续航短", "电芯一致性"})
    )

    # then the reason names the demand's own words under the topic's label, never the instruments' 可测
    reason = reasons_of(d, expert)["keywords"]
    assert reason == "该方向常用于：续航短"
    assert "可测" not in reason
