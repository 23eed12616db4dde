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
    id: str
    type: str
    object_id: str | None
    object_status: str | None
    metadata: dict[str, Any]
    payload: dict[str, Any]


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
    ) -> IntentResult: ...

    def parse_webhook(self, *, payload: bytes, signature: str) -> ProviderEvent: ...
