"""Availability speed: an instrument with 10,000 bookings, the availability service against the raw interval query.

`get_availability` (instrument snapshot, closures, the taken intervals, opening hours minus closures minus
taken time) over a 90-day window, against the bare SQL a client would run for the same window's taken
intervals, on the same connection pool and database. Both are medians of N rounds after a warm-up.

    python -m tests.bench.bench_availability            # its own scratch database, dropped afterwards

Inside `make bench` (tests/bench/run.py) it runs on the bench database and leaves its rows behind, marked.
"""

import asyncio
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

BOOKINGS = 10_000
ROUNDS = 40
TARGET_RATIO = 2.0
MARKER_TITLE = "bench.availability instrument"
RAW_SQL = (
    "SELECT starts_at, ends_at, status FROM deals_booking WHERE instrument_id = $1 AND starts_at < $3 "
    "AND ends_at > $2 AND (status IN ('approved', 'in_progress') OR (status = 'pending' "
    "AND (expires_at IS NULL OR expires_at > $4))) ORDER BY starts_at"
)


def _pg_url() -> str:
    return os.environ["DATABASE_URL"].replace("postgres://", "postgresql://")


async def _instrument(conn: asyncpg.Connection, bookings: int) -> tuple[int, datetime]:
    """The bench instrument (made once per database): weekday hours, a closure, `bookings` approved bookings."""
    found = await conn.fetchrow(
        "SELECT l.id, min(b.starts_at) AS first FROM catalog_listing l JOIN deals_booking b ON b.instrument_id = l.id "
        "WHERE l.title = $1 GROUP BY l.id HAVING count(b.id) = $2",
        MARKER_TITLE,
        bookings,
    )
    if found is not None:
        return int(found["id"]), found["first"]
    org_id = await conn.fetchval(
        "INSERT INTO accounts_organisation (name, uscc, kind, region, verified_at, created_at, updated_at) "
        "VALUES ($1, $2, 'university', '500106', now(), now(), now()) "
        "ON CONFLICT (uscc) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        "基准测试大学",
        "12500000BENCHAVA1X",
    )
    attributes = {
        "name": MARKER_TITLE,
        "service_modes": ["self", "commissioned"],
        "fees": [{"unit": "hour", "price_fen": 40_000}],
        "availability": "available",
        "booking": {
            "min_notice_hours": 1,
            "max_hours": 8,
            "opening_hours": [{"weekday": d, "open": "08:00", "close": "22:00"} for d in range(1, 8)],
        },
    }
    listing_id = await conn.fetchval(
        "INSERT INTO catalog_listing (type, status, org_id, title, summary, description, fields, keywords, "
        "attributes, version, quality_score, quality_missing, created_at, updated_at, published_at) "
        "VALUES ('instrument', 'published', $1, $2, '', '', '[]', '[]', $3::jsonb, 1, 0, '[]', now(), now(), now()) "
        "RETURNING id",
        org_id,
        MARKER_TITLE,
        json.dumps(attributes),
    )
    first = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    # One 1-hour booking every 2 hours, 10,000 of them: about 833 days of a busy instrument.
    rows = [
        (listing_id, org_id, 1, first + timedelta(hours=2 * n), first + timedelta(hours=2 * n + 1))
        for n in range(bookings)
    ]
    await conn.copy_records_to_table(
        "deals_booking",
        records=[(*row, "commissioned", "approved", 40_000, "cny", "", 0, row[3], row[3]) for row in rows],
        columns=[
            "instrument_id",
            "org_id",
            "user_id",
            "starts_at",
            "ends_at",
            "mode",
            "status",
            "price_fen",
            "currency",
            "note",
            "cancel_fee_fen",
            "created_at",
            "updated_at",
        ],
    )
    await conn.execute(
        "INSERT INTO bookings_closure (instrument_id, starts_at, ends_at, kind, note, created_at, updated_at) "
        "VALUES ($1, $2, $3, 'maintenance', '', now(), now())",
        listing_id,
        first + timedelta(days=30),
        first + timedelta(days=32),
    )
    await conn.execute("ANALYZE deals_booking")
    return int(listing_id), first


async def bench_availability(*, bookings: int = BOOKINGS, rounds: int = ROUNDS) -> dict[str, Any]:
    """Medians of the availability service and of the raw interval query over the same 90-day window."""
    from services.bookings import service as bookings_service

    conn = await asyncpg.connect(_pg_url())
    try:
        instrument_id, first = await _instrument(conn, bookings)
        start, end = first + timedelta(days=100), first + timedelta(days=190)
        service_s: list[float] = []
        raw_s: list[float] = []
        taken = 0
        for round_no in range(rounds + 3):
            began = time.perf_counter()
            result = await bookings_service.get_availability(
                instrument_id=instrument_id, start=start, end=end
            )
            service_elapsed = time.perf_counter() - began
            began = time.perf_counter()
            raw = await conn.fetch(RAW_SQL, instrument_id, start, end, datetime.now(UTC))
            raw_elapsed = time.perf_counter() - began
            if round_no >= 3:  # warm-up rounds are not counted
                service_s.append(service_elapsed)
                raw_s.append(raw_elapsed)
            taken = len(result["taken"])
            assert taken == len(raw), (taken, len(raw))
    finally:
        await conn.close()
    service_ms = statistics.median(service_s) * 1000
    raw_ms = statistics.median(raw_s) * 1000
    return {
        "bookings": bookings,
        "window_days": 90,
        "taken_in_window": taken,
        "service_ms": round(service_ms, 3),
        "raw_ms": round(raw_ms, 3),
        "ratio": round(service_ms / raw_ms, 3),
        "target": TARGET_RATIO,
    }


async def _standalone() -> int:
    base = os.environ.get("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/techmarket").rsplit(
        "/", 1
    )[0]
    name = f"techmarket_bench_availability_{os.getpid()}"
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    admin = await asyncpg.connect(base.replace("postgres://", "postgresql://") + "/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        from services.core.db import close_database, migrate_database, open_database

        await migrate_database()
        await open_database()
        try:
            result = await bench_availability()
        finally:
            await close_database()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ratio"] <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(_standalone()))
