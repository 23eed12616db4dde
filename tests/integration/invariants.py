"""Checks shared by the negative tests: a refused call answers problem+json and leaves every table as it was."""

import asyncio
import hashlib
import hmac
import os
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx

# Every table an API call can add rows to. demand_match is left out: the worker refreshes a published
# demand's suggestions in the background, so its row count may move while a test runs.
COUNTED_TABLES = (
    "accounts_organisation",
    "accounts_user",
    "accounts_invitation",
    "catalog_listing",
    "catalog_expert_contact",
    "catalog_consent_record",
    "catalog_listing_revision",
    "catalog_enquiry",
    "demand_demand",
    "demand_match_event",
    "demand_match_note",
    "demand_revision",
    "deals_booking",
    "bookings_closure",
    "bookings_training",
    "deals_contract",
    "deals_milestone",
    "deals_non_technical_item",
    "deals_payment",
    "deals_refund",
    "deals_ledger_entry",
    "deals_stripe_event",
    "testing_request",
    "vouchers_programme",
    "vouchers_voucher",
    "vouchers_redemption",
    "orders_service_order",
    "testing_method",
    "core_outbox",
    "core_audit_log",
    "core_job",
    "brokers_profile",
)


async def row_counts(db: asyncpg.Connection) -> dict[str, int]:
    """Rows per table, in one query."""
    selects = ", ".join(f"(SELECT count(*) FROM {table}) AS {table}" for table in COUNTED_TABLES)
    row = await db.fetchrow(f"SELECT {selects}")
    assert row is not None
    return dict(row)


async def outbox_settled(db: asyncpg.Connection, wait_seconds: float = 15.0) -> None:
    """Wait until the worker has caught up with every outbox row (the effects of earlier writes have landed).

    The worker reacts to earlier setup (a published listing is matched to demands, a new match notifies the
    buyer): those rows are not the block's doing, so they must be in place before the block is counted.
    """
    deadline = asyncio.get_running_loop().time() + wait_seconds
    # One snapshot of both: the worker marks demands stale in the outbox row's transaction, and a re-match
    # commits its notification's outbox row with the new matches, so "0 and 0" means nothing is in flight.
    while await db.fetchval(
        "SELECT (SELECT count(*) FROM core_outbox WHERE processed_at IS NULL)"
        " + (SELECT count(*) FROM demand_demand WHERE status = 'published' AND matched_at IS NULL)"
    ):
        if asyncio.get_running_loop().time() > deadline:
            return  # the count below then shows what the worker is still doing
        await asyncio.sleep(0.05)


@asynccontextmanager
async def nothing_saved(db: asyncpg.Connection) -> AsyncIterator[None]:
    """Assert that the block added or removed no row anywhere (no half-saved write, no outbox row)."""
    await outbox_settled(db)
    before = await row_counts(db)
    yield
    after = await row_counts(db)
    changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
    assert not changed, f"rows changed (before, after): {changed}"


def _contains(loc: Sequence[Any], expected: Sequence[Any]) -> bool:
    parts = [str(p) for p in loc]
    wanted = [str(p) for p in expected]
    return any(parts[i : i + len(wanted)] == wanted for i in range(len(parts) - len(wanted) + 1))


def assert_problem(response: httpx.Response, status: int, loc: Sequence[Any] | None = None) -> dict[str, Any]:
    """A problem+json answer with the status, the RFC 9457 members and, for validation, the field's loc."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:800]}"
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == status
    assert body["detail"]
    if loc is not None:
        locs = [error["loc"] for error in body.get("errors") or []]
        assert any(_contains(found, loc) for found in locs), f"no error at {list(loc)}; errors at {locs}"
        assert all(error.get("msg") for error in body["errors"]), body["errors"]
    return body


def stripe_signature(payload: bytes, secret: str | None = None, timestamp: int | None = None) -> str:
    """The real Stripe-Signature scheme: t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<raw body>")."""
    ts = timestamp or int(time.time())
    key = (secret or os.environ["STRIPE_WEBHOOK_SECRET"]).encode()
    digest = hmac.new(key, f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"
