"""Reconciliation's comparisons: the ledger's record of a payment against the provider's and its events."""

import dataclasses

import pytest

from services.deals.ledger import PaymentBooks, compare_refund, compare_with_events, compare_with_provider
from services.deals.payments.port import ProviderPayment, ProviderRefund

# A 30万元 destination charge (application fee 3,000.00 元) with 10万元 refunded, transfer and fee reversed pro rata:
# Stripe transferred the whole amount, then collected the fee; the refund reversed 10万元 of the transfer and
# returned a third of the fee.
BOOKS = PaymentBooks(
    payment_id=7,
    intent_id="pi_7",
    amount_fen=30_000_000,
    currency="cny",
    received_fen=30_000_000,
    refunded_fen=10_000_000,
    paid_out_fen=29_700_000,
    reversed_fen=9_900_000,
    cash_fen=30_000_000 - 10_000_000 - 29_700_000 + 9_900_000,
)
TRUTH = ProviderPayment(
    intent_id="pi_7",
    status="succeeded",
    amount_fen=30_000_000,
    currency="cny",
    received_fen=30_000_000,
    refunded_fen=10_000_000,
    transferred_fen=30_000_000,
    transfer_reversed_fen=10_000_000,
    application_fee_fen=300_000,
    application_fee_refunded_fen=100_000,
    authoritative=True,
)


def test_a_ledger_that_matches_a_truthful_provider_has_no_difference():
    assert compare_with_provider(BOOKS, TRUTH) == []


@pytest.mark.parametrize(
    ("field", "value", "kinds"),
    [
        ("received_fen", 30_000_100, {"provider_received_mismatch"}),
        ("refunded_fen", 0, {"provider_refunded_mismatch"}),
        ("reversed_fen", 0, {"provider_paid_out_mismatch"}),
        ("cash_fen", 1, {"provider_cash_mismatch"}),
        ("amount_fen", 1, {"provider_amount_mismatch"}),
        ("currency", "usd", {"provider_currency_mismatch"}),
    ],
)
def test_a_tampered_ledger_figure_differs_from_a_truthful_provider(field, value, kinds):
    found = compare_with_provider(dataclasses.replace(BOOKS, **{field: value}), TRUTH)
    assert {d["kind"] for d in found} == kinds
    assert all(d["payment_id"] == 7 for d in found)


def test_a_tampered_row_moves_a_figure_and_the_cash():
    tampered = dataclasses.replace(
        BOOKS, received_fen=BOOKS.received_fen + 100, cash_fen=BOOKS.cash_fen + 100
    )
    kinds = {d["kind"] for d in compare_with_provider(tampered, TRUTH)}
    assert kinds == {"provider_received_mismatch", "provider_cash_mismatch"}


def test_a_refund_made_outside_the_system_without_reversing_the_transfer_is_found():
    # someone refunded 5万元 more in the dashboard, and the seller kept its share
    provider = dataclasses.replace(TRUTH, refunded_fen=15_000_000)
    kinds = {d["kind"] for d in compare_with_provider(BOOKS, provider)}
    assert kinds == {"provider_refunded_mismatch", "provider_cash_mismatch"}


def test_a_fixture_answer_proves_only_the_identity_of_the_object():
    # stripe-mock answers every id with the same fixture (1099 usd, nothing received)
    fixture = dataclasses.replace(
        TRUTH, amount_fen=1099, currency="usd", received_fen=0, refunded_fen=0, authoritative=False
    )
    assert compare_with_provider(BOOKS, fixture) == []
    other = dataclasses.replace(fixture, intent_id="pi_someone_else")
    assert [d["kind"] for d in compare_with_provider(BOOKS, other)] == ["provider_identity_mismatch"]


def test_the_ledger_is_checked_against_the_signed_events():
    assert compare_with_events(BOOKS, received=30_000_000, refunded=10_000_000, paid_out=29_700_000) == []
    found = compare_with_events(BOOKS, received=30_000_000, refunded=5_000_000, paid_out=29_700_000)
    assert [d["kind"] for d in found] == ["event_refunded_mismatch"]
    found = compare_with_events(BOOKS, received=30_000_000, refunded=10_000_000, paid_out=0)
    assert [d["kind"] for d in found] == ["event_paid_out_mismatch"]
    stray = dataclasses.replace(BOOKS, cash_fen=BOOKS.cash_fen + 100)
    found = compare_with_events(stray, received=30_000_000, refunded=10_000_000, paid_out=29_700_000)
    assert [d["kind"] for d in found] == ["cash_mismatch"]


REQUESTED = {
    "id": 3,
    "provider_ref": "re_3",
    "amount_fen": 10_000_000,
    "payment__provider_ref": "pi_7",
    "payment__currency": "cny",
}


def test_a_refund_read_back_is_compared_with_what_was_asked():
    truth = ProviderRefund("re_3", "pi_7", "succeeded", 10_000_000, "cny", authoritative=True)
    assert compare_refund(REQUESTED, truth) == []
    smaller = dataclasses.replace(truth, amount_fen=1)
    assert [d["kind"] for d in compare_refund(REQUESTED, smaller)] == ["refund_amount_mismatch"]
    failed = dataclasses.replace(truth, status="failed")
    assert [d["kind"] for d in compare_refund(REQUESTED, failed)] == ["refund_not_made"]
    fixture = ProviderRefund("re_3", None, "succeeded", 100, "usd", authoritative=False)
    assert compare_refund(REQUESTED, fixture) == []
