"""Indexing against the real engine: an unreachable engine, out-of-order events, a live rebuild, search-check."""

import ast
import asyncio
import json
import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from search import client
from search.client import close_engine
from search.documents import build_document
from search.indexer import apply_events
from search.indices import index_body
from search.service import ensure_indices
from tests.factories import create_listing, create_org, create_user, publish_listing, unique
from tests.integration.conftest import BIN, ROOT, Processes, _free_port

pytestmark = pytest.mark.integration

TYPES = ("achievement", "instrument", "expert", "agency")
ENGINE = os.environ.get("SEARCH_URL", "http://127.0.0.1:9200").split(",")[0].strip()


def alias(listing_type: str) -> str:
    return f"{os.environ['SEARCH_INDEX_PREFIX']}-{listing_type}"


async def engine_document(listing_type: str, listing_id: int) -> dict[str, Any] | None:
    """The document as the engine holds it (a real-time GET, no refresh needed), or None."""
    async with httpx.AsyncClient(base_url=ENGINE, timeout=30) as engine:
        response = await engine.get(f"/{alias(listing_type)}/_doc/{listing_id}")
    if response.status_code == 404:
        return None
    response.raise_for_status()
    body = response.json()
    return body if body.get("found") else None


async def alias_targets(listing_type: str) -> list[str]:
    async with httpx.AsyncClient(base_url=ENGINE, timeout=30) as engine:
        response = await engine.get(f"/_alias/{alias(listing_type)}")
    response.raise_for_status()
    return sorted(response.json())


async def listing_versions(db: Any, ids: list[int]) -> dict[int, int]:
    rows = await db.fetch("SELECT id, version FROM catalog_listing WHERE id = ANY($1::bigint[])", ids)
    return {row["id"]: row["version"] for row in rows}


async def pending_events(db: Any) -> int:
    return int(await db.fetchval("SELECT count(*) FROM core_outbox WHERE processed_at IS NULL"))


async def publish_one(api: Any, provider: str, admin: str, listing_type: str, **overrides: Any) -> int:
    made = await create_listing(api, provider, listing_type, **overrides)
    await publish_listing(api, provider, admin, listing_type, made["id"])
    return int(made["id"])


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "techmarket"), *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def spawn_worker(stack: Processes, name: str, **env: str) -> tuple[subprocess.Popen[bytes], Path]:
    """A `techmarket worker` with extra environment, logging to the suite's log folder."""
    log = stack.log_dir / f"{name}.log"
    with open(log, "wb") as output:
        worker = subprocess.Popen(
            [str(BIN / "techmarket"), "worker"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return worker, log


def report_of(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """search-check prints its report as the last line (a Python dict literal)."""
    return dict(ast.literal_eval(done.stdout.strip().splitlines()[-1]))


@pytest.fixture
async def engine_client() -> AsyncIterator[None]:
    """The test process's own engine client (search.indexer), closed after the test."""
    yield
    await close_engine()


@pytest.fixture
async def provider(api: Any, admin_token: str) -> str:
    org = await create_org(api, admin_token, kind="university")
    _, token = await create_user(api, admin_token, org_id=org["id"], role="provider")
    return token


async def test_outbox_keeps_every_change_while_the_engine_is_unreachable_and_the_worker_catches_up(
    stack: Processes, api: Any, admin_token: str, provider: str, db: Any
) -> None:
    # given nothing pending and, instead of the session's worker, one whose engine address has no listener
    await api.wait_indexed(admin_token)
    dead_port = _free_port()
    stack.stop_worker()
    dead, dead_log = spawn_worker(stack, "worker-dead-engine", SEARCH_URL=f"http://127.0.0.1:{dead_port}")
    try:
        # when listings of every type are published
        published = [
            (listing_type, await publish_one(api, provider, admin_token, listing_type))
            for listing_type in TYPES * 2
        ]
        ids = [listing_id for _, listing_id in published]
        # (the worker starts, tries, fails and backs off meanwhile)
        deadline = asyncio.get_running_loop().time() + 60
        while "worker.engine_unavailable" not in dead_log.read_text(errors="replace"):
            assert asyncio.get_running_loop().time() < deadline, dead_log.read_text()[-3000:]
            assert dead.poll() is None, f"the worker died instead of waiting:\n{dead_log.read_text()[-3000:]}"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)

        # then every event waits in the outbox, untouched, and nothing reached the engine
        rows = await db.fetch(
            "SELECT aggregate_id, processed_at, attempts FROM core_outbox "
            "WHERE topic = 'listing.changed' AND aggregate_id = ANY($1::bigint[])",
            ids,
        )
        assert len(rows) == 3 * len(ids)  # create, submit, publish
        assert all(row["processed_at"] is None and row["attempts"] == 0 for row in rows)
        assert await pending_events(db) == len(rows)
        assert dead.poll() is None, f"the worker died instead of waiting:\n{dead_log.read_text()[-3000:]}"
        for listing_type, listing_id in published:
            assert await engine_document(listing_type, listing_id) is None
    finally:
        dead.terminate()
        dead.wait(timeout=20)
        # when a worker with the right address starts
        stack.start_worker()

    # then it catches up: backlog 0, every listing indexed at its current version
    status = await api.wait_indexed(admin_token, seconds=120)
    assert status["outbox_pending"] == 0
    versions = await listing_versions(db, ids)
    for listing_type, listing_id in published:
        document = await engine_document(listing_type, listing_id)
        assert document is not None, f"{listing_type} {listing_id} was lost"
        assert document["_version"] == versions[listing_id]
    assert (
        await db.fetchval(
            "SELECT count(*) FROM core_outbox WHERE aggregate_id = ANY($1::bigint[]) AND last_error IS NOT NULL",
            ids,
        )
        == 0
    )


async def test_replayed_and_out_of_order_events_never_overwrite_a_newer_document(
    api: Any, admin_token: str, provider: str, db: Any, engine_client: None
) -> None:
    # given an achievement published and then edited three times, each edit approved by an admin
    listing_id = await publish_one(api, provider, admin_token, "achievement")
    titles = [unique(f"碳化硅功率模块封装工艺第{n}版") for n in (1, 2, 3)]
    for title in titles:
        await api.json("PATCH", f"/api/v1/achievements/{listing_id}", token=provider, json={"title": title})
        await api.json("POST", f"/api/v1/achievements/{listing_id}/edit/approve", token=admin_token)
    await api.wait_indexed(admin_token)
    rows = await db.fetch(
        "SELECT aggregate_version, payload FROM core_outbox "
        "WHERE topic = 'listing.changed' AND aggregate_id = $1 ORDER BY aggregate_version",
        listing_id,
    )
    events = [(int(row["aggregate_version"]), json.loads(row["payload"])["snapshot"]) for row in rows]
    newest_version, newest = events[-1]
    assert newest["title"] == titles[-1]
    assert [version for version, _ in events] == list(range(1, newest_version + 1))

    # when the newest event is applied again, then every older one after it, one by one and all in one batch
    assert await apply_events([events[-1]], refresh_after=True) == []
    for event in reversed(events[:-1]):
        assert await apply_events([event], refresh_after=True) == []
    assert await apply_events(list(reversed(events)) + events, refresh_after=True) == []

    # then the engine keeps the newest version and title
    document = await engine_document("achievement", listing_id)
    assert document is not None
    assert document["_version"] == newest_version
    assert document["_source"]["title"] == titles[-1]

    # when the listing is archived (a delete at a newer version) and the older publication is replayed
    await api.json("DELETE", f"/api/v1/achievements/{listing_id}", token=provider)
    await api.wait_indexed(admin_token)
    assert await engine_document("achievement", listing_id) is None
    assert await apply_events([events[-1]], refresh_after=True) == []

    # then the delete's tombstone keeps it out of the index
    assert await engine_document("achievement", listing_id) is None
    found = await api.json("GET", "/api/v1/search", params={"q": titles[-1]})
    assert listing_id not in [item["id"] for item in found["items"]]


async def test_reindex_swaps_in_new_indices_while_searches_and_writes_go_on(
    stack: Processes, api: Any, admin_token: str, provider: str, db: Any
) -> None:
    # given listings of every type, indexed
    for listing_type in TYPES * 3:
        await publish_one(api, provider, admin_token, listing_type)
    await api.wait_indexed(admin_token)
    before = {listing_type: await alias_targets(listing_type) for listing_type in TYPES}
    # Every factory listing has a price, so min_price_fen=i (i < 10 000 fen) matches all of them while
    # giving each request its own cache key: every search below reaches the engine.
    baseline = (await api.json("GET", "/api/v1/search", params={"min_price_fen": 0}))["total"]
    assert baseline >= len(TYPES) * 3

    failures: list[str] = []
    totals: list[int] = []
    stop = asyncio.Event()

    async def search_stream(offset: int) -> None:
        number = offset
        async with httpx.AsyncClient(base_url=stack.base, timeout=30) as client:
            while not stop.is_set():
                number += 2
                try:
                    response = await client.get("/api/v1/search", params={"min_price_fen": number % 10_000})
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                    continue
                if response.status_code != 200:
                    failures.append(f"{response.status_code}: {response.text[:200]}")
                else:
                    totals.append(response.json()["total"])

    streams = [asyncio.create_task(search_stream(offset)) for offset in (1, 2)]
    try:
        # when `techmarket reindex` runs while listings keep being published
        reindex = await asyncio.create_subprocess_exec(
            str(BIN / "techmarket"),
            "reindex",
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        written = []
        for listing_type in TYPES * 2:
            written.append((listing_type, await publish_one(api, provider, admin_token, listing_type)))
        out, err = await asyncio.wait_for(reindex.communicate(), timeout=300)
        assert reindex.returncode == 0, err.decode()[-3000:]
        await asyncio.sleep(1)  # searches go on after the swap too
    finally:
        stop.set()
        await asyncio.gather(*streams)
    await api.wait_indexed(admin_token)

    # then no search failed and none saw fewer listings than before the rebuild
    assert failures == []
    assert len(totals) >= 10
    assert min(totals) >= baseline
    # and every alias points to one new index, the old ones are deleted
    async with httpx.AsyncClient(base_url=ENGINE, timeout=30) as engine:
        for listing_type in TYPES:
            after = await alias_targets(listing_type)
            assert len(after) == 1
            assert after != before[listing_type]
            for old in before[listing_type]:
                assert (await engine.head(f"/{old}")).status_code == 404
    # and the engine holds exactly the published listings
    rows = await db.fetch(
        "SELECT type, count(*) AS n FROM catalog_listing WHERE status = 'published' GROUP BY type"
    )
    published = dict.fromkeys(TYPES, 0) | {row["type"]: row["n"] for row in rows}
    status = await api.json("GET", "/api/v1/admin/search/status", token=admin_token)
    assert status["indexed"] == published
    # and the listings written during the rebuild are there at their current version
    versions = await listing_versions(db, [listing_id for _, listing_id in written])
    for listing_type, listing_id in written:
        document = await engine_document(listing_type, listing_id)
        assert document is not None, f"{listing_type} {listing_id} written during the rebuild is missing"
        assert document["_version"] == versions[listing_id]
    assert "replayed" in out.decode()


async def test_search_check_reports_a_deleted_document_and_fix_restores_it(
    api: Any, admin_token: str, provider: str, db: Any
) -> None:
    # given a published instrument whose document an operator deleted by hand
    listing_id = await publish_one(api, provider, admin_token, "instrument")
    await api.wait_indexed(admin_token)
    assert run_cli("search-check").returncode == 0
    async with httpx.AsyncClient(base_url=ENGINE, timeout=30) as engine:
        deleted = await engine.delete(f"/{alias('instrument')}/_doc/{listing_id}", params={"refresh": "true"})
    assert deleted.json()["result"] == "deleted"

    # when search-check runs
    checked = run_cli("search-check")

    # then it reports exactly that document as missing, and fails
    assert checked.returncode == 1, checked.stdout + checked.stderr
    report = report_of(checked)
    assert (report["missing"], report["stale"], report["extra"]) == ([listing_id], [], [])

    # when it runs with --fix
    fixed = run_cli("search-check", "--fix")

    # then the document is back at the listing's version and a new check is clean
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    version = (await listing_versions(db, [listing_id]))[listing_id]
    document = await engine_document("instrument", listing_id)
    assert document is not None
    assert document["_version"] == version
    clean = run_cli("search-check")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert report_of(clean)["missing_count"] == 0
    name = (await api.json("GET", f"/api/v1/instruments/{listing_id}"))["name"]
    found = await api.json("GET", "/api/v1/search", params={"q": name, "type": "instrument"})
    assert listing_id in [item["id"] for item in found["items"]]


async def test_an_index_made_by_an_older_release_gets_the_new_fields_and_takes_their_documents() -> None:
    # given an expert index made before `counts` was mapped (the strict mapping refuses unknown fields)
    prefix = unique("tmold").lower()
    old = index_body()
    del old["mappings"]["properties"]["counts"]
    name = f"{prefix}-expert-initial"
    try:
        await client.create_index(name, old)
        await client.swap_alias(f"{prefix}-expert", name, [])
        document = build_document(
            {"id": 1, "type": "expert", "status": "published", "name": "王立新", "bio": "授权发明专利31项。"}
        )
        assert document["counts"] == {"patents": 31}
        refused = await client.bulk([{"index": {"_index": f"{prefix}-expert", "_id": "1"}}, document])
        assert refused["errors"], "the old mapping refuses the new field: what a worker would hit"

        # when the server or a worker starts (ensure_indices)
        await ensure_indices(prefix=prefix)

        # then the field is mapped and the document is taken, its number searchable
        taken = await client.bulk(
            [{"index": {"_index": f"{prefix}-expert", "_id": "1"}}, document], refresh_after=True
        )
        assert not taken["errors"]
        found = await client.count(f"{prefix}-expert", {"query": {"range": {"counts.patents": {"gte": 30}}}})
        assert found == 1
    finally:
        for listing_type in ("achievement", "instrument", "expert", "agency", "demand"):
            for index in await client.alias_targets(f"{prefix}-{listing_type}"):
                await client.delete_index(index)
        await close_engine()
