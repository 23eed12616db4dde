"""Liveness and readiness report each real dependency, and readiness fails when one is down."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_readyz_reports_every_dependency_up(api):
    response = await api.call("GET", "/readyz", expect=200)
    checks = response.json()["checks"]
    assert set(checks) == {"database", "redis", "search"}
    assert all(check["status"] == "up" for check in checks.values())
    assert all(check["latency_ms"] >= 0 for check in checks.values())
    assert (await api.call("GET", "/healthz", expect=200)).json() == {"status": "ok"}


def test_readyz_is_503_and_names_the_dependency_that_is_down(stack):
    # given a server whose Redis and search engine addresses point at closed ports
    port = _closed_port()
    env = {
        **os.environ,
        "REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0",
        "SEARCH_URL": f"http://127.0.0.1:{_closed_port()}",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "techmarket"), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        response = None
        while time.time() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        # then it is alive but not ready, and says which dependencies are down
        assert response is not None
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["database"]["status"] == "up"
        assert checks["redis"]["status"] == "down"
        assert checks["search"]["status"] == "down"
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
