"""The outbox worker: drains committed changes into the search engine and the matcher, in order."""

import asyncio
import json
import signal
from typing import Any

import orjson
from redis.exceptions import RedisError

from matching import service as matching_service
from search import service as search_service
from search.client import EngineError, EngineUnavailable
from search.documents import DOCUMENT_KEY
from services.accounts import mail as mail_sender
from services.accounts import service as accounts_service
from services.bookings import service as bookings_service
from services.catalog import service as catalog_service
from services.core import outbox
from services.core.db import transaction
from services.core.logging import get_logger
from services.demand import service as demand_service
from services.imports import service as imports
from services.indicators import service as indicators_service
from services.notifications import service as notifications_service
from services.vouchers import service as vouchers_service

log = get_logger("worker.outbox")
BATCH = 1000
LANES = 3
IDLE_SLEEP = 0.2
MAX_BACKOFF = 30.0
REMINDER_INTERVAL_S = 300.0
MAIL_IDLE_SLEEP = 1.0


async def process_batch(limit: int = BATCH) -> int:
    """Claim, apply and mark one batch; returns how many rows were handled (raises when the engine is down)."""
    async with transaction() as conn:
        rows = await outbox.claim_batch(conn, limit, detach=("snapshot", DOCUMENT_KEY))
        if not rows:
            return 0
        payloads = {r["id"]: _payload(r) for r in rows}
        for row in rows:
            if row["detached"] is not None and row["topic"] == "listing.changed":
                payloads[row["id"]]["snapshot"][DOCUMENT_KEY] = row["detached"]
        listing_rows = [r for r in rows if r["topic"] == "listing.changed"]
        done = [r["id"] for r in rows if r["topic"] != "listing.changed"]
        touched_fields = sorted(
            {code for r in listing_rows for code in (payloads[r["id"]]["snapshot"].get("fields") or [])}
        )
        if listing_rows:
            events = [(int(r["aggregate_version"]), payloads[r["id"]]["snapshot"]) for r in listing_rows]
            # Supply that demands match on is made searchable before they are marked for re-matching, so
            # the re-match (right after this batch) sees it rather than the index of a second ago.
            failures = await search_service.index_snapshots(
                events, refresh_after=True if touched_fields else None
            )
            failed_ids = {str(f["id"]) for f in failures}
            for row in listing_rows:
                if str(row["aggregate_id"]) in failed_ids:
                    error = json.dumps([f for f in failures if str(f["id"]) == str(row["aggregate_id"])])[
                        :2000
                    ]
                    dead = await outbox.mark_failed(conn, row["id"], error, int(row["attempts"]))
                    log.error("outbox.index_failed", outbox_id=row["id"], dead=dead)
                else:
                    done.append(row["id"])
        # Demands are searchable (type=demand): their events carry the public snapshot to index.
        demand_rows = [
            r for r in rows if r["topic"] == "demand.changed" and payloads[r["id"]].get("snapshot")
        ]
        if demand_rows:
            events = [(int(r["aggregate_version"]), payloads[r["id"]]["snapshot"]) for r in demand_rows]
            failures = await search_service.index_snapshots(events)
            if failures:
                # The demand search copy is secondary (the demand itself is in PostgreSQL): log and move on.
                log.warning("outbox.demand_index_failed", failures=json.dumps(failures)[:2000])
        verified_orgs = sorted(
            {int(r["aggregate_id"]) for r in rows if r["topic"] == accounts_service.ORG_VERIFIED_TOPIC}
        )
        for org_id in verified_orgs:
            # In the outbox's transaction: the listings' new events are written exactly when this one is done.
            await catalog_service.reindex_org_listings(org_id=org_id, verified=True, connection=conn)
        for row in rows:
            if row["topic"] in vouchers_service.SETTLING_TOPICS:
                # In the outbox row's transaction: a voucher part is given back exactly once.
                await vouchers_service.settle_closed_bill(
                    topic=row["topic"],
                    aggregate_id=int(row["aggregate_id"]),
                    payload=payloads[row["id"]],
                    connection=conn,
                )
        contracts = [int(r["aggregate_id"]) for r in rows if r["topic"] == "contract.changed"]
        if contracts:
            # In the same transaction as the outbox marks: the roll-up never misses or doubles a change.
            await indicators_service.apply_contract_changes(contract_ids=contracts, connection=conn)
        demands = sorted(
            {
                int(r["aggregate_id"])
                for r in rows
                if r["topic"] == "demand.changed" and payloads[r["id"]].get("status") == "published"
            }
        )
        # Marked stale in the outbox's transaction: the re-match work is never lost, and "outbox drained
        # and no stale published demand" is an observable "matches computed".
        await demand_service.mark_matches_stale(
            field_codes=touched_fields, demand_ids=demands, connection=conn
        )
        await outbox.mark_processed(conn, done)
    pushed = {
        int(user_id)
        for r in rows
        if r["topic"] == notifications_service.NOTIFICATION_TOPIC
        for user_id in payloads[r["id"]].get("user_ids") or []
    }
    if pushed:
        # After the commit: a woken stream reads the rows (they were committed with the change itself).
        try:
            await notifications_service.push_to_streams(user_ids=pushed)
        except RedisError as exc:
            # Streams also poll PostgreSQL: a missed wake-up delays a notification, it never loses one.
            log.warning("notifications.push_failed", error=type(exc).__name__)
    for demand_id in demands:
        # Matching reads the index just written; a failure leaves the demand stale for the next loop.
        try:
            await matching_service.refresh_matches(demand_id=demand_id)
        except (EngineUnavailable, EngineError) as exc:
            log.warning("matching.refresh_failed", demand_id=demand_id, error=type(exc).__name__)
    return len(rows)


async def refresh_stale_matches(limit: int = 20) -> int:
    """Re-match a few demands whose supply changed (bounded per loop so indexing stays first)."""
    demand_ids = await demand_service.demands_needing_matches(limit=limit)
    for demand_id in demand_ids:
        await matching_service.refresh_matches(demand_id=demand_id)
    return len(demand_ids)


async def process_import_jobs() -> int:
    """Run the oldest queued import job, if any (it needs only the database, so it runs while the engine is down)."""
    return await imports.run_next_import_job()


def _payload(row: dict[str, Any]) -> dict[str, Any]:
    payload = row["payload"]
    return orjson.loads(payload) if isinstance(payload, str) else dict(payload)


async def process_lanes(limit: int = BATCH, lanes: int = LANES) -> int:
    """Several batches at once: while the engine indexes one, the next is claimed and prepared.

    Lanes claim disjoint rows (SKIP LOCKED); two versions of one listing may land in different lanes, and
    external versions make the engine keep the newer whichever bulk arrives first.
    """
    return sum(await asyncio.gather(*(process_batch(limit) for _ in range(lanes))))


async def drain(limit: int = BATCH, *, settle_seconds: float = 300) -> int:
    """Process until the outbox is empty and every published demand's matches are computed (used by tests and
    the seed command); returns the outbox rows handled here.

    A running worker may hold rows this call skips (SKIP LOCKED): the outbox is empty only when those are
    processed too, so wait for them (up to `settle_seconds`) before returning; callers read what they wrote.
    A demand matched while its supply was still being indexed in another lane is left stale: re-match it here
    rather than leave it to the worker's idle loop, so a drained stack has complete matches.
    """
    await search_service.ensure_indices()
    total = 0
    deadline = asyncio.get_running_loop().time() + settle_seconds
    while True:
        handled = await process_lanes(limit)
        total += handled
        if handled:
            continue
        if await outbox.count_pending() == 0:
            if asyncio.get_running_loop().time() <= deadline and await refresh_stale_matches():
                continue
            return total
        if asyncio.get_running_loop().time() > deadline:
            log.warning("worker.drain_unsettled", pending=await outbox.count_pending())
            return total
        await asyncio.sleep(0.1)


async def run_forever(stop: asyncio.Event | None = None) -> None:
    """Drain continuously; back off exponentially while the engine is unreachable, then catch up."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    backoff = 0.5
    indices_ready = False
    next_reminders = loop.time()
    log.info("worker.started")
    warming = asyncio.create_task(search_service.warm_analysis())
    # Imports run in a lane of their own: a large or hostile file never holds up indexing.
    import_lane = asyncio.create_task(_import_lane(stop))
    # Mail in a lane of its own too: a slow or unreachable SMTP server never holds up indexing.
    mail_lane = asyncio.create_task(_mail_lane(stop))
    while not stop.is_set():
        try:
            if not indices_ready:
                # The engine may start after the worker: wait for it as for any outage rather than exit.
                await search_service.ensure_indices()
                indices_ready = True
            handled = await bookings_service.expire_overdue_bookings()
            handled += await process_lanes()
            if handled == 0:
                handled = await refresh_stale_matches()
            if loop.time() >= next_reminders:
                await demand_service.remind_overdue()
                next_reminders = loop.time() + REMINDER_INTERVAL_S
            backoff = 0.5
        except EngineUnavailable:
            log.warning("worker.engine_unavailable", retry_in_s=backoff)
            handled = 0
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        except Exception:
            log.exception("worker.batch_failed", retry_in_s=backoff)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        if handled == 0:
            await _sleep(stop, IDLE_SLEEP)
    await import_lane
    await mail_lane
    await warming
    await search_service.settle()
    log.info("worker.stopped")


async def _import_lane(stop: asyncio.Event) -> None:
    """Run queued import jobs one after another until stopped (parsing happens in a child process)."""
    while not stop.is_set():
        try:
            handled = await process_import_jobs()
        except Exception:
            log.exception("worker.import_lane_failed")
            handled = 0
        if handled == 0:
            await _sleep(stop, IDLE_SLEEP)


async def _mail_lane(stop: asyncio.Event) -> None:
    """Deliver due outgoing mail until stopped (SMTP when configured, else the development mail viewer)."""
    while not stop.is_set():
        try:
            handled = await mail_sender.deliver_due_mail()
        except Exception:
            log.exception("worker.mail_lane_failed")
            handled = 0
        if handled == 0:
            await _sleep(stop, MAIL_IDLE_SLEEP)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return


async def replay_since(after_id: int) -> int:
    """Re-apply listing events after an outbox id (external versions make replays harmless)."""
    total = 0
    while True:
        rows = await outbox.events_since(after_id, "listing.changed")
        if not rows:
            return total
        await search_service.index_snapshots([(r.aggregate_version, r.payload["snapshot"]) for r in rows])
        total += len(rows)
        after_id = rows[-1].id
