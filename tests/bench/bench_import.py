"""Bulk import speed: parse + validate + save of generated achievements from an xlsx, against plain COPY.

The import runs the production path (`imports.prepare_import`, then `bulk.save_rows`) inside a transaction
that is rolled back, so the benchmark leaves nothing behind and a running worker never sees its rows. The
limit is a plain COPY of the very rows the import wrote into a scratch temp table on its own connection.
"""

import asyncio
import io
import json
import random
import time
from typing import Any

import asyncpg
from openpyxl import Workbook
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from devdata.generator import generate_listings, generate_orgs
from services.accounts import service as accounts_service
from services.catalog.repository import LISTING_INSERT_COLUMNS
from services.core.db import close_database, open_database
from services.core.settings import get_settings
from services.imports import service as imports
from services.imports import templates
from services.imports.bulk import save_rows
from services.imports.columns import COLUMNS
from services.reference.identifiers import uscc_check_character
from services.reference.vocabulary import ListingType

BENCH_USCC_BODY = "91500106MA5UBENCH"
COPIED_COLUMNS = (*LISTING_INSERT_COLUMNS, "created_at", "updated_at")
# The import validates, scores, snapshots and writes an outbox row per listing; within 200x of a bare COPY
# of the same rows is ≈1,000+ rows/s on a laptop, the floor (10,000 rows well under a minute).
TARGET_RATIO = 0.005


class _RollBack(Exception):
    """Raised to undo the benchmark's writes after they were measured."""


def achievement_bodies(count: int, seed: int = 20260301) -> list[dict[str, Any]]:
    """`count` realistic achievement create bodies with unique external references (deterministic)."""
    rng = random.Random(seed)
    orgs = generate_orgs(rng)
    bodies: list[dict[str, Any]] = []
    for item in generate_listings(rng, scale=count * 3 + 10, orgs=orgs):
        if item.type == ListingType.ACHIEVEMENT:
            bodies.append({**item.payload, "external_ref": item.external_ref})
            if len(bodies) == count:
                break
    return bodies


def xlsx_of(listing_type: ListingType, bodies: list[dict[str, Any]]) -> bytes:
    """An xlsx in template layout (English header row) holding the bodies, one per row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(listing_type.value)
    sheet.append([column.name for column in COLUMNS[listing_type]])
    for body in bodies:
        sheet.append(templates.row_from_body(listing_type, body))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def bench_import(rows: int = 10_000) -> dict[str, Any]:
    """Measure parse+validate+save rows/s of an xlsx of `rows` achievements, and the COPY limit."""
    opened = not Tortoise._inited
    if opened:
        await open_database()
    try:
        return await _measure(rows)
    finally:
        if opened:
            await close_database()


async def _measure(rows: int) -> dict[str, Any]:
    content = xlsx_of(ListingType.ACHIEVEMENT, achievement_bodies(rows))
    marks: dict[str, float] = {}

    async def progress(total: int, done: int, failed: int) -> None:
        marks.setdefault("parsed", time.perf_counter())
        marks["validated"] = time.perf_counter()

    written: list[dict[str, Any]] = []
    outcome: dict[str, Any] = {}
    try:
        async with in_transaction() as conn:
            org_id = await accounts_service.ensure_org(
                name="导入基准测试机构",
                uscc=BENCH_USCC_BODY + uscc_check_character(BENCH_USCC_BODY),
                kind="university",
                region="500106",
            )
            started = time.perf_counter()
            prepared = await imports.prepare_import(
                listing_type=ListingType.ACHIEVEMENT,
                org_id=org_id,
                filename="bench.xlsx",
                content=content,
                progress=progress,
            )
            prepared_at = time.perf_counter()
            saved = await save_rows(
                org_id=org_id,
                actor_id=None,
                listing_type=ListingType.ACHIEVEMENT,
                rows=prepared.valid,
                publish=False,
            )
            saved_at = time.perf_counter()
            outcome = {
                "parse_s": marks["parsed"] - started,
                "validate_s": marks["validated"] - marks["parsed"],
                "duplicate_check_s": prepared_at - marks["validated"],
                "save_s": saved_at - prepared_at,
                "total_s": saved_at - started,
                "created": saved.created,
                "errors": len(prepared.errors),
            }
            written = await conn.execute_query_dict(
                f"SELECT {', '.join(COPIED_COLUMNS)} FROM catalog_listing WHERE org_id = $1 ORDER BY id",
                [org_id],
            )
            raise _RollBack
    except _RollBack:
        pass
    copy_s = await _copy_seconds(written)
    imported = outcome["created"]
    import_rate = imported / outcome["total_s"]
    validate_save_rate = imported / (outcome["validate_s"] + outcome["save_s"])
    copy_rate = len(written) / copy_s
    return {
        "name": "import.xlsx_achievements",
        "rows": rows,
        "xlsx_bytes": len(content),
        **{key: round(value, 3) if isinstance(value, float) else value for key, value in outcome.items()},
        "import_rows_per_s": round(import_rate),
        "validate_save_rows_per_s": round(validate_save_rate),
        "copy_s": round(copy_s, 3),
        "copy_rows_per_s": round(copy_rate),
        "ratio": round(import_rate / copy_rate, 4),
        "target": TARGET_RATIO,
        "validate_save_ratio": round(validate_save_rate / copy_rate, 4),
    }


async def _copy_seconds(records: list[dict[str, Any]]) -> float:
    """The floor: COPY the same rows into an index-free temp table of the same column types."""
    url = get_settings().database_url.replace("postgres://", "postgresql://", 1)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            f"CREATE TEMP TABLE bench_listing AS SELECT {', '.join(COPIED_COLUMNS)} FROM catalog_listing LIMIT 0"
        )
        values = [
            tuple(
                json.dumps(value, ensure_ascii=False)
                if column in ("fields", "keywords", "attributes", "quality_missing")
                and not isinstance(value, str)
                else value
                for column, value in ((c, record[c]) for c in COPIED_COLUMNS)
            )
            for record in records
        ]
        started = time.perf_counter()
        await connection.copy_records_to_table("bench_listing", records=values, columns=list(COPIED_COLUMNS))
        return time.perf_counter() - started
    finally:
        await connection.close()


if __name__ == "__main__":
    import sys

    print(json.dumps(asyncio.run(bench_import(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)), indent=2))
