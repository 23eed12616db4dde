"""Bulk import over HTTP: templates, encodings, all-or-nothing and partial jobs, re-import, access rules, speed."""

import asyncio
import csv
import io
import json
import time
import uuid
from typing import Any

import pytest
from openpyxl import Workbook

from services.imports.columns import MAX_BYTES
from services.reference.vocabulary import ListingType
from tests.bench.bench_import import achievement_bodies, xlsx_of
from tests.factories import RESOURCES, create_listing, create_org, create_user, listing_body, unique
from tests.integration.conftest import Processes

pytestmark = pytest.mark.integration

HEADER_ZH = [
    "外部编号",
    "成果名称",
    "摘要",
    "技术领域",
    "关键词",
    "成熟度",
    "技术就绪度",
    "转化方式",
    "报价方式",
]


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def achievement_row(ref: str, title: str, trl: Any = 6) -> list[Any]:
    return [ref, title, f"{title}的摘要", "materials", "测试;导入", "中试", trl, "许可", "面议"]


async def upload(
    api: Any, token: str, resource: str, content: bytes, filename: str = "rows.csv", **params: Any
) -> Any:
    return await api.call(
        "POST",
        f"/api/v1/{resource}/import",
        token=token,
        params={
            key: str(value).lower() if isinstance(value, bool) else value for key, value in params.items()
        },
        files={"file": (filename, content, "application/octet-stream")},
    )


async def run_job(
    api: Any,
    token: str,
    resource: str,
    content: bytes,
    filename: str = "rows.csv",
    seconds: float = 60,
    **params: Any,
) -> dict[str, Any]:
    response = await upload(api, token, resource, content, filename, **params)
    assert response.status_code == 202, response.text
    return await wait_job(api, token, response.json()["job_id"], seconds)


async def wait_job(api: Any, token: str, job_id: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = await api.json("GET", f"/api/v1/jobs/{job_id}", token=token)
        if job["status"] in ("done", "failed"):
            return dict(job)
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {seconds}s")


async def counts(db: Any) -> tuple[int, int, int]:
    row = await db.fetchrow(
        "SELECT (SELECT count(*) FROM catalog_listing) AS listings, (SELECT count(*) FROM core_outbox) AS events, "
        "(SELECT count(*) FROM core_job) AS jobs"
    )
    return int(row["listings"]), int(row["events"]), int(row["jobs"])


@pytest.fixture
async def provider(api: Any, admin_token: str, stack: Processes) -> tuple[dict[str, Any], str]:
    stack.start_worker()
    org = await create_org(api, admin_token, kind="university")
    _, token = await create_user(api, admin_token, org_id=org["id"], role="provider")
    return org, token


@pytest.mark.parametrize("listing_type", list(RESOURCES))
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
async def test_template_downloads_and_imports_cleanly(api, admin_token, provider, db, listing_type, fmt):
    org, token = provider
    resource = RESOURCES[listing_type]

    # given the downloaded template
    response = await api.call(
        "GET", f"/api/v1/{resource}/import/template", params={"format": fmt}, expect=200
    )
    assert f"{listing_type}-import-template.{fmt}" in response.headers["content-disposition"]

    # when it is uploaded unchanged
    job = await run_job(api, token, resource, response.content, f"template.{fmt}")

    # then its example row is a new draft of the organisation
    assert (job["status"], job["total"], job["done"], job["failed"], job["errors"]) == ("done", 1, 1, 0, [])
    assert (job["result"]["created"], job["result"]["updated"]) == (1, 0)
    assert job["type"] == listing_type
    rows = await db.fetch("SELECT type, status FROM catalog_listing WHERE org_id = $1", org["id"])
    assert [(r["type"], r["status"]) for r in rows] == [(listing_type, "draft")]


async def test_gbk_csv_with_chinese_headers_imports_and_is_searchable_after_publish(
    api, admin_token, provider, db
):
    org, _ = provider
    word = "铌酸锂"
    titles = [f"{word}薄膜电光调制器{unique('')}", f"{word}波导光子芯片{unique('')}"]
    content = csv_bytes(
        [HEADER_ZH, achievement_row("GBK-1", titles[0]), achievement_row("GBK-2", titles[1])], "gbk"
    )
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")

    # when an admin imports it for the organisation and publishes at once
    job = await run_job(api, admin_token, "achievements", content, "成果.csv", publish=True, org_id=org["id"])

    # then both listings are published with their Chinese intact and the search finds them
    assert job["status"] == "done", job["errors"]
    assert job["result"]["created"] == 2
    rows = await db.fetch(
        "SELECT id, title, status FROM catalog_listing WHERE org_id = $1 ORDER BY external_ref", org["id"]
    )
    assert [(r["title"], r["status"]) for r in rows] == [(titles[0], "published"), (titles[1], "published")]
    await api.wait_indexed(admin_token)
    found = await api.json("GET", "/api/v1/search", params={"q": word, "type": "achievement"})
    assert {r["id"] for r in rows} <= {item["id"] for item in found["items"]}


async def test_all_or_nothing_writes_nothing_when_one_row_is_bad(api, provider, db):
    org, token = provider
    content = csv_bytes(
        [
            HEADER_ZH,
            achievement_row("AON-1", unique("成果")),
            achievement_row("AON-2", unique("成果")),
            achievement_row("AON-3", unique("成果"), trl="6.5"),
        ]
    )
    before = await counts(db)

    job = await run_job(api, token, "achievements", content)

    # then the job failed naming row 4 (header is row 1) and its column, and nothing was written or announced
    assert (job["status"], job["total"], job["done"], job["failed"]) == ("failed", 3, 3, 1)
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(4, "技术就绪度")]
    assert "小数" in job["errors"][0]["msg"]
    assert job["result"]["created"] == 0
    after = await counts(db)
    assert after[:2] == before[:2]
    assert await db.fetchval("SELECT count(*) FROM catalog_listing WHERE org_id = $1", org["id"]) == 0


async def test_partial_mode_saves_the_good_rows_and_reports_the_bad(api, provider, db):
    org, token = provider
    content = csv_bytes(
        [
            HEADER_ZH,
            achievement_row("P-1", unique("成果")),
            [*achievement_row("P-2", unique("成果"))[:3], "robots", *achievement_row("P-2", "x")[4:]],
            achievement_row("P-3", unique("成果")),
        ]
    )
    events_before = await db.fetchval("SELECT count(*) FROM core_outbox")

    job = await run_job(api, token, "achievements", content, mode="partial")

    assert (job["status"], job["total"], job["failed"]) == ("done", 3, 1)
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(3, "技术领域")]
    assert job["result"]["created"] == 2
    refs = await db.fetch("SELECT external_ref FROM catalog_listing WHERE org_id = $1 ORDER BY 1", org["id"])
    assert [r["external_ref"] for r in refs] == ["P-1", "P-3"]
    assert await db.fetchval("SELECT count(*) FROM core_outbox") == events_before + 2


async def test_reimport_with_the_same_external_ref_updates_instead_of_duplicating(api, provider, db):
    org, token = provider
    first = await run_job(
        api, token, "achievements", csv_bytes([HEADER_ZH, achievement_row("RE-1", "旧标题")])
    )
    assert first["result"]["created"] == 1
    before = await db.fetchrow("SELECT id, version FROM catalog_listing WHERE org_id = $1", org["id"])

    # when the same reference comes again with a new title, from an xlsx this time
    workbook = Workbook()
    workbook.active.append(HEADER_ZH)
    workbook.active.append(achievement_row("RE-1", "新标题"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = await run_job(api, token, "achievements", buffer.getvalue(), "again.xlsx")

    assert (again["status"], again["result"]["created"], again["result"]["updated"]) == ("done", 0, 1)
    rows = await db.fetch("SELECT id, title, version FROM catalog_listing WHERE org_id = $1", org["id"])
    assert [(r["id"], r["title"], r["version"]) for r in rows] == [
        (before["id"], "新标题", before["version"] + 1)
    ]


async def test_near_duplicates_are_warnings_not_errors(api, provider):
    _, token = provider
    # given a listing citing a patent and titled like a row of the file
    existing = await create_listing(api, token, "achievement", title="重复标题的成果")
    number = existing["ip"][0]["number"]
    header = ["external_ref", "title", "maturity", "trl", "ip"]
    content = csv_bytes([header, ["W-1", "重复标题的成果", "pilot", 6, "invention:202110123456.7"]])

    job = await run_job(api, token, "achievements", content)

    assert job["status"] == "done"
    assert job["result"]["created"] == 1
    kinds = {(w["row"], w["kind"], w["listing_id"]) for w in job["result"]["warnings"]}
    assert {(2, "same_patent", existing["id"]), (2, "same_title", existing["id"])} <= kinds
    assert any(w.get("number") == number for w in job["result"]["warnings"])


async def test_a_file_level_error_fails_the_job_listing_the_unknown_columns(api, provider, db):
    _, token = provider
    content = csv_bytes([[*HEADER_ZH, "预算(万元)"], [*achievement_row("U-1", "成果"), "30"]])
    before = await counts(db)

    job = await run_job(api, token, "achievements", content)

    assert job["status"] == "failed"
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(1, "预算(万元)")]
    assert "title(成果名称)" in job["errors"][0]["msg"]
    assert (await counts(db))[:2] == before[:2]


async def test_non_admin_may_not_publish_on_import(api, provider, db):
    _, token = provider
    before = await counts(db)

    response = await upload(
        api, token, "achievements", csv_bytes([HEADER_ZH, achievement_row("N-1", "成果")]), publish=True
    )

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await counts(db) == before


async def test_non_admin_may_not_import_into_another_organisation(api, admin_token, provider, db):
    _, token = provider
    other = await create_org(api, admin_token)
    before = await counts(db)

    response = await upload(
        api, token, "achievements", csv_bytes([HEADER_ZH, achievement_row("N-2", "成果")]), org_id=other["id"]
    )

    assert response.status_code == 403
    assert await counts(db) == before


async def test_empty_and_oversized_uploads_are_refused_at_once(api, provider, db):
    _, token = provider
    before = await counts(db)

    empty = await upload(api, token, "achievements", b"")
    huge = await upload(api, token, "achievements", b"title\n" + b"x" * MAX_BYTES)

    assert empty.status_code == 422
    assert empty.json()["errors"][0]["loc"] == ["file"]
    assert huge.status_code == 413
    assert await counts(db) == before


async def test_a_job_is_visible_to_its_owner_org_and_admins_only(api, admin_token, provider):
    org, token = provider
    _, colleague = await create_user(api, admin_token, org_id=org["id"], role="provider")
    stranger_org = await create_org(api, admin_token)
    _, stranger = await create_user(api, admin_token, org_id=stranger_org["id"], role="provider")
    job = await run_job(
        api, token, "achievements", csv_bytes([HEADER_ZH, achievement_row("V-1", unique("成果"))])
    )

    for reader in (token, colleague, admin_token):
        assert (await api.json("GET", f"/api/v1/jobs/{job['id']}", token=reader))["status"] == "done"
    missing = await api.call("GET", f"/api/v1/jobs/{job['id']}", token=stranger)
    assert missing.status_code == 404
    unknown = await api.call("GET", f"/api/v1/jobs/{uuid.uuid4()}", token=token)
    assert unknown.status_code == 404
    anonymous = await api.call("GET", f"/api/v1/jobs/{job['id']}")
    assert anonymous.status_code == 401


@pytest.mark.slow
async def test_ten_thousand_rows_import_completely(api, provider, db):
    # Its speed is a benchmark (tests/bench/bench_import.py), not an assertion under a shared machine's load.
    org, token = provider
    content = xlsx_of(ListingType.ACHIEVEMENT, achievement_bodies(10_000))

    started = time.perf_counter()
    job = await run_job(api, token, "achievements", content, "10k.xlsx", seconds=60)
    elapsed = time.perf_counter() - started

    print(
        f"\n10,000-row xlsx import over HTTP (upload → job done): {elapsed:.1f}s, {len(content) / 2**20:.1f} MB"
    )
    assert (job["status"], job["total"], job["failed"]) == ("done", 10_000, 0), job["errors"][:5]
    assert job["result"]["created"] == 10_000
    assert await db.fetchval("SELECT count(*) FROM catalog_listing WHERE org_id = $1", org["id"]) == 10_000


async def test_a_hostile_workbook_fails_its_job_clearly_and_indexing_goes_on(api, admin_token, provider):
    # given a 5 KB workbook declaring a cell at row 2,500,000 (it used to stall the worker for 17 s)
    from tests.unit.test_import_limits import _far_cell

    _, token = provider
    response = await upload(api, token, "achievements", _far_cell(), "bomb.xlsx")
    assert response.status_code in (202, 422), response.text
    if response.status_code == 202:
        job = await wait_job(api, token, response.json()["job_id"])
        assert job["status"] == "failed"
        assert "2500000" in json.dumps(job, ensure_ascii=False)
    # and a listing published meanwhile is searchable: indexing never waited behind the import
    made = await api.json(
        "POST", "/api/v1/achievements", token=token, expect=201, json=listing_body("achievement")
    )
    await api.json("POST", f"/api/v1/achievements/{made['id']}/submit", token=token)
    await api.json("POST", f"/api/v1/achievements/{made['id']}/publish", token=admin_token)
    await api.wait_indexed(admin_token)
    found = await api.json("GET", "/api/v1/search", params={"q": made["title"]})
    assert made["id"] in [item["id"] for item in found["items"]]


async def _published_by_import(
    api: Any, admin_token: str, token: str, db: Any, content: bytes, resource: str
) -> int:
    job = await run_job(api, token, resource, content)
    assert job["result"]["created"] == 1, job
    listing_id = int(await db.fetchval("SELECT max(id) FROM catalog_listing"))
    await api.json("POST", f"/api/v1/{resource}/{listing_id}/submit", token=token)
    await api.json("POST", f"/api/v1/{resource}/{listing_id}/publish", token=admin_token)
    return listing_id


async def test_reimport_cannot_change_published_text_around_review(api, admin_token, provider, db):
    _, token = provider
    ref = unique("MOD")
    listing_id = await _published_by_import(
        api,
        admin_token,
        token,
        db,
        csv_bytes([HEADER_ZH, achievement_row(ref, "导热膜成果")]),
        "achievements",
    )

    # when the owner re-imports the same reference with contact details in the title
    spam = "导热膜成果 加微信 abc123"
    job = await run_job(api, token, "achievements", csv_bytes([HEADER_ZH, achievement_row(ref, spam)]))

    # then the row is held for review: the published title stays public, the reviewer sees the edit flagged
    assert (job["status"], job["result"]["updated"], job["result"]["held_for_review"]) == ("done", 1, 1)
    public = await api.json("GET", f"/api/v1/achievements/{listing_id}")
    assert (public["status"], public["title"]) == ("published", "导热膜成果")
    queue = await api.json("GET", "/api/v1/admin/review-queue", token=admin_token, params={"size": 100})
    item = next(i for i in queue["items"] if i["id"] == listing_id)
    assert item["pending_edit"]["text"]["title"] == spam
    assert item["flags"] == ["wechat"]

    # and only an admin's approval makes it public
    approved = await api.json("POST", f"/api/v1/achievements/{listing_id}/edit/approve", token=admin_token)
    assert approved["title"] == spam


async def test_reimport_changing_no_public_text_applies_at_once(api, admin_token, provider, db):
    _, token = provider
    ref = unique("MOD")
    listing_id = await _published_by_import(
        api,
        admin_token,
        token,
        db,
        csv_bytes([HEADER_ZH, achievement_row(ref, "散热成果", trl=5)]),
        "achievements",
    )

    job = await run_job(
        api, token, "achievements", csv_bytes([HEADER_ZH, achievement_row(ref, "散热成果", trl=7)])
    )

    assert job["result"]["held_for_review"] == 0
    owned = await api.json("GET", f"/api/v1/achievements/{listing_id}", token=token)
    assert owned["trl"] == 7
    assert "pending_edit" not in owned


async def test_reimport_withdrawing_expert_consent_unpublishes_at_once(api, admin_token, provider, db):
    _, token = provider
    ref = unique("EXP")
    body = listing_body("expert", external_ref=ref)
    listing_id = await _published_by_import(
        api, admin_token, token, db, xlsx_of(ListingType.EXPERT, [body]), "experts"
    )
    assert (await api.call("GET", f"/api/v1/experts/{listing_id}")).status_code == 200

    # when the organisation re-imports the expert without publication consent (and a changed bio)
    withdrawn = {**body, "bio": "新的简介", "consent": {"publish": False, "contact": False}}
    job = await run_job(api, token, "experts", xlsx_of(ListingType.EXPERT, [withdrawn]), "again.xlsx")

    # then the expert is no longer public, whatever else the row changed
    assert job["status"] == "done", job
    assert (await api.call("GET", f"/api/v1/experts/{listing_id}")).status_code == 404
    status = await db.fetchval("SELECT status FROM catalog_listing WHERE id = $1", listing_id)
    assert status == "draft"
