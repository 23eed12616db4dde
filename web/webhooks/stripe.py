"""Stripe webhooks: the raw body goes to the payments service, which verifies and applies it."""

from typing import Any

from fastapi import APIRouter, Request

from services.deals.payments import service as payments

router = APIRouter(prefix="/api/v1", tags=["deals"])


@router.post("/payments/stripe/webhook")
async def stripe_webhook(request: Request) -> dict[str, Any]:
    return await payments.handle_webhook(
        payload=await request.body(),
        signature=request.headers.get("stripe-signature", ""),
        provider=request.app.state.payments,
    )
