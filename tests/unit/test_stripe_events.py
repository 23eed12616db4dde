"""Parsing a verified Stripe event: the usable parts, or a MalformedEvent naming what is wrong."""

import pytest

from services.deals.payments.port import MalformedEvent
from services.deals.payments.stripe_gateway import event_from_payload


def test_a_payment_intent_event_is_about_itself():
    event = event_from_payload(
        {
            "id": "evt_1",
            "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_1", "object": "payment_intent", "amount": 100, "currency": "CNY"}},
        }
    )
    assert (event.id, event.intent_id, event.amount, event.currency) == ("evt_1", "pi_1", 100, "cny")


def test_a_charge_event_is_about_its_payment_intent():
    event = event_from_payload(
        {
            "id": "evt_2",
            "type": "charge.refunded",
            "data": {
                "object": {
                    "id": "ch_1",
                    "object": "charge",
                    "payment_intent": "pi_9",
                    "amount": 100,
                    "amount_refunded": 40,
                    "currency": "cny",
                }
            },
        }
    )
    assert (event.intent_id, event.amount_refunded) == ("pi_9", 40)


@pytest.mark.parametrize(
    ("payload", "event_id"),
    [
        ([], None),
        ("evt", None),
        ({"type": "payment_intent.succeeded", "data": {"object": {}}}, None),
        ({"id": 5, "type": "x", "data": {"object": {}}}, None),
        ({"id": "evt_3", "data": {"object": {}}}, "evt_3"),
        ({"id": "evt_4", "type": "x", "data": "object"}, "evt_4"),
        ({"id": "evt_5", "type": "x", "data": {"object": []}}, "evt_5"),
        ({"id": "evt_6", "type": "x", "data": {"object": {"metadata": "payment_id=1"}}}, "evt_6"),
        ({"id": "evt_7", "type": "x", "data": {"object": {"amount": "100"}}}, "evt_7"),
        ({"id": "evt_8", "type": "x", "data": {"object": {"amount": True}}}, "evt_8"),
        ({"id": "evt_9", "type": "x", "data": {"object": {"id": 12}}}, "evt_9"),
        ({"id": "evt_10", "type": "x", "data": {"object": {"currency": 156}}}, "evt_10"),
    ],
)
def test_a_malformed_event_is_refused_with_its_id_when_it_has_one(payload, event_id):
    with pytest.raises(MalformedEvent) as caught:
        event_from_payload(payload)
    assert caught.value.event_id == event_id
    assert caught.value.reason
