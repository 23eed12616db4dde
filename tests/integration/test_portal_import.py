"""批量导入 in 我的资源 over HTTP: a real xlsx with a bad row is uploaded through the portal's form, the job's page
shows its progress and the row's error in Chinese; a good file creates drafts; nobody else sees the job."""

import asyncio
import io
import re
import time
from typing import Any

import pytest
from openpyxl import Workbook

from tests.factories import unique
from tests.integration.test_portal import Portal, portal_factory  # noqa: F401 - fixture by name
from tests.integration.test_portal_listings import provider

pytestmark = pytest.mark.integration
HEADER = ["仪器名称", "仪器分类代码", "服务方式", "收费标准", "单次最长(小时)", "型号", "生产厂商", "楼宇"]


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def upload(portal: Portal, content: bytes, mode: str, filename: str = "仪器.xlsx") -> Any:
    token = await portal.token("/me/listings/import")
    return await portal.client.post(
        "/me/listings/import",
        data={"csrf_token": token, "type": "instrument", "mode": mode},
        files={"file": (filename, content, "application/octet-stream")},
    )


async def finished(portal: Portal, path: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = await portal.page(path)
        if 'data-status="done"' in page or 'data-status="failed"' in page:
            return page
        assert 'http-equiv="refresh"' in page  # a running job's page refreshes itself
        await asyncio.sleep(0.2)
    raise AssertionError(f"{path} did not finish in {seconds}s")


async def test_an_xlsx_with_a_bad_row_is_refused_row_by_row_in_chinese(api, admin_token, db, portal_factory):  # noqa: F811
    portal: Portal = portal_factory()
    await provider(api, admin_token, portal)
    good, bad = unique("导入的原子力显微镜"), unique("收费写错的离心机")
    content = xlsx(
        [
            [good, "0101", "self", "hour:30000", 8, "Dimension Icon", "Bruker", "材料楼"],
            [bad, "0101", "self", "hour:三百", 0, "", "", ""],
        ]
    )

    # 我的资源 links to the import page, which offers the templates of every type
    assert 'href="/me/listings/import"' in await portal.page("/me/listings")
    page = await portal.page("/me/listings/import")
    assert 'href="/api/v1/instruments/import/template?format=xlsx"' in page
    assert 'href="/api/v1/experts/import/template?format=xlsx"' in page
    template = await portal.client.get("/api/v1/instruments/import/template?format=xlsx")
    assert template.status_code == 200
    assert template.content[:2] == b"PK"  # an xlsx workbook

    # all or nothing: the bad row fails the whole file, and the job's page says why, row by row, in Chinese
    answer = await upload(portal, content, "all_or_nothing")
    assert answer.status_code == 303
    job_path = answer.headers["location"]
    assert re.fullmatch(r"/me/listings/import/[0-9a-f-]{36}", job_path)
    page = await finished(portal, job_path)
    assert 'data-status="failed"' in page
    assert "本次没有导入任何资源" in page
    assert "已检查 2 / 2 行，其中出错 1 行" in page
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', page)
    assert {(row, column) for row, column, _ in rows} >= {("3", "收费标准"), ("3", "单次最长(小时)")}
    messages = " ".join(message for _, _, message in rows)
    assert "不是整数" in messages
    assert "不能小于 1" in messages
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", messages)  # no English sentence left for a zh-CN reader
    assert await db.fetchval("SELECT count(*) FROM catalog_listing WHERE title = ANY($1)", [good, bad]) == 0

    # partial: the good row becomes a draft of the provider's organisation, the bad one is reported
    answer = await upload(portal, content, "partial")
    page = await finished(portal, answer.headers["location"])
    assert 'data-status="done"' in page
    assert "新建 1 条" in page
    assert "收费标准" in page
    row = await db.fetchrow(
        "SELECT status, attributes->'fees' AS fees FROM catalog_listing WHERE title = $1", good
    )
    assert row["status"] == "draft"
    assert good in await portal.page("/me/listings")
    assert await db.fetchval("SELECT count(*) FROM catalog_listing WHERE title = $1", bad) == 0

    # another organisation's provider cannot open the job's page
    rival: Portal = portal_factory()
    await provider(api, admin_token, rival)
    assert (await rival.client.get(job_path)).status_code == 404
    assert (await rival.client.get("/me/listings/import/not-a-job")).status_code == 404


async def test_bad_uploads_come_back_on_the_form(api, admin_token, db, portal_factory):  # noqa: F811
    portal: Portal = portal_factory()
    await provider(api, admin_token, portal)
    # no file, a file that is no spreadsheet, and a post without the CSRF token
    token = await portal.token("/me/listings/import")
    empty = await portal.client.post(
        "/me/listings/import", data={"csrf_token": token, "type": "instrument", "mode": "partial"}
    )
    assert empty.status_code == 422
    assert "请选择要上传的 xlsx 或 csv 文件" in empty.text
    junk = await upload(portal, b"\x00\x01\x02 not a sheet", "partial", filename="x.xlsx")
    assert junk.status_code == 422
    assert 'id="err-file"' in junk.text
    before = await db.fetchval("SELECT count(*) FROM core_job")
    forged = await portal.client.post(
        "/me/listings/import",
        data={"type": "instrument", "mode": "partial"},
        files={"file": ("仪器.xlsx", xlsx([]), "application/octet-stream")},
    )
    assert forged.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM core_job") == before
