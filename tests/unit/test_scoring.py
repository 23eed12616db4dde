"""Matching scores are deterministic, bounded and explained."""

from matching.features import CandidateFacts, DemandFacts, budget_fit, region_fit
from matching.scoring import rank, score_candidate


def demand(**overrides):
    base = {
        "id": 1,
        "title": "寻找碳化硅器件可靠性测试技术",
        "kind": "tech_problem",
        "fields": ("ic",),
        "words": frozenset({"碳化硅", "可靠性", "测试"}),
        "budget_min_fen": 30_000_000,
        "budget_max_fen": 100_000_000,
        "region": "500107",
    }
    base.update(overrides)
    return DemandFacts(**base)


def candidate(**overrides):
    base = {
        "id": 10,
        "type": "achievement",
        "title": "碳化硅功率器件可靠性测试技术",
        "fields": ("ic",),
        "words": frozenset({"碳化硅", "功率", "器件", "可靠性", "测试"}),
        "price_min_fen": 50_000_000,
        "price_max_fen": 80_000_000,
        "region": "500106",
        "maturity": "pilot",
        "relevance": 10.0,
    }
    base.update(overrides)
    return CandidateFacts(**base)


def test_budget_fit_overlap_gap_and_unknown():
    assert budget_fit(demand(), candidate()) == 1.0
    assert budget_fit(demand(), candidate(price_min_fen=150_000_000, price_max_fen=150_000_000)) == 0.5
    assert budget_fit(demand(), candidate(price_min_fen=None, price_max_fen=None)) is None
    assert budget_fit(demand(), candidate(price_min_fen=1, price_max_fen=2)) == 0.8


def test_region_fit_by_administrative_level():
    assert region_fit(demand(), candidate(region="500107")) == 1.0
    assert region_fit(demand(), candidate(region="500106")) == 0.7
    assert region_fit(demand(), candidate(region="510104")) == 0.4
    assert region_fit(demand(), candidate(region="440305")) == 0.2
    assert region_fit(demand(region=None), candidate()) == 0.0


def test_score_explains_every_contribution_in_chinese():
    scored = score_candidate(demand(), candidate(), max_relevance=10.0)
    features = [r.feature for r in scored.reasons]
    assert features[0] == "keywords"
    assert {"keywords", "field", "kind", "budget", "region"} <= set(features)
    keywords = next(r for r in scored.reasons if r.feature == "keywords")
    assert "碳化硅" in keywords.detail
    assert "可靠性" in keywords.detail
    assert 0.0 < scored.score <= 1.0
    weights = [r.weight for r in scored.reasons]
    assert weights == sorted(weights, reverse=True)


def test_rank_prefers_relevant_in_field_supply_and_breaks_ties_by_id():
    good = candidate(id=20)
    off_field = candidate(id=21, fields=("biotech",), words=frozenset({"测试"}), relevance=3.0)
    twin = candidate(id=19)
    ranked = rank(demand(), [off_field, good, twin], limit=2)
    assert [m.candidate.id for m in ranked] == [19, 20]


def test_track_record_raises_the_score():
    plain = score_candidate(demand(), candidate(), max_relevance=10.0)
    proven = score_candidate(demand(), candidate(track_record=3), max_relevance=10.0)
    assert proven.score > plain.score
    assert any(r.feature == "track_record" and "3" in r.detail for r in proven.reasons)
