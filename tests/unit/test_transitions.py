"""The transition tables: every listed move is allowed, everything else is a conflict."""

import pytest

from services.core.errors import Conflict
from services.core.transitions import next_state
from services.deals.contracts import CONTRACT_TRANSITIONS
from services.deals.payments.service import MILESTONE_TRANSITIONS, PAYMENT_TRANSITIONS
from services.deals.registration import REGISTRATION_TRANSITIONS
from services.deals.schemas import ContractStatus, MilestoneStatus, PaymentStatus


def test_registration_runs_submit_then_approve_or_reject_and_back():
    subject = ("合同", "contract")
    pending = next_state(REGISTRATION_TRANSITIONS, "signed", "submit", subject=subject)
    assert pending is ContractStatus.REGISTRATION_PENDING
    assert (
        next_state(REGISTRATION_TRANSITIONS, pending, "approve", subject=subject) is ContractStatus.REGISTERED
    )
    rejected = next_state(REGISTRATION_TRANSITIONS, pending, "reject", subject=subject)
    assert next_state(REGISTRATION_TRANSITIONS, rejected, "submit", subject=subject) is pending


@pytest.mark.parametrize(
    ("table", "state", "action"),
    [
        (REGISTRATION_TRANSITIONS, "signed", "approve"),
        (REGISTRATION_TRANSITIONS, "registered", "submit"),
        (REGISTRATION_TRANSITIONS, "cancelled", "submit"),
        (CONTRACT_TRANSITIONS, "registered", "cancel"),
        (PAYMENT_TRANSITIONS, "canceled", "succeed"),
        (PAYMENT_TRANSITIONS, "succeeded", "fail"),
        (MILESTONE_TRANSITIONS, "paid", "fail"),
        (MILESTONE_TRANSITIONS, "paid", "credit"),
    ],
)
def test_a_move_the_table_does_not_list_is_a_conflict(table, state, action):
    with pytest.raises(Conflict) as caught:
        next_state(table, state, action, subject=("对象", "object"))
    assert caught.value.code == "invalid_transition"
    assert state in caught.value.message_zh
    assert action in (caught.value.message_en or "")


def test_a_failed_intent_may_still_succeed_but_a_success_is_final():
    subject = ("支付", "payment")
    assert next_state(PAYMENT_TRANSITIONS, "failed", "succeed", subject=subject) is PaymentStatus.SUCCEEDED
    assert not [key for key in PAYMENT_TRANSITIONS if key[0] == PaymentStatus.SUCCEEDED]
    assert next_state(MILESTONE_TRANSITIONS, "processing", "fail", subject=subject) is MilestoneStatus.UNPAID
