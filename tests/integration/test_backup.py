"""`techmarket backup` then `techmarket restore` after losing both the database and the index: the same
search results come back."""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories import listing_body, unique, valid_uscc
from tests.integration.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ROOT,
    drop_private_stack,
    private_env,
    private_stack,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]
BIN = Path(sys.executable).parent
QUERIES = ("扫描电镜", "石墨烯", "测试", "")


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "techmarket"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _results(base: str) -> dict[str, list[tuple[str, int, str]]]:
    out: dict[str, list[tuple[str, int, str]]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for q in QUERIES:
            found = client.get("/api/v1/search", params={"q": q, "size": 50})
            assert found.status_code == 200, found.text
            out[q] = [(item["type"], item["id"], item["title"]) for item in found.json()["items"]]
    return out


def _wait_searchable(base: str, admin: str, env: dict[str, str]) -> None:
    """Wait until the worker has drained the outbox, then make its writes searchable now.

    The worker indexes additions without a refresh (the engine refreshes every second); an explicit refresh
    of the suite's own indices ends that wait at once instead of sleeping through the interval.
    """
    deadline = time.monotonic() + 90
    with httpx.Client(base_url=base, timeout=30, headers={"authorization": f"Bearer {admin}"}) as client:
        while client.get("/api/v1/admin/search/status").json()["outbox_pending"] != 0:
            if time.monotonic() > deadline:
                raise AssertionError("outbox did not drain")
            time.sleep(0.05)
    search = env.get("SEARCH_URL", "http://127.0.0.1:9200")
    httpx.post(f"{search}/{env['SEARCH_INDEX_PREFIX']}-*/_refresh", timeout=30).raise_for_status()


def _publish_some(base: str) -> str:
    with httpx.Client(base_url=base, timeout=60) as client:
        admin = client.post("/api/v1/auth/token", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        token = admin.json()["access_token"]
        auth = {"authorization": f"Bearer {token}"}
        org = client.post(
            "/api/v1/orgs",
            headers=auth,
            json={
                "name": unique("备份测试大学"),
                "uscc": valid_uscc(prefix="12"),
                "kind": "university",
                "region": "500106",
            },
        ).json()
        email = f"{unique('backup')}@backup.example.cn"
        created = client.post(
            "/api/v1/admin/users",
            headers=auth,
            json={
                "email": email,
                "password": "Backup-Pass-2026!",
                "name": "备份",
                "role": "provider",
                "org_id": org["id"],
            },
        )
        assert created.status_code == 201, created.text
        provider = client.post("/api/v1/auth/token", json={"email": email, "password": "Backup-Pass-2026!"})
        owner = {"authorization": f"Bearer {provider.json()['access_token']}"}
        for kind, resource, extra in (
            ("instrument", "instruments", {"name": unique("场发射扫描电镜")}),
            ("achievement", "achievements", {"title": unique("石墨烯导热膜制备技术")}),
            ("achievement", "achievements", {"title": unique("碳化硅测试方法")}),
        ):
            body: dict[str, Any] = listing_body(kind, **extra)
            made = client.post(f"/api/v1/{resource}", headers=owner, json=body)
            assert made.status_code == 201, made.text
            listing_id = made.json()["id"]
            for action, who in (("submit", owner), ("publish", auth)):
                moved = client.post(f"/api/v1/{resource}/{listing_id}/{action}", headers=who)
                assert moved.status_code == 200, moved.text
        return str(token)


async def _wipe(database_url: str) -> None:
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://"))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def test_restore_brings_back_identical_search_results(tmp_path):
    env = private_env("backup")
    stack = private_stack(env, "-backup", worker=True)
    try:
        admin = _publish_some(stack.base)
        _wait_searchable(stack.base, admin, env)
        before = _results(stack.base)
        assert sum(len(items) for items in before.values()) >= 3, before

        dump = tmp_path / "techmarket.dump"
        assert "backup written" in _cli(env, "backup", str(dump))
        assert dump.stat().st_size > 0

        # disaster: the app stops, the database and every index are lost
        stack.stop()
        asyncio.run(_wipe(env["DATABASE_URL"]))
        search = env.get("SEARCH_URL", "http://127.0.0.1:9200")
        httpx.delete(f"{search}/{env['SEARCH_INDEX_PREFIX']}-*", timeout=30).raise_for_status()

        _cli(env, "restore", str(dump))
        # restore rebuilds the indices, refreshes them and clears the result cache before it returns
        stack.start_server()
        assert _results(stack.base) == before
    finally:
        drop_private_stack(stack)
        assert os.environ["DATABASE_URL"] != env["DATABASE_URL"]
