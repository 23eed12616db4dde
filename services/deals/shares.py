"""How a refund is taken back from the accounts a payment was booked to: pure arithmetic in integer fen."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RefundShares:
    """What one refund step books: per account the amount given back, and what returns from the seller's
    connected account (a Connect transfer reversal)."""

    back: dict[str, int]
    reversal_fen: int


def refund_shares(
    *,
    shares: dict[str, int],
    residual: str,
    paid_out_fen: int,
    paid_out_account: str,
    amount_fen: int,
    refunded_before: int,
    refunded_after: int,
) -> RefundShares:
    """The refund from `refunded_before` to `refunded_after` (cumulative), spread over the payment's shares.

    Each share comes back in proportion to the cumulative refund (rounded down); `residual` takes what rounding
    leaves, so every step sums to the refund and a full refund returns every share exactly. What went out to the
    seller's account comes back with the seller's own share when the seller was credited, else in proportion.
    """
    if not 0 <= refunded_before <= refunded_after <= amount_fen:
        raise ValueError("refunds must grow within the payment's amount")
    if sum(shares.values()) != amount_fen or residual not in shares:
        raise ValueError("the shares must sum to the payment's amount and include the residual account")

    def returned(cumulative: int) -> dict[str, int]:
        back = {
            account: share * cumulative // amount_fen
            for account, share in shares.items()
            if account != residual
        }
        back[residual] = cumulative - sum(back.values())
        return back

    before, after = returned(refunded_before), returned(refunded_after)
    step = {account: after[account] - before[account] for account in shares}
    if not paid_out_fen:
        reversal = 0
    elif paid_out_account in shares:
        reversal = step[paid_out_account]
    else:
        reversal = paid_out_fen * refunded_after // amount_fen - paid_out_fen * refunded_before // amount_fen
    return RefundShares(back=step, reversal_fen=reversal)
