"""The payment-provider port: Stripe is one adapter; a domestic split-payment adapter is another."""

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class IntentResult:
    provider_ref: str
    client_secret: str | None
    status: str


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """A verified provider event, reduced to what the handlers need."""

    id: str
    type: str
    # The payment intent the event is about (for a refund: the intent of the refunded charge).
    intent_id: str | None
    object_status: str | None
    amount: int | None
    currency: str | None
    amount_refunded: int | None
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Payout:
    """Where the seller's share goes as the charge settles, and what the platform keeps (fee + commission)."""

    destination: str
    platform_keeps_fen: int


@dataclass(frozen=True, slots=True)
class ProviderPayment:
    """What the provider holds for one of our payments, read back by its id (for reconciliation).

    `authoritative` is False when the provider answered from canned fixtures rather than its records (stripe-mock
    says so in a response header): then only the identity of the object is evidence, not its amounts.
    """

    intent_id: str
    status: str
    amount_fen: int
    currency: str
    received_fen: int
    refunded_fen: int
    # A Connect destination charge: what went to the seller's account and came back by reversals, and the
    # application fee the platform collected from it and returned.
    transferred_fen: int
    transfer_reversed_fen: int
    application_fee_fen: int
    application_fee_refunded_fen: int
    authoritative: bool


@dataclass(frozen=True, slots=True)
class ProviderRefund:
    """A refund this system asked for, read back by its id."""

    refund_id: str
    intent_id: str | None
    status: str
    amount_fen: int
    currency: str
    authoritative: bool


class MalformedEvent(Exception):
    """A correctly signed event whose shape we cannot use; `event_id` when it names one."""

    def __init__(self, reason: str, event_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.event_id = event_id


class TransientPaymentError(Exception):
    """The provider could not be reached or is overloaded: retry with the same idempotency key."""


class TerminalPaymentError(Exception):
    """The provider refused the request: retrying will not help."""


class InvalidSignature(Exception):
    """A webhook whose signature does not verify."""


class PaymentProvider(Protocol):
    name: str

    async def create_intent(
        self,
        *,
        amount_fen: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
        methods: list[str],
        description: str,
        payout: "Payout | None" = None,
    ) -> IntentResult: ...

    def parse_webhook(self, *, payload: bytes, signature: str) -> ProviderEvent: ...

    async def refund(
        self, *, intent_id: str, amount_fen: int, idempotency_key: str, reverse_payout: bool
    ) -> str: ...

    async def retrieve_payment(self, *, intent_id: str) -> ProviderPayment: ...

    async def retrieve_refund(self, *, refund_id: str) -> ProviderRefund: ...
