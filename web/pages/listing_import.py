"""批量导入 in 我的资源: a provider uploads an xlsx or csv of listings of one type, then follows the import job's
progress and reads its per-row errors in Chinese; the templates are the API's own downloads."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from services.catalog.schemas import RESOURCE_TYPES
from services.core.errors import DomainError, NotFound
from services.imports import columns
from services.imports import service as imports
from services.imports.service import ImportMode
from services.reference.vocabulary import LISTING_TYPE_LABELS
from web.deps import CurrentUser
from web.pages.csrf import CheckedForm
from web.pages.forms import GENERAL, human_message
from web.pages.shell import redirect, render

router = APIRouter(include_in_schema=False)
RESOURCES = {listing_type.value: resource for resource, listing_type in RESOURCE_TYPES.items()}
MODE_LABELS = {
    ImportMode.ALL_OR_NOTHING.value: "全部正确才导入（有任一行出错则整份不导入）",
    ImportMode.PARTIAL.value: "导入正确的行，跳过出错的行",
}
STATUS_LABELS = {"queued": "排队中", "running": "导入中", "done": "已完成", "failed": "未导入"}


def _context(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "types": [(value, LISTING_TYPE_LABELS[value], resource) for value, resource in RESOURCES.items()],
        "modes": list(MODE_LABELS.items()),
        "max_mb": columns.MAX_BYTES // 2**20,
    }


@router.get("/me/listings/import", response_class=HTMLResponse)
async def import_page(
    request: Request, user: CurrentUser, listing_type: Annotated[str, Query(alias="type")] = "instrument"
) -> Response:
    chosen = listing_type if listing_type in RESOURCES else "instrument"
    values = {"type": chosen, "mode": ImportMode.ALL_OR_NOTHING.value}
    return await render(request, "listing_import.html", _context(values, {}), actor=user)


async def _start(user: Any, form: Any, values: dict[str, str]) -> tuple[uuid.UUID | None, dict[str, str]]:
    """Queue the upload as an import job: its id, or the errors by form field."""
    upload = form.get("file")
    if values["type"] not in RESOURCES:
        return None, {"type": "请从选项中选择"}
    if values["mode"] not in MODE_LABELS:
        return None, {"mode": "请从选项中选择"}
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, {"file": "请选择要上传的 xlsx 或 csv 文件"}
    content = await upload.read(columns.MAX_BYTES + 1)
    if len(content) > columns.MAX_BYTES:
        return None, {"file": f"文件超过 {columns.MAX_BYTES // 2**20} MB 上限"}
    try:
        created = await imports.create_import_job(
            actor=user,
            listing_type=RESOURCE_TYPES[RESOURCES[values["type"]]],
            filename=upload.filename,
            content=content,
            content_type=upload.content_type or "",
            mode=ImportMode(values["mode"]),
        )
    except DomainError as exc:
        located = [e for e in exc.errors if "file" in e.get("loc", [])]
        if located:
            return None, {"file": str(located[0].get("message_zh") or located[0].get("msg", ""))}
        return None, {GENERAL: human_message(exc)}
    return created.job_id, {}


@router.post("/me/listings/import", response_class=HTMLResponse)
async def start_import(request: Request, user: CurrentUser, form: CheckedForm) -> Response:
    values = {key: str(form.get(key) or "") for key in ("type", "mode")}
    job_id, errors = await _start(user, form, values)
    if job_id is not None:
        return redirect(f"/me/listings/import/{job_id}")
    return await render(request, "listing_import.html", _context(values, errors), actor=user, status_code=422)


@router.get("/me/listings/import/{job_id}", response_class=HTMLResponse)
async def import_job(request: Request, job_id: str, user: CurrentUser) -> Response:
    """The job's progress (the page refreshes itself until it is over), its outcome and its errors by row."""
    try:
        parsed = uuid.UUID(job_id)
    except ValueError as exc:
        raise NotFound("job_not_found", "导入任务不存在", "job not found") from exc
    job = await imports.get_job(actor=user, job_id=parsed)
    context = {
        "job": job,
        "type_label": LISTING_TYPE_LABELS.get(job.type, job.type),
        "resource": RESOURCES.get(job.type, ""),
        "status_label": STATUS_LABELS.get(job.status, job.status),
        "mode_label": MODE_LABELS.get(job.mode, job.mode),
        "running": job.status in ("queued", "running"),
        "errors": [{"row": e.row, "column": e.column, "msg": e.msg_zh or e.msg} for e in job.errors],
    }
    return await render(request, "listing_import_job.html", context, actor=user)
