"""The 送样检测 transition table."""

from enum import StrEnum

from services.core.transitions import TransitionTable, next_state
from services.testing.schemas import TestRequestStatus

_S = TestRequestStatus


class TestAction(StrEnum):
    QUOTE = "quote"
    ACCEPT_QUOTE = "accept_quote"
    DECLINE_QUOTE = "decline_quote"
    RECEIVE_SAMPLES = "receive_samples"
    REPORT = "report"
    ACCEPT_RESULT = "accept_result"
    QUERY_RESULT = "query_result"


TRANSITIONS: TransitionTable[TestRequestStatus] = {
    (_S.REQUESTED, TestAction.QUOTE): _S.QUOTED,
    (_S.QUOTED, TestAction.QUOTE): _S.QUOTED,  # the provider may revise a quote not yet accepted
    (_S.QUOTED, TestAction.ACCEPT_QUOTE): _S.ACCEPTED,
    (_S.QUOTED, TestAction.DECLINE_QUOTE): _S.DECLINED,
    (_S.ACCEPTED, TestAction.RECEIVE_SAMPLES): _S.SAMPLES_RECEIVED,
    (_S.SAMPLES_RECEIVED, TestAction.REPORT): _S.REPORTED,
    (_S.QUERIED, TestAction.REPORT): _S.REPORTED,
    (_S.REPORTED, TestAction.ACCEPT_RESULT): _S.COMPLETED,
    (_S.REPORTED, TestAction.QUERY_RESULT): _S.QUERIED,
}

# Who moves each step: the provider (the lab) or the requester.
BY_PROVIDER = frozenset({TestAction.QUOTE, TestAction.RECEIVE_SAMPLES, TestAction.REPORT})


SUBJECT = ("检测委托", "test request")


def next_status(status: str, action: TestAction) -> TestRequestStatus:
    """The request's next status, or a Conflict."""
    return next_state(TRANSITIONS, status, action, subject=SUBJECT)
