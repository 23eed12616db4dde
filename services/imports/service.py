"""Bulk import of listings from xlsx and csv: queue a job with its file; the worker (or the CLI) runs it."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.catalog.schemas import AchievementCreate, ExpertCreate, ListingCommon
from services.core import jobs
from services.core.db import Connection, transaction
from services.core.errors import Invalid, NotFound
from services.core.logging import get_logger
from services.imports import isolation, parsing, repository
from services.imports.bulk import BulkResult, RowError, save_rows
from services.imports.parsing import ImportFileError
from services.imports.policies import import_target_org, may_see_job
from services.reference.vocabulary import ListingType

log = get_logger("imports")
JOB_KIND_PREFIX = "import."
CHUNK = 1000
MAX_REPORTED_ERRORS = 1000
MAX_WARNINGS = 1000

Progress = Callable[[int, int, int], Awaitable[None]]


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    PARTIAL = "partial"


class ImportRowError(BaseModel):
    row: int
    column: str
    msg: str = Field(description="the problem in both languages: 中文 (English)")
    msg_zh: str = Field(default="", description="the problem in Chinese")
    msg_en: str = Field(default="", description="the problem in English (empty when there is none)")


class ImportResult(BaseModel):
    created: int = 0
    updated: int = 0
    held_for_review: int = Field(
        default=0, description="updated rows whose new public text waits for review; the published text stays"
    )
    error_count: int = Field(default=0, description="all errors found; `errors` lists the first 1000")
    warnings: list[dict[str, Any]] = Field(
        default_factory=list,
        description="near-duplicates (same patent number in the catalogue, same title in the organisation)",
    )


class ImportJobCreated(BaseModel):
    job_id: uuid.UUID
    status: str


class ImportJobRead(BaseModel):
    id: uuid.UUID
    kind: str
    type: str
    status: str = Field(description="queued, running, done or failed")
    mode: str
    publish: bool
    filename: str
    total: int
    done: int
    failed: int
    errors: list[ImportRowError]
    created: datetime = Field(description="when the job was queued")
    updated: datetime = Field(description="last change of the job")
    result: ImportResult


@dataclass(slots=True)
class PreparedImport:
    """A file read and validated: the rows to save, and the errors and warnings found."""

    listing_type: ListingType
    total: int
    valid: list[tuple[int, ListingCommon]]
    errors: list[RowError]
    failed: int
    warnings: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class ImportOutcome:
    status: str
    total: int
    done: int
    failed: int
    errors: list[RowError]
    created: int = 0
    updated: int = 0
    held: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def result(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "held_for_review": self.held,
            "error_count": len(self.errors),
            "warnings": self.warnings[:MAX_WARNINGS],
        }

    def reported_errors(self) -> list[dict[str, Any]]:
        return [
            {"row": e.row, "column": e.column, "msg": e.msg, "msg_zh": e.zh, "msg_en": e.en}
            for e in self.errors[:MAX_REPORTED_ERRORS]
        ]


async def _no_progress(total: int, done: int, failed: int) -> None:
    return None


async def prepare_import(
    *,
    listing_type: ListingType,
    org_id: int,
    filename: str,
    content: bytes,
    progress: Progress = _no_progress,
) -> PreparedImport:
    """Parse and validate a file in chunks, reporting progress; raises ImportFileError for the whole file."""
    sheet = await isolation.parse_file_isolated(listing_type, content, filename=filename)
    total = sheet.total
    await progress(total, 0, 0)
    valid: list[tuple[int, ListingCommon]] = []
    errors: list[RowError] = []
    failed_rows: set[int] = set()
    for start in range(0, total, CHUNK):
        chunk = sheet.rows[start : start + CHUNK]
        chunk_valid, chunk_errors = parsing.validate_chunk(sheet, chunk)
        valid.extend(chunk_valid)
        errors.extend(chunk_errors)
        failed_rows.update(e.row for e in chunk_errors)
        await progress(total, start + len(chunk), len(failed_rows))
    warnings = await _near_duplicates(listing_type, org_id, valid)
    return PreparedImport(listing_type, total, valid, errors, len(failed_rows), warnings)


def _listing_title(data: ListingCommon) -> str:
    if isinstance(data, AchievementCreate):
        return data.title
    if isinstance(data, ExpertCreate):
        return data.name
    return str(getattr(data, "title", None) or getattr(data, "name", ""))


async def _near_duplicates(
    listing_type: ListingType, org_id: int, rows: list[tuple[int, ListingCommon]]
) -> list[dict[str, Any]]:
    """Warnings, not errors: a patent already in the catalogue (or twice in the file), a title the org has."""
    warnings: list[dict[str, Any]] = []
    refs = {number: data.external_ref for number, data in rows}
    by_patent: dict[str, list[int]] = {}
    for number, data in rows:
        if isinstance(data, AchievementCreate):
            for right in data.ip:
                if right.number and right.kind.value in ("invention", "utility", "design"):
                    by_patent.setdefault(right.number, []).append(number)
    file_refs = {ref for ref in refs.values() if ref}

    def in_this_file(found: dict[str, Any]) -> bool:
        # A listing this file updates is the row itself, or another row the in-file warnings already name.
        return found["org_id"] == org_id and found["external_ref"] in file_refs

    for found in await repository.listings_with_patents(listing_type.value, sorted(by_patent)):
        if in_this_file(found):
            continue
        for number in by_patent[found["number"]]:
            warnings.append(
                {"row": number, "kind": "same_patent", "number": found["number"], "listing_id": found["id"]}
            )
    for patent, numbers in by_patent.items():
        warnings.extend(
            {"row": later, "kind": "same_patent_in_file", "number": patent, "first_row": numbers[0]}
            for later in numbers[1:]
        )
    by_title: dict[str, list[int]] = {}
    for number, data in rows:
        by_title.setdefault(_listing_title(data), []).append(number)
    for found in await repository.listings_with_titles(org_id, listing_type.value, sorted(by_title)):
        if in_this_file({**found, "org_id": org_id}):
            continue
        for number in by_title[found["title"]]:
            warnings.append({"row": number, "kind": "same_title", "listing_id": found["id"]})
    for numbers in by_title.values():
        warnings.extend(
            {"row": later, "kind": "same_title_in_file", "first_row": numbers[0]} for later in numbers[1:]
        )
    warnings.sort(key=lambda w: (w["row"], w["kind"]))
    return warnings


def _should_save(prepared: PreparedImport, mode: ImportMode) -> bool:
    return bool(prepared.valid) and (mode == ImportMode.PARTIAL or not prepared.errors)


def _outcome(prepared: PreparedImport, mode: ImportMode, saved: BulkResult | None) -> ImportOutcome:
    all_or_nothing_failed = mode == ImportMode.ALL_OR_NOTHING and bool(prepared.errors)
    return ImportOutcome(
        status="failed" if all_or_nothing_failed or (not prepared.valid and prepared.errors) else "done",
        total=prepared.total,
        done=prepared.total,
        failed=prepared.failed,
        errors=prepared.errors,
        created=saved.created if saved else 0,
        updated=saved.updated if saved else 0,
        held=saved.held if saved else 0,
        warnings=prepared.warnings,
    )


async def import_file(
    *,
    org_id: int,
    actor_id: int | None,
    listing_type: ListingType,
    filename: str,
    content: bytes,
    publish: bool,
    mode: ImportMode,
    progress: Progress = _no_progress,
) -> ImportOutcome:
    """Import a file in this process (the CLI): all-or-nothing writes nothing when any row failed."""
    await accounts_service.get_org(org_id=org_id)
    try:
        prepared = await prepare_import(
            listing_type=listing_type, org_id=org_id, filename=filename, content=content, progress=progress
        )
    except ImportFileError as exc:
        return ImportOutcome(status="failed", total=0, done=0, failed=0, errors=exc.errors)
    saved = None
    if _should_save(prepared, mode):
        saved = await save_rows(
            org_id=org_id, actor_id=actor_id, listing_type=listing_type, rows=prepared.valid, publish=publish
        )
    return _outcome(prepared, mode, saved)


async def create_import_job(
    *,
    actor: Actor,
    listing_type: ListingType,
    filename: str,
    content: bytes,
    content_type: str = "",
    publish: bool = False,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    org_id: int | None = None,
) -> ImportJobCreated:
    """Queue an import of an uploaded file for the caller's organisation (admins: any, and may publish)."""
    org_id = import_target_org(actor, org_id=org_id, publish=publish)
    await accounts_service.get_org(org_id=org_id)
    try:
        parsing.check_upload(content, filename, content_type)
    except ImportFileError as exc:
        first = exc.errors[0]
        raise Invalid.field(["file"], first.zh, first.en or None, code="import_file_invalid") from exc
    async with transaction() as conn:
        job = await jobs.create_job(
            connection=conn,
            kind=f"{JOB_KIND_PREFIX}{listing_type.value}",
            owner_id=actor.user_id,
            org_id=org_id,
            params={"type": listing_type.value, "publish": publish, "mode": mode.value, "filename": filename},
            filename=filename,
            content=content,
        )
    log.info("import.queued", job_id=str(job.id), type=listing_type.value, size=len(content), org_id=org_id)
    return ImportJobCreated(job_id=job.id, status=job.status)


async def run_next_import_job() -> int:
    """Claim the oldest queued import and run it; 1 when one ran, 0 when none was waiting."""
    async with transaction() as conn:
        claimed = await jobs.claim_next(conn, JOB_KIND_PREFIX)
    if claimed is None:
        return 0
    job_id = uuid.UUID(str(claimed["id"]))
    try:
        await run_import_job(job_id=job_id)
    except Exception:
        log.exception("import.crashed", job_id=str(job_id))
        await fail_job(
            job_id=job_id, reason=("导入出错，请稍后重试或联系管理员", "internal error; try again later")
        )
    return 1


async def run_import_job(*, job_id: uuid.UUID) -> ImportOutcome | None:
    """Run a claimed job: parse, validate in chunks with progress, save, and record the outcome."""
    job = await jobs.get_job(job_id)
    stored = await jobs.read_file(job_id)
    if job is None or stored is None or job.org_id is None:
        return None
    filename, content = stored
    params = job.params
    listing_type = ListingType(params["type"])
    mode = ImportMode(params.get("mode", ImportMode.ALL_OR_NOTHING))
    if int(params.get("attempts", 1)) > jobs.MAX_ATTEMPTS:
        outcome = ImportOutcome(
            status="failed",
            total=job.total,
            done=job.done,
            failed=job.failed,
            errors=[
                RowError(0, "*", "导入多次中断，已放弃", "the import was interrupted too often; upload again")
            ],
        )
        await _record(job_id, outcome, None)
        return outcome

    async def progress(total: int, done: int, failed: int) -> None:
        await jobs.report_progress(job_id, total=total, done=done, failed=failed)

    log.info("import.started", job_id=str(job_id), type=listing_type.value)
    try:
        prepared = await prepare_import(
            listing_type=listing_type,
            org_id=job.org_id,
            filename=filename,
            content=content,
            progress=progress,
        )
    except ImportFileError as exc:
        outcome = ImportOutcome(status="failed", total=0, done=0, failed=0, errors=exc.errors)
        await _record(job_id, outcome, None)
        return outcome
    # The rows and the job's outcome commit together: a crash in between cannot import a file twice.
    async with transaction() as conn:
        saved = None
        if _should_save(prepared, mode):
            saved = await save_rows(
                org_id=job.org_id,
                actor_id=job.owner_id,
                listing_type=listing_type,
                rows=prepared.valid,
                publish=bool(params.get("publish")),
            )
        outcome = _outcome(prepared, mode, saved)
        await _record(job_id, outcome, conn)
    log.info(
        "import.finished",
        job_id=str(job_id),
        status=outcome.status,
        total=outcome.total,
        failed=outcome.failed,
        created=outcome.created,
        updated=outcome.updated,
        held=outcome.held,
    )
    return outcome


async def _record(job_id: uuid.UUID, outcome: ImportOutcome, connection: Connection | None) -> None:
    if connection is None:
        async with transaction() as conn:
            await _record(job_id, outcome, conn)
        return
    await jobs.finish(
        connection=connection,
        job_id=job_id,
        status=outcome.status,
        total=outcome.total,
        done=outcome.done,
        failed=outcome.failed,
        errors=outcome.reported_errors(),
        result=outcome.result(),
    )


async def fail_job(*, job_id: uuid.UUID, reason: tuple[str, str]) -> None:
    """Record an unexpected failure, in Chinese and English, so the client stops waiting (the worker logs the
    cause)."""
    await _record(job_id, ImportOutcome("failed", 0, 0, 0, [RowError(0, "*", *reason)]), None)


async def get_job(*, actor: Actor, job_id: uuid.UUID) -> ImportJobRead:
    """A job as its owner, its organisation's members and admins see it; to anyone else it does not exist."""
    job = await jobs.get_job(job_id)
    if job is None or not may_see_job(actor, job):
        raise NotFound("job_not_found", f"任务 {job_id} 不存在", "job not found")
    params = job.params
    result = params.get("result") or {}
    return ImportJobRead(
        id=job.id,
        kind=job.kind,
        type=params.get("type", job.kind.removeprefix(JOB_KIND_PREFIX)),
        status=job.status,
        mode=params.get("mode", ImportMode.ALL_OR_NOTHING.value),
        publish=bool(params.get("publish")),
        filename=params.get("filename", ""),
        total=job.total,
        done=job.done,
        failed=job.failed,
        errors=[ImportRowError.model_validate(e) for e in job.errors],
        created=job.created_at,
        updated=job.updated_at,
        result=ImportResult.model_validate(result),
    )
