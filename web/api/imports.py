"""Bulk import API: upload a spreadsheet of listings, poll its job, download a template per type."""

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, UploadFile, status

from services.catalog.schemas import RESOURCE_TYPES
from services.core.errors import NotFound
from services.imports import columns, templates
from services.imports import service as imports
from services.imports.columns import ImportFormat
from services.imports.service import ImportJobCreated, ImportJobRead, ImportMode
from services.reference.vocabulary import ListingType
from web.deps import CurrentUser

router = APIRouter(prefix="/api/v1", tags=["imports"])


def _type(resource: str) -> ListingType:
    found = RESOURCE_TYPES.get(resource)
    if found is None:
        raise NotFound("unknown_resource", f"未知资源 {resource}", "unknown resource")
    return found


@router.get("/{resource}/import/template", response_class=Response)
async def template(
    resource: str, format_: Annotated[ImportFormat, Query(alias="format")] = ImportFormat.XLSX
) -> Response:
    content, media_type, filename = templates.template(_type(resource), format_)
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.post("/{resource}/import", status_code=status.HTTP_202_ACCEPTED)
async def start_import(
    resource: str,
    file: UploadFile,
    user: CurrentUser,
    publish: bool = False,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    org_id: Annotated[int | None, Query(description="target organisation (admins only)")] = None,
) -> ImportJobCreated:
    content = await file.read(columns.MAX_BYTES + 1)
    if len(content) > columns.MAX_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"文件超过 {columns.MAX_BYTES // 2**20} MB 上限 (the file exceeds {columns.MAX_BYTES // 2**20} MB)",
        )
    return await imports.create_import_job(
        actor=user,
        listing_type=_type(resource),
        filename=file.filename or "upload",
        content=content,
        content_type=file.content_type or "",
        publish=publish,
        mode=mode,
        org_id=org_id,
    )


@router.get("/jobs/{job_id}")
async def job(job_id: uuid.UUID, user: CurrentUser) -> ImportJobRead:
    return await imports.get_job(actor=user, job_id=job_id)
