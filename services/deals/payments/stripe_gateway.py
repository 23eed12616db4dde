"""The only module that imports stripe: PaymentIntents and webhook verification."""

import json
from typing import Any

import stripe

from services.core import metrics
from services.core.settings import get_settings
from services.deals.payments.port import (
    IntentResult,
    InvalidSignature,
    ProviderEvent,
    TerminalPaymentError,
    TransientPaymentError,
)

# Pinned so a library upgrade never silently changes the shape of what Stripe sends us.
STRIPE_API_VERSION = "2026-10-28.endive"


class StripeGateway:
    name = "stripe"

    def __init__(self, *, api_key: str, api_base: str | None, webhook_secret: str) -> None:
        bases: dict[str, str] = {}
        if api_base:
            bases = {"api": api_base, "files": api_base, "connect": api_base}
        self._client = stripe.StripeClient(
            api_key,
            stripe_version=STRIPE_API_VERSION,
            base_addresses=bases,  # type: ignore[arg-type]
            max_network_retries=2,
            http_client=stripe.HTTPXClient(timeout=15),
        )
        self._webhook_secret = webhook_secret

    async def create_intent(
        self,
        *,
        amount_fen: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
        methods: list[str],
        description: str,
    ) -> IntentResult:
        """Create a PaymentIntent; the amount is in the currency's minor unit (fen for CNY)."""
        params: dict[str, Any] = {
            "amount": amount_fen,
            "currency": currency,
            "payment_method_types": methods,
            "metadata": metadata,
            "description": description,
        }
        try:
            intent = await self._client.v1.payment_intents.create_async(
                params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            metrics.STRIPE_ERRORS.labels("transient").inc()
            raise TransientPaymentError(str(exc)) from exc
        except stripe.StripeError as exc:
            if getattr(exc, "http_status", None) and exc.http_status >= 500:  # type: ignore[operator]
                metrics.STRIPE_ERRORS.labels("transient").inc()
                raise TransientPaymentError(str(exc)) from exc
            metrics.STRIPE_ERRORS.labels("terminal").inc()
            raise TerminalPaymentError(str(exc)) from exc
        return IntentResult(provider_ref=intent.id, client_secret=intent.client_secret, status=intent.status)

    def parse_webhook(self, *, payload: bytes, signature: str) -> ProviderEvent:
        """Verify the Stripe-Signature header over the raw body, then parse the event."""
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature, self._webhook_secret, 300
            )
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise InvalidSignature(str(exc)) from exc
        data = json.loads(payload)
        obj = (data.get("data") or {}).get("object") or {}
        return ProviderEvent(
            id=str(data.get("id")),
            type=str(data.get("type")),
            object_id=obj.get("id"),
            object_status=obj.get("status"),
            metadata=dict(obj.get("metadata") or {}),
            payload=data,
        )


def gateway_from_settings() -> StripeGateway:
    """The Stripe adapter configured from the environment."""
    settings = get_settings()
    return StripeGateway(
        api_key=settings.stripe_api_key,
        api_base=settings.stripe_api_base or None,
        webhook_secret=settings.stripe_webhook_secret,
    )
