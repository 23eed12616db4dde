"""The only module that imports stripe: PaymentIntents and webhook verification."""

import json
from typing import Any

import stripe

from services.core import metrics
from services.core.settings import get_settings
from services.deals.payments.port import (
    IntentResult,
    InvalidSignature,
    MalformedEvent,
    Payout,
    ProviderEvent,
    ProviderPayment,
    ProviderRefund,
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
        payout: Payout | None = None,
    ) -> IntentResult:
        """Create a PaymentIntent; the amount is in the currency's minor unit (fen for CNY)."""
        params: dict[str, Any] = {
            "amount": amount_fen,
            "currency": currency,
            "payment_method_types": methods,
            "metadata": metadata,
            "description": description,
        }
        if payout is not None:
            # A Connect destination charge: Stripe moves the rest to the seller's account as the charge
            # settles, and the application fee (platform fee + broker commission) stays with the platform.
            params["transfer_data"] = {"destination": payout.destination}
            params["application_fee_amount"] = payout.platform_keeps_fen
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
        try:
            data = json.loads(payload)
        except ValueError as exc:
            raise MalformedEvent("body is not JSON") from exc
        return event_from_payload(data)

    async def refund(
        self, *, intent_id: str, amount_fen: int, idempotency_key: str, reverse_payout: bool
    ) -> str:
        """Refund part or all of a PaymentIntent's charge; the `charge.refunded` event books it."""
        params: dict[str, Any] = {"payment_intent": intent_id, "amount": amount_fen}
        if reverse_payout:
            # A destination charge: pull the seller's share back from the connected account and return the
            # application fee, both in proportion to the refund, so each party bears its own share.
            params["reverse_transfer"] = True
            params["refund_application_fee"] = True
        try:
            refund = await self._client.v1.refunds.create_async(
                params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            metrics.STRIPE_ERRORS.labels("transient").inc()
            raise TransientPaymentError(str(exc)) from exc
        except stripe.StripeError as exc:
            metrics.STRIPE_ERRORS.labels("terminal").inc()
            raise TerminalPaymentError(str(exc)) from exc
        return str(refund.id)

    async def retrieve_payment(self, *, intent_id: str) -> ProviderPayment:
        """Read a PaymentIntent back with its latest charge and that charge's Connect transfer."""
        try:
            intent = await self._client.v1.payment_intents.retrieve_async(
                intent_id, {"expand": ["latest_charge.transfer", "latest_charge.application_fee"]}
            )
        except stripe.StripeError as exc:
            metrics.STRIPE_ERRORS.labels("transient").inc()
            raise TransientPaymentError(str(exc)) from exc
        charge = intent.latest_charge if isinstance(intent.latest_charge, stripe.Charge) else None
        transfer = (
            charge.transfer if charge is not None and isinstance(charge.transfer, stripe.Transfer) else None
        )
        fee = (
            charge.application_fee
            if charge is not None and isinstance(charge.application_fee, stripe.ApplicationFee)
            else None
        )
        return ProviderPayment(
            intent_id=intent.id,
            status=intent.status,
            amount_fen=intent.amount,
            currency=intent.currency,
            received_fen=intent.amount_received or 0,
            refunded_fen=charge.amount_refunded if charge is not None else 0,
            transferred_fen=transfer.amount if transfer is not None else 0,
            transfer_reversed_fen=transfer.amount_reversed if transfer is not None else 0,
            application_fee_fen=fee.amount if fee is not None else 0,
            application_fee_refunded_fen=fee.amount_refunded if fee is not None else 0,
            authoritative=_from_records(intent),
        )

    async def retrieve_refund(self, *, refund_id: str) -> ProviderRefund:
        """Read a refund back by its id."""
        try:
            refund = await self._client.v1.refunds.retrieve_async(refund_id)
        except stripe.StripeError as exc:
            metrics.STRIPE_ERRORS.labels("transient").inc()
            raise TransientPaymentError(str(exc)) from exc
        intent = refund.payment_intent
        return ProviderRefund(
            refund_id=refund.id,
            intent_id=intent if isinstance(intent, str) or intent is None else intent.id,
            status=str(refund.status),
            amount_fen=refund.amount,
            currency=refund.currency,
            authoritative=_from_records(refund),
        )


def _from_records(obj: Any) -> bool:
    """False when stripe-mock answered: it serves one fixture per object type whatever the id (only the id in the
    path is echoed back), so its amounts and statuses are not a record of anything."""
    response = getattr(obj, "last_response", None)
    headers = getattr(response, "headers", None) or {}
    return not any(name.lower() == "stripe-mock-version" for name in headers)


def _int_or_none(obj: dict[str, Any], key: str, event_id: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedEvent(f"data.object.{key} is not an integer", event_id)
    return value


def event_from_payload(data: Any) -> ProviderEvent:
    """The parts of a Stripe event the handlers use; anything of the wrong shape is a MalformedEvent."""
    if not isinstance(data, dict):
        raise MalformedEvent("event is not a JSON object")
    event_id, event_type = data.get("id"), data.get("type")
    if not isinstance(event_id, str) or not event_id or len(event_id) > 255:
        raise MalformedEvent("event id is missing or not a string")
    if not isinstance(event_type, str) or not event_type:
        raise MalformedEvent("event type is missing or not a string", event_id)
    body = data.get("data")
    obj = body.get("object") if isinstance(body, dict) else None
    if not isinstance(obj, dict):
        raise MalformedEvent("data.object is not an object", event_id)
    if not isinstance(obj.get("metadata", {}), dict):
        raise MalformedEvent("data.object.metadata is not an object", event_id)
    # A charge names its PaymentIntent; a PaymentIntent event is about itself.
    intent = obj.get("payment_intent") if obj.get("object") == "charge" else obj.get("id")
    if intent is not None and not isinstance(intent, str):
        raise MalformedEvent("the PaymentIntent id is not a string", event_id)
    currency, status = obj.get("currency"), obj.get("status")
    if currency is not None and not isinstance(currency, str):
        raise MalformedEvent("data.object.currency is not a string", event_id)
    return ProviderEvent(
        id=event_id,
        type=event_type,
        intent_id=intent,
        object_status=status if isinstance(status, str) else None,
        amount=_int_or_none(obj, "amount", event_id),
        currency=currency.lower() if currency else None,
        amount_refunded=_int_or_none(obj, "amount_refunded", event_id),
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
