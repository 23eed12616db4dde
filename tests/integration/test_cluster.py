"""A three-node engine cluster loses a node while searches and writes go on: nothing fails, nothing is lost.

The cluster runs in one JVM on loopback (infra/search-cluster.sh, our launcher over the runner), with its own
ports, data folder, database and index prefix; a server and a worker of our own talk to all three nodes.
"""

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from search.indices import LISTING_TYPES, index_body
from tests.factories import create_listing, create_org, create_user, publish_listing
from tests.integration.conftest import BIN, ROOT, Api, Processes

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCRIPT = ROOT / "infra" / "search-cluster.sh"
NODES = 3
ADMIN_EMAIL = "admin@cluster.techmarket.cn"
ADMIN_PASSWORD = "Cluster-Admin-2026!"
SEARCH_ATTEMPTS = 3  # the bounded retry a client may do (a portal page would just reload once or twice)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _free_bases() -> tuple[int, int]:
    """HTTP and transport bases whose three ports are free, above the 9200-9400 range single nodes use."""
    for http_base in range(9500, 9900, 10):
        transport_base = http_base + 1000
        ports = [base + n for base in (http_base, transport_base) for n in range(1, NODES + 1)]
        if all(_port_free(port) for port in ports):
            return http_base, transport_base
    raise RuntimeError("no free port range for the cluster")


@dataclass
class Cluster:
    env: dict[str, str]
    urls: list[str]
    directory: Path

    def run(self, *args: str, timeout: float = 240) -> str:
        done = subprocess.run(
            ["bash", str(SCRIPT), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"search-cluster.sh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    async def kill_node(self, number: int) -> None:
        await asyncio.to_thread(self.run, "kill-node", str(number))

    async def restart_node(self, number: int) -> None:
        await asyncio.to_thread(self.run, "restart-node", str(number))


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    http_base, transport_base = _free_bases()
    directory = ROOT / ".data" / f"cluster-{os.getpid()}"
    env = {
        **os.environ,
        "CLUSTER_DIR": str(directory),
        "CLUSTER_NAME": f"tmcluster{os.getpid()}",
        "CLUSTER_NODES": str(NODES),
        "CLUSTER_HTTP_BASE": str(http_base),
        "CLUSTER_TRANSPORT_BASE": str(transport_base),
        "CLUSTER_HEAP": "2g",
    }
    handle = Cluster(env, [f"http://127.0.0.1:{http_base + n}" for n in range(1, NODES + 1)], directory)
    try:
        handle.run("start")
        yield handle
    finally:
        handle.run("stop", timeout=90)
        shutil.rmtree(directory, ignore_errors=True)


class ClusterProcesses(Processes):
    """The suite's server and worker, with the cluster's database, engine addresses and index prefix."""

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__()
        self.env = env

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.log_dir / f"cluster-{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        return subprocess.Popen(
            [str(BIN / "techmarket"), *args], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def server_log(self) -> str:
        return (self.log_dir / "cluster-server.log").read_text(errors="replace")


def _cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [str(BIN / "techmarket"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"techmarket {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


async def _create_database(url: str, *, drop: bool = False) -> None:
    url = url.replace("postgres://", "postgresql://", 1)
    conn = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        if not drop:
            await conn.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
    finally:
        await conn.close()


@dataclass
class Stack:
    processes: ClusterProcesses
    env: dict[str, str]
    prefix: str
    db: asyncpg.Connection
    api: Api
    admin: str
    written: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture
async def cluster_stack(cluster: Cluster) -> AsyncIterator[Stack]:
    """Own database and prefix; indices created with one replica; then a server and a worker on all nodes."""
    prefix = f"{os.environ['SEARCH_INDEX_PREFIX']}c"
    database_url = os.environ["DATABASE_URL"] + "_cluster"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SEARCH_URL": ",".join(cluster.urls),
        "SEARCH_INDEX_PREFIX": prefix,
    }
    await _create_database(database_url)
    await asyncio.to_thread(_cli, env, "migrate")
    await asyncio.to_thread(
        _cli, env, "create-user", "--role", "admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD
    )
    async with httpx.AsyncClient(base_url=cluster.urls[0], timeout=60) as engine:
        for listing_type in LISTING_TYPES:
            alias = f"{prefix}-{listing_type}"
            name = f"{alias}-initial"
            (await engine.put(f"/{name}", json=index_body(replicas=1))).raise_for_status()
            actions = [{"add": {"index": name, "alias": alias, "is_write_index": True}}]
            (await engine.post("/_aliases", json={"actions": actions})).raise_for_status()
        health = await engine.get("/_cluster/health", params={"wait_for_status": "green", "timeout": "60s"})
        assert health.json()["status"] == "green"
    processes = ClusterProcesses(env)
    db = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        await asyncio.to_thread(processes.start_server)
        processes.start_worker()
        async with httpx.AsyncClient(base_url=processes.base, timeout=60) as client:
            api = Api(client)
            yield Stack(processes, env, prefix, db, api, await api.token(ADMIN_EMAIL, ADMIN_PASSWORD))
    finally:
        processes.stop()
        await db.close()
        await _create_database(database_url, drop=True)


async def _health(url: str, **params: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=90) as engine:
        return dict((await engine.get("/_cluster/health", params=params)).json())


async def test_a_node_dies_while_searches_and_writes_go_on(cluster: Cluster, cluster_stack: Stack) -> None:
    stack = cluster_stack
    api, admin = stack.api, stack.admin
    org = await create_org(api, admin, kind="university")
    _, provider = await create_user(api, admin, org_id=org["id"], role="provider")
    for listing_type in LISTING_TYPES:
        made = await create_listing(api, provider, listing_type)
        await publish_listing(api, provider, admin, listing_type, made["id"])
        stack.written.append((listing_type, made["id"]))
    await api.wait_indexed(admin, seconds=90)

    # given searches (each with its own cache key, so they reach the engine) and writes running
    stop = asyncio.Event()
    outage = asyncio.Event()
    outcomes: dict[str, int] = {
        "searches": 0,
        "retried": 0,
        "writes": 0,
        "searches_down": 0,
        "writes_down": 0,
    }
    failures: list[str] = []
    retried: list[str] = []

    async def search_stream(offset: int) -> None:
        number = offset
        async with httpx.AsyncClient(base_url=stack.processes.base, timeout=30) as client:
            while not stop.is_set():
                number += 2
                errors = []
                for _attempt in range(SEARCH_ATTEMPTS):
                    try:
                        response = await client.get(
                            "/api/v1/search", params={"min_price_fen": number % 10_000}
                        )
                        if response.status_code == 200:
                            break
                        errors.append(f"{response.status_code}: {response.text[:200]}")
                    except httpx.HTTPError as exc:
                        errors.append(repr(exc))
                    await asyncio.sleep(0.5)
                else:
                    failures.append(" | ".join(errors))
                outcomes["searches"] += 1
                outcomes["searches_down"] += 1 if outage.is_set() else 0
                outcomes["retried"] += 1 if errors else 0
                retried.extend(errors)
                await asyncio.sleep(0.05)

    async def write_stream() -> None:
        number = 0
        while not stop.is_set():
            listing_type = LISTING_TYPES[number % len(LISTING_TYPES)]
            number += 1
            made = await create_listing(api, provider, listing_type)
            await publish_listing(api, provider, admin, listing_type, made["id"])
            stack.written.append((listing_type, made["id"]))
            outcomes["writes"] += 1
            outcomes["writes_down"] += 1 if outage.is_set() else 0

    tasks = [asyncio.create_task(search_stream(n)) for n in (1, 2)] + [asyncio.create_task(write_stream())]
    started = time.monotonic()
    try:
        await asyncio.sleep(5)
        # when node 1 (the one that bootstrapped the cluster, first in SEARCH_URL) dies mid-run
        await cluster.kill_node(1)
        outage.set()
        down = await _health(cluster.urls[1], wait_for_nodes=str(NODES - 1), timeout="30s")
        assert down["number_of_nodes"] == NODES - 1
        await asyncio.sleep(10)
        # and comes back
        await cluster.restart_node(1)
        outage.clear()
        await asyncio.sleep(5)
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
    assert time.monotonic() - started < 200

    # then no search failed beyond the bounded retry, and both streams really ran through the outage
    assert failures == []
    assert outcomes["searches_down"] >= 10
    assert outcomes["writes_down"] >= 2
    # and the cluster is green again
    health = await _health(
        cluster.urls[0], wait_for_status="green", wait_for_nodes=str(NODES), timeout="120s"
    )
    assert (health["status"], health["number_of_nodes"]) == ("green", NODES)
    # and no write was lost: every published listing is indexed at its current version
    await api.wait_indexed(admin, seconds=180)
    dead = await stack.db.fetchval("SELECT count(*) FROM core_outbox WHERE last_error IS NOT NULL")
    assert dead == 0
    rows = await stack.db.fetch(
        "SELECT id, version FROM catalog_listing WHERE id = ANY($1::bigint[])", [i for _, i in stack.written]
    )
    versions = {row["id"]: row["version"] for row in rows}
    missing = []
    async with httpx.AsyncClient(base_url=cluster.urls[2], timeout=30) as engine:
        for listing_type, listing_id in stack.written:
            response = await engine.get(f"/{stack.prefix}-{listing_type}/_doc/{listing_id}")
            body = response.json()
            if not body.get("found") or body["_version"] != versions[listing_id]:
                missing.append((listing_type, listing_id, body.get("_version"), versions[listing_id]))
        counted = (await engine.get(f"/{stack.prefix}-*/_count")).json()["count"]
    assert missing == []
    assert counted == len(stack.written)
    print(f"cluster run: {outcomes}, {len(stack.written)} listings indexed; retried after: {retried[:5]}")
