"""Learning to rank from outcomes: labels by stage and reason, a time-split hold-out, adoption only when better."""

from matching.learning import grade, ndcg, train
from tests.matching.outcomes import synthetic_outcomes


def test_grades_follow_the_pipeline_and_reasons():
    assert [grade(s, None) for s in ("suggested", "shortlisted", "contacted", "negotiating", "won")] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert grade("lost", "price") == 3  # the right supply, lost on terms
    assert grade("lost", "not_relevant") == 0
    assert grade("dismissed", "too_early") == 2
    assert grade("dismissed", "not_relevant") == 0
    assert grade("dismissed", "other") == 0


def test_ndcg_is_one_for_the_ideal_order_and_less_otherwise():
    assert ndcg([3, 2, 0], [0.9, 0.5, 0.1]) == 1.0
    assert ndcg([3, 2, 0], [0.1, 0.5, 0.9]) < 0.7


def test_a_model_that_learns_what_the_weights_miss_is_adopted():
    # given outcomes driven by the provider's record, which the hand-set weights barely use
    outcomes = synthetic_outcomes(300)

    # when a model is trained on the older demands
    result = train(outcomes)

    # then it ranks the newest demands better than the weights, and is adopted
    assert result.metrics["ndcg_at_10"] > result.metrics["current_ndcg_at_10"]
    assert result.adopt
    assert result.metrics["holdout_demands"] == 60
    assert result.metrics["train_demands"] == 240


def test_a_worse_model_is_not_adopted():
    # given outcomes the hand-set weights already rank well
    outcomes = synthetic_outcomes(300, record_matters=False)

    # when a model that cannot learn (one leaf) is trained
    result = train(outcomes, params={"min_data_in_leaf": 10**6}, rounds=1)

    # then it is worse on the hold-out and the ranking in use stays
    assert result.metrics["ndcg_at_10"] < result.metrics["current_ndcg_at_10"]
    assert not result.adopt
