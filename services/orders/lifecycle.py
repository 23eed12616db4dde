"""The service-order transition table and who moves each step."""

from enum import StrEnum

from services.core.transitions import TransitionTable, next_state
from services.orders.schemas import ServiceOrderStatus

_S = ServiceOrderStatus


class OrderAction(StrEnum):
    QUOTE = "quote"
    ACCEPT_QUOTE = "accept_quote"
    DECLINE_QUOTE = "decline_quote"
    WITHDRAW = "withdraw"
    DELIVER = "deliver"
    ACCEPT_DELIVERY = "accept_delivery"
    DISPUTE = "dispute"
    RESOLVE_COMPLETE = "resolve_complete"
    RESOLVE_REDELIVER = "resolve_redeliver"
    RESOLVE_CANCEL = "resolve_cancel"


TRANSITIONS: TransitionTable[ServiceOrderStatus] = {
    (_S.REQUESTED, OrderAction.QUOTE): _S.QUOTED,
    (_S.QUOTED, OrderAction.QUOTE): _S.QUOTED,  # revisable until the buyer accepts
    (_S.QUOTED, OrderAction.ACCEPT_QUOTE): _S.ORDERED,
    (_S.QUOTED, OrderAction.DECLINE_QUOTE): _S.DECLINED,
    (_S.REQUESTED, OrderAction.WITHDRAW): _S.WITHDRAWN,
    (_S.QUOTED, OrderAction.WITHDRAW): _S.WITHDRAWN,
    (_S.ORDERED, OrderAction.DELIVER): _S.DELIVERED,
    (_S.DELIVERED, OrderAction.ACCEPT_DELIVERY): _S.COMPLETED,
    (_S.DELIVERED, OrderAction.DISPUTE): _S.DISPUTED,
    (_S.DISPUTED, OrderAction.RESOLVE_COMPLETE): _S.COMPLETED,
    (_S.DISPUTED, OrderAction.RESOLVE_REDELIVER): _S.ORDERED,
    (_S.DISPUTED, OrderAction.RESOLVE_CANCEL): _S.CANCELLED,
}


class Side(StrEnum):
    PROVIDER = "provider"
    BUYER = "buyer"
    ADMIN = "admin"


BY: dict[OrderAction, Side] = {
    OrderAction.QUOTE: Side.PROVIDER,
    OrderAction.DELIVER: Side.PROVIDER,
    OrderAction.ACCEPT_QUOTE: Side.BUYER,
    OrderAction.DECLINE_QUOTE: Side.BUYER,
    OrderAction.WITHDRAW: Side.BUYER,
    OrderAction.ACCEPT_DELIVERY: Side.BUYER,
    OrderAction.DISPUTE: Side.BUYER,
    OrderAction.RESOLVE_COMPLETE: Side.ADMIN,
    OrderAction.RESOLVE_REDELIVER: Side.ADMIN,
    OrderAction.RESOLVE_CANCEL: Side.ADMIN,
}

# Milestones may be paid once the price is frozen, and not while a dispute is open or after the order ended.
PAYABLE = frozenset({_S.ORDERED, _S.DELIVERED, _S.COMPLETED})
_SUBJECT = ("服务订单", "service order")


def next_status(status: str, action: OrderAction) -> ServiceOrderStatus:
    """The order's next status, or a 409 naming both."""
    return next_state(TRANSITIONS, status, action, subject=_SUBJECT)
