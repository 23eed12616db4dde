"""Integration fixtures: a real server and worker over real PostgreSQL, Redis, OpenSearch and stripe-mock."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ADMIN_EMAIL = "admin@suite.techmarket.cn"
ADMIN_PASSWORD = "Suite-Admin-2026!"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_cli(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(BIN / "techmarket"), *args],
        cwd=ROOT,
        env=env or os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"techmarket {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


async def _reset_database(database_url: str | None = None) -> None:
    url = (database_url or os.environ["DATABASE_URL"]).replace("postgres://", "postgresql://")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


_TEMPLATE_READY: list[str] = []


def _template_url() -> str:
    return f"{os.environ['DATABASE_URL']}_template"


def _migrated_database(database_url: str) -> None:
    """A fresh database with every migration applied, in a fraction of a second: the migrations run once per
    session into a template database (about 14 s of CPU each time), which PostgreSQL then copies."""
    if not _TEMPLATE_READY:
        asyncio.run(_reset_database(_template_url()))
        _run_cli("migrate", env={**os.environ, "DATABASE_URL": _template_url()})
        _TEMPLATE_READY.append(_template_url())
    asyncio.run(_clone_template(database_url))


async def _clone_template(database_url: str) -> None:
    url = database_url.replace("postgres://", "postgresql://")
    template = _template_url().rsplit("/", 1)[1]
    conn = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        for attempt in range(50):
            try:
                await conn.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}" TEMPLATE "{template}"')
                break
            except asyncpg.ObjectInUseError:
                # The migrating process's connection may still be closing: the template must be idle.
                if attempt == 49:
                    raise
                await asyncio.sleep(0.1)
    finally:
        await conn.close()


async def _drop_database(database_url: str | None = None) -> None:
    url = (database_url or os.environ["DATABASE_URL"]).replace("postgres://", "postgresql://")
    conn = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()


class Processes:
    def __init__(self, env: dict[str, str] | None = None, name: str = "") -> None:
        self.env = env or os.environ.copy()
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_dir = ROOT / ".data" / "logs" / f"suite-{os.getpid()}{name}"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        return subprocess.Popen(
            [str(BIN / "techmarket"), *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start_server(self, ready_path: str = "/readyz") -> None:
        self.server = self._spawn("server", "serve", "--port", str(self.port))
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"{self.base}{ready_path}", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.server.poll() is not None:
                break
            time.sleep(0.3)
        raise RuntimeError(f"server did not become ready; see {self.log_dir / 'server.log'}")

    def start_worker(self) -> None:
        if self.worker is None or self.worker.poll() is not None:
            self.worker = self._spawn("worker", "worker")

    def stop_worker(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            self.worker.wait(timeout=20)
        self.worker = None

    def stop(self) -> None:
        self.stop_worker()
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=20)

    def server_log(self) -> str:
        return (self.log_dir / "server.log").read_text(errors="replace")

    def worker_log(self) -> str:
        return (self.log_dir / "worker.log").read_text(errors="replace")


@pytest.fixture(scope="session")
def stack() -> Iterator[Processes]:
    """Fresh schema, migrations, an admin, then the real server and worker for the whole session."""
    _migrated_database(os.environ["DATABASE_URL"])
    _run_cli("create-user", "--role", "admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD)
    processes = Processes()
    processes.start_server()
    processes.start_worker()
    yield processes
    processes.stop()
    if not os.environ.get("TM_KEEP_DATABASE"):
        asyncio.run(_drop_database())
        asyncio.run(_drop_database(_template_url()))
    prefix = os.environ["SEARCH_INDEX_PREFIX"]
    if not os.environ.get("TM_KEEP_INDICES"):
        httpx.delete(f"{os.environ.get('SEARCH_URL', 'http://127.0.0.1:9200')}/{prefix}-*", timeout=30)


def private_env(label: str, **overrides: str) -> dict[str, str]:
    """The suite's environment with a database and index prefix of its own (a second, throwaway stack)."""
    env = os.environ.copy()
    env["DATABASE_URL"] = f"{os.environ['DATABASE_URL']}_{label}"
    env["SEARCH_INDEX_PREFIX"] = f"{os.environ['SEARCH_INDEX_PREFIX']}{label}"
    env.update(overrides)
    return env


def private_stack(env: dict[str, str], name: str, *, worker: bool = False) -> Processes:
    """Fresh schema, migrations and the suite's admin in env's database, then a server (and a worker)."""
    _migrated_database(env["DATABASE_URL"])
    _run_cli("create-user", "--role", "admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, env=env)
    processes = Processes(env, name)
    processes.start_server()
    if worker:
        processes.start_worker()
    return processes


def drop_private_stack(processes: Processes) -> None:
    """Stop a private stack and drop its database and indices."""
    processes.stop()
    asyncio.run(_drop_database(processes.env["DATABASE_URL"]))
    search = processes.env.get("SEARCH_URL", "http://127.0.0.1:9200")
    httpx.delete(f"{search}/{processes.env['SEARCH_INDEX_PREFIX']}-*", timeout=30)


class Api:
    """A thin HTTP client: every call goes over a real socket to the real server."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def call(
        self, method: str, path: str, *, token: str | None = None, expect: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.client.request(method, path, headers=headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {path} -> {response.status_code}: {response.text[:500]}"
            )
        return response

    async def json(
        self, method: str, path: str, *, token: str | None = None, expect: int = 200, **kwargs: Any
    ) -> Any:
        return (await self.call(method, path, token=token, expect=expect, **kwargs)).json()

    async def token(self, email: str, password: str) -> str:
        body = await self.json("POST", "/api/v1/auth/token", json={"email": email, "password": password})
        return str(body["access_token"])

    async def wait_indexed(self, admin: str, seconds: float = 60) -> dict[str, Any]:
        """Wait until the worker has drained the outbox and (re-)computed every published demand's matches.

        The worker makes new supply searchable and marks affected demands stale in the outbox's own
        transaction, so both counts at zero mean indexing and matching are done — no fixed sleep.
        """
        deadline = time.monotonic() + seconds
        status: dict[str, Any] = {}
        while time.monotonic() < deadline:
            status = dict(await self.json("GET", "/api/v1/admin/search/status", token=admin))
            if status["outbox_pending"] == 0 and status["matches_pending"] == 0:
                return status
            await asyncio.sleep(0.05)
        raise AssertionError(
            f"worker not done after {seconds}s: {status.get('outbox_pending')} outbox rows and "
            f"{status.get('matches_pending')} demands waiting for matches"
        )


@pytest.fixture
async def api(stack: Processes) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=stack.base, timeout=60) as client:
        yield Api(client)


@pytest.fixture
async def admin_token(api: Api) -> str:
    return await api.token(ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture
async def db() -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://"))
    yield conn
    await conn.close()
