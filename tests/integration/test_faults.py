"""Degrade, don't fail: Redis, PostgreSQL and Stripe go away and come back; the app recovers by itself.

A throwaway server reaches each dependency through a TCP proxy owned by the test; cutting the proxy is the
outage (listener closed, live connections dropped), restoring it is the recovery. The shared services are
never touched.
"""

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.factories import unique, valid_uscc
from tests.integration.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Processes,
    _free_port,
    drop_private_stack,
    private_env,
    private_stack,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PASSWORD = "Fault-Pass-2026!"


class Proxy:
    """A TCP forwarder on a loopback port that can be cut (refuses and drops) and restored."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = _free_port()
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown wakes the thread blocked in accept(); close alone would leave the port listening
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            conns, self._conns = self._conns, set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def _via(url: str, proxy: Proxy) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


def _target(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


@pytest.fixture(scope="module")
def faulty() -> Iterator[tuple[Processes, dict[str, Proxy]]]:
    database_url = private_env("faults")["DATABASE_URL"]
    redis_url = os.environ["REDIS_URL"]
    stripe_url = os.environ.get("STRIPE_API_BASE", "http://127.0.0.1:12111")
    proxies = {
        "database": Proxy(*_target(database_url, 5432)),
        "redis": Proxy(*_target(redis_url, 6379)),
        "stripe": Proxy(*_target(stripe_url, 12111)),
    }
    env = private_env(
        "faults",
        DATABASE_URL=_via(database_url, proxies["database"]),
        REDIS_URL=_via(redis_url, proxies["redis"]),
        STRIPE_API_BASE=_via(stripe_url, proxies["stripe"]),
    )
    processes = private_stack(env, "-faults")
    try:
        yield processes, proxies
    finally:
        for proxy in proxies.values():
            if proxy._listener is None:
                proxy.restore()
        drop_private_stack(processes)
        for proxy in proxies.values():
            proxy.cut()


async def _eventually(check: Any, seconds: float = 30) -> Any:
    deadline = time.time() + seconds
    last: Any = None
    while time.time() < deadline:
        try:
            last = await check()
            if last:
                return last
        except httpx.HTTPError as exc:
            last = exc
        await asyncio.sleep(0.5)
    raise AssertionError(f"did not recover: {last!r}")


async def _member(client: httpx.AsyncClient) -> tuple[str, int, str]:
    email = f"{unique('fault')}@fault.example.cn"
    org = {"name": unique("故障测试机构"), "uscc": valid_uscc(), "kind": "enterprise", "region": "500106"}
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "故障", "role": "enterprise", "org": org},
    )
    assert registered.status_code == 201, registered.text
    token = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return email, int(registered.json()["org_id"]), token.json()["access_token"]


async def test_redis_down_search_from_engine_sessions_sign_in_again_login_fails_closed(faulty):
    stack, proxies = faulty
    async with httpx.AsyncClient(base_url=stack.base, timeout=60, follow_redirects=False) as client:
        email, _, token = await _member(client)
        page = await client.get("/login")
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        signed_in = await client.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf}
        )
        assert signed_in.status_code == 303
        assert (await client.get("/me/bookings")).status_code == 200

        proxies["redis"].cut()
        try:
            # search is answered by the engine, uncached
            found = await client.get("/api/v1/search", params={"q": "扫描电镜"})
            assert found.status_code == 200, found.text
            assert found.json()["cached"] is False
            # the portal session cannot be read: the visitor is asked to sign in again, no 500
            again = await client.get("/me/bookings")
            assert again.status_code in (302, 303, 307), again.text[:300]
            assert "/login" in again.headers["location"]
            assert (await client.get("/")).status_code == 200
            # login's rate limits cannot be counted: login fails closed, with Retry-After
            refused = await client.post(
                "/api/v1/auth/token",
                json={"email": email, "password": PASSWORD},
                headers={"origin": stack.base},
            )
            assert refused.status_code == 503
            assert refused.json()["code"] == "login_unavailable"
            assert int(refused.headers["retry-after"]) > 0
            # bearer tokens live in PostgreSQL and keep working
            me = await client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"})
            assert me.status_code == 200
            assert (await client.get("/readyz")).status_code == 503
        finally:
            proxies["redis"].restore()

        async def login_works() -> bool:
            again = await client.post(
                "/api/v1/auth/token",
                json={"email": email, "password": PASSWORD},
                headers={"origin": stack.base},
            )
            return again.status_code == 200

        await _eventually(login_works)
        assert (await client.get("/me/bookings")).status_code == 200  # the session survived in Redis
        assert (await client.get("/readyz")).status_code == 200


async def test_database_down_answers_503_with_retry_after_then_recovers(faulty):
    stack, proxies = faulty
    async with httpx.AsyncClient(base_url=stack.base, timeout=60, follow_redirects=False) as client:
        _, org_id, token = await _member(client)
        auth = {"authorization": f"Bearer {token}"}
        proxies["database"].cut()
        try:
            for path in ("/api/v1/me", f"/api/v1/orgs/{org_id}"):
                down = await client.get(path, headers=auth)
                assert down.status_code == 503, down.text
                assert down.json()["code"] == "database_unavailable"
                assert int(down.headers["retry-after"]) > 0
            page = await client.get("/me/bookings", headers=auth)
            assert page.status_code in (503, 302, 303), page.text[:300]
            assert (await client.get("/healthz")).status_code == 200
        finally:
            proxies["database"].restore()

        async def me_works() -> bool:
            return (await client.get("/api/v1/me", headers=auth)).status_code == 200

        await _eventually(me_works)


async def test_stripe_down_answers_503_and_the_retry_reuses_the_payment(faulty):
    stack, proxies = faulty
    async with httpx.AsyncClient(base_url=stack.base, timeout=90, follow_redirects=False) as client:
        _, buyer_org, buyer = await _member(client)
        admin = await client.post(
            "/api/v1/auth/token", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        admin_auth = {"authorization": f"Bearer {admin.json()['access_token']}"}
        seller = await client.post(
            "/api/v1/orgs",
            headers=admin_auth,
            json={
                "name": unique("卖方大学"),
                "uscc": valid_uscc(prefix="12"),
                "kind": "university",
                "region": "500106",
            },
        )
        assert seller.status_code == 201, seller.text
        contract = await client.post(
            "/api/v1/contracts",
            headers=admin_auth,
            json={
                "contract_type": "license",
                "title": "故障注入测试许可合同",
                "buyer_org_id": buyer_org,
                "seller_org_id": seller.json()["id"],
                "field": "ic",
                "total_fen": 1_000_000,
                "tech_fen": 900_000,
                "signed_at": "2026-11-20",
                "milestones": [{"name": "首付款", "due": "2026-12-01", "amount_fen": 1_000_000}],
            },
        )
        assert contract.status_code == 201, contract.text
        body = contract.json()
        pay = f"/api/v1/contracts/{body['id']}/milestones/{body['milestones'][0]['id']}/pay"
        auth = {"authorization": f"Bearer {buyer}"}

        proxies["stripe"].cut()
        try:
            down = await client.post(pay, headers=auth, json={"methods": ["card"]})
            assert down.status_code == 503, down.text
            assert down.json()["code"] == "payment_provider_unavailable"
            assert int(down.headers["retry-after"]) > 0
        finally:
            proxies["stripe"].restore()

        paid = await client.post(pay, headers=auth, json={"methods": ["card"]})
        assert paid.status_code == 200, paid.text
        again = await client.post(pay, headers=auth, json={"methods": ["card"]})
        # the retry after the outage and a double click are one payment with one provider intent
        assert again.json()["payment_id"] == paid.json()["payment_id"]
        assert again.json()["provider_ref"] == paid.json()["provider_ref"]
        metrics = (await client.get("/metrics")).text
        assert 'tm_stripe_errors_total{kind="transient"}' in metrics
