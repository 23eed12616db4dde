"""Refunds spread over a payment's shares: every step sums to the refund, a full refund returns every share."""

import random

import pytest

from services.deals.shares import refund_shares

SELLER, FEE, BROKER = "seller_payable:contract-1", "platform_fee", "broker_payable:user-9"


def _steps(
    amount: int, shares: dict[str, int], cumulative: list[int], paid_out: int = 0
) -> list[dict[str, int]]:
    before, booked = 0, []
    for after in cumulative:
        step = refund_shares(
            shares=shares,
            residual=next(iter(shares)),
            paid_out_fen=paid_out,
            paid_out_account=SELLER,
            amount_fen=amount,
            refunded_before=before,
            refunded_after=after,
        )
        booked.append({**step.back, "reversal": step.reversal_fen})
        before = after
    return booked


def test_a_third_refunded_takes_a_third_of_every_share():
    (step,) = _steps(30_000_000, {SELLER: 29_400_000, FEE: 300_000, BROKER: 300_000}, [10_000_000])
    assert step == {SELLER: 9_800_000, FEE: 100_000, BROKER: 100_000, "reversal": 0}


def test_random_partial_refunds_sum_to_each_step_and_end_with_every_share_returned():
    rng = random.Random(20261204)
    for _ in range(2_000):
        amount = rng.randint(1, 10**9)
        fee = rng.randint(0, amount // 10)
        commission = rng.randint(0, amount - fee)
        shares = {SELLER: amount - fee - commission, FEE: fee, BROKER: commission}
        destination = rng.random() < 0.5
        cumulative = sorted({rng.randint(1, amount) for _ in range(rng.randint(1, 5))} | {amount})
        steps = _steps(amount, shares, cumulative, paid_out=shares[SELLER] if destination else 0)
        previous = 0
        for after, step in zip(cumulative, steps, strict=True):
            assert sum(v for k, v in step.items() if k != "reversal") == after - previous
            assert all(v >= 0 for v in step.values())
            # the seller's account gives back exactly the seller's part of each refund, nothing without a payout
            assert step["reversal"] == (step[SELLER] if destination else 0)
            previous = after
        totals = {account: sum(step[account] for step in steps) for account in shares}
        assert totals == shares


def test_a_duplicate_payment_is_refunded_from_the_buyers_claim_and_its_payout_comes_back_pro_rata():
    shares = {"buyer_refund_due:contract-1": 30_000_000}
    steps = _steps(30_000_000, shares, [10_000_001, 30_000_000], paid_out=29_400_000)
    assert [s["buyer_refund_due:contract-1"] for s in steps] == [10_000_001, 19_999_999]
    assert SELLER not in steps[0]
    assert [s["reversal"] for s in steps] == [29_400_000 * 10_000_001 // 30_000_000, 29_400_000 - 9_800_000]
    assert sum(s["reversal"] for s in steps) == 29_400_000


@pytest.mark.parametrize(("before", "after"), [(10, 5), (-1, 5), (0, 101)])
def test_a_refund_that_shrinks_or_exceeds_the_payment_is_refused(before, after):
    with pytest.raises(ValueError, match="refunds must grow"):
        _steps_from(before, after)


def _steps_from(before: int, after: int) -> None:
    refund_shares(
        shares={SELLER: 100},
        residual=SELLER,
        paid_out_fen=0,
        paid_out_account=SELLER,
        amount_fen=100,
        refunded_before=before,
        refunded_after=after,
    )
