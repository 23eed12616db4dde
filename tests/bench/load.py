"""Load: N concurrent users for S seconds mixing search, detail pages, bookings, demand posts and broker moves.

    python -m tests.bench.load --users 100 --seconds 60 --scale 3000     # standalone, its own stack
    (also run by `make bench` through tests.bench.run, against the bench stack)

Each virtual user is a bounded asyncio loop over one keep-alive connection: it picks an action by weight,
times it, and stops when the time is up. Every answer must be the expected 2xx: an error is any other status
or a transport failure. The report gives p50/p95/p99 per action, the throughput, and the errors (0 expected).
The traffic goes to a server on loopback only, and the loops stop by themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

WEIGHTS = {
    "search": 40,
    "detail_page": 25,
    "suggest": 10,
    "booking": 10,
    "demand_post": 8,
    "broker_move": 7,
}
SEARCH_WORDS = [
    "扫描电镜",
    "集成电路",
    "碳化硅",
    "石墨烯",
    "液相色谱",
    "jcdl",
    "检测",
    "专利",
    "人工智能",
    "",
]
PASSWORD = "Load-Scenario-2026!"


@dataclass
class World:
    admin: str
    enterprises: list[str]
    brokers: list[tuple[str, int]]  # (token, match id claimed by this broker)
    instrument_id: int
    listings: list[tuple[str, int]]  # (type, id) for detail pages
    slot_counter: itertools.count[int] = field(default_factory=lambda: itertools.count())
    slot_base: datetime = field(
        default_factory=lambda: (datetime.now(UTC) + timedelta(days=3)).replace(
            minute=0, second=0, microsecond=0
        )
    )


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def _unique(label: str) -> str:
    return f"{label}{random.randrange(10**9)}"


def _uscc(rng: random.Random) -> str:
    from tests.factories import valid_uscc

    return valid_uscc(rng)


async def _ok(response: httpx.Response, *expected: int) -> httpx.Response:
    if response.status_code not in (expected or (200,)):
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path} -> {response.status_code}: {response.text[:300]}"
        )
    return response


async def _user(client: httpx.AsyncClient, admin: str, role: str, org_id: int) -> str:
    email = f"{_unique('load')}@load.example.cn"
    await _ok(
        await client.post(
            "/api/v1/admin/users",
            headers={"authorization": f"Bearer {admin}"},
            json={"email": email, "password": PASSWORD, "name": "压测用户", "role": role, "org_id": org_id},
        ),
        201,
    )
    token = await _ok(await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}))
    return str(token.json()["access_token"])


async def _org(client: httpx.AsyncClient, admin: str, rng: random.Random, kind: str) -> int:
    made = await _ok(
        await client.post(
            "/api/v1/orgs",
            headers={"authorization": f"Bearer {admin}"},
            json={"name": _unique("压测机构"), "uscc": _uscc(rng), "kind": kind, "region": "500106"},
        ),
        201,
    )
    org_id = int(made.json()["id"])
    # Only verified organisations' instruments are bookable and their members may book.
    await _ok(
        await client.post(f"/api/v1/orgs/{org_id}/verify", headers={"authorization": f"Bearer {admin}"})
    )
    return org_id


def _demand_body(n: int) -> dict[str, Any]:
    return {
        "title": f"寻找扫描电镜检测与碳化硅可靠性测试服务（压测 {n}）",
        "description": "用于车规级碳化硅器件的失效分析，需要场发射扫描电镜和可靠性测试。",
        "fields": ["ic"],
        "kind": "testing",
        "budget": {"min_fen": 1_000_000, "max_fen": 20_000_000},
        "region": "500106",
    }


async def prepare(base: str, admin: str, *, enterprises: int = 20, brokers: int = 10) -> World:
    """Accounts, a bookable instrument, published demands and one claimed match per broker."""
    rng = random.Random(20261204)
    auth = {"authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        provider_org = await _org(client, admin, rng, "university")
        provider = await _user(client, admin, "provider", provider_org)
        from tests.factories import listing_body

        body = listing_body("instrument", name=_unique("压测场发射扫描电镜"))
        body["booking"] = {"min_notice_hours": 1, "max_hours": 8, "needs_training": False}
        made = await _ok(
            await client.post(
                "/api/v1/instruments", headers={"authorization": f"Bearer {provider}"}, json=body
            ),
            201,
        )
        instrument_id = int(made.json()["id"])
        await _ok(
            await client.post(
                f"/api/v1/instruments/{instrument_id}/submit", headers={"authorization": f"Bearer {provider}"}
            )
        )
        await _ok(await client.post(f"/api/v1/instruments/{instrument_id}/publish", headers=auth))

        enterprise_tokens = []
        for _ in range(enterprises):
            org = await _org(client, admin, rng, "enterprise")
            enterprise_tokens.append(await _user(client, admin, "enterprise", org))
        broker_org = await _org(client, admin, rng, "agency")
        broker_tokens = [await _user(client, admin, "broker", broker_org) for _ in range(brokers)]

        # one published demand per broker, assigned to that broker by the admin (a match is moved only by its
        # demand's broker), whose suggested matches the broker will work
        claimed: list[tuple[str, int]] = []
        demand_ids: list[int] = []
        for n, token in enumerate(broker_tokens):
            me = await _ok(await client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"}))
            owner = {"authorization": f"Bearer {enterprise_tokens[n % len(enterprise_tokens)]}"}
            demand = await _ok(await client.post("/api/v1/demands", headers=owner, json=_demand_body(n)), 201)
            demand_id = int(demand.json()["id"])
            await _ok(await client.post(f"/api/v1/demands/{demand_id}/submit", headers=owner))
            await _ok(await client.post(f"/api/v1/demands/{demand_id}/publish", headers=auth))
            await _ok(
                await client.post(
                    f"/api/v1/demands/{demand_id}/broker", headers=auth, json={"broker_id": me.json()["id"]}
                )
            )
            demand_ids.append(demand_id)
        deadline = time.monotonic() + 180
        waiting = dict(zip(demand_ids, broker_tokens, strict=True))
        while waiting and time.monotonic() < deadline:
            for demand_id, token in list(waiting.items()):
                found = await client.get(
                    f"/api/v1/demands/{demand_id}/matches", headers=auth, params={"limit": 20}
                )
                items = [m for m in found.json().get("items", []) if m["status"] == "suggested"]
                if items:
                    claimed.append((token, int(items[0]["match_id"])))
                    del waiting[demand_id]
            await asyncio.sleep(1)
        if waiting:
            raise RuntimeError(f"{len(waiting)} demands without matches after 180 s: is the worker running?")
        for token, match_id in claimed:
            await _ok(
                await client.post(
                    f"/api/v1/matches/{match_id}/status",
                    headers={"authorization": f"Bearer {token}"},
                    json={"status": "shortlisted"},
                )
            )

        listings: list[tuple[str, int]] = []
        for word in SEARCH_WORDS[:6]:
            found = await _ok(await client.get("/api/v1/search", params={"q": word, "size": 20}))
            listings += [(item["type"], int(item["id"])) for item in found.json()["items"]]
        if not listings:
            listings = [("instrument", instrument_id)]
    return World(admin, enterprise_tokens, claimed, instrument_id, listings)


async def _act(client: httpx.AsyncClient, world: World, action: str, rng: random.Random, me: int) -> None:
    if action == "search":
        await _ok(await client.get("/api/v1/search", params={"q": rng.choice(SEARCH_WORDS), "size": 20}))
    elif action == "suggest":
        await _ok(
            await client.get("/api/v1/search/suggest", params={"q": rng.choice(["sao", "jc", "碳", "石墨"])})
        )
    elif action == "detail_page":
        listing_type, listing_id = rng.choice(world.listings)
        await _ok(await client.get(f"/listings/{listing_type}/{listing_id}"))
    elif action == "booking":
        slot = next(world.slot_counter)  # every booking its own hour: no overlap, no 409
        start = world.slot_base + timedelta(hours=slot)
        token = world.enterprises[me % len(world.enterprises)]
        await _ok(
            await client.post(
                "/api/v1/bookings",
                headers={"authorization": f"Bearer {token}"},
                json={
                    "instrument_id": world.instrument_id,
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=1)).isoformat(),
                    "mode": "self",
                },
            ),
            201,
        )
    elif action == "demand_post":
        token = world.enterprises[me % len(world.enterprises)]
        await _ok(
            await client.post(
                "/api/v1/demands",
                headers={"authorization": f"Bearer {token}"},
                json=_demand_body(rng.randrange(10**6)),
            ),
            201,
        )
    elif action == "broker_move":
        token, match_id = world.brokers[me % len(world.brokers)]
        headers = {"authorization": f"Bearer {token}"}
        current = await _ok(await client.get("/api/v1/broker/queue", headers=headers))
        assert current.status_code == 200
        # shortlisted <-> suggested is a legal round trip; the lock on the match serialises concurrent movers
        for status in ("suggested", "shortlisted"):
            await _ok(
                await client.post(
                    f"/api/v1/matches/{match_id}/status", headers=headers, json={"status": status}
                )
            )


async def scenario(base: str, world: World, *, users: int, seconds: float) -> dict[str, Any]:
    """Run the mix; returns per-action latencies (ms), counts and errors."""
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    actions = list(WEIGHTS)
    weights = [WEIGHTS[a] for a in actions]
    stop_at = time.monotonic() + seconds
    # broker moves of one broker never overlap: one virtual user per broker does them
    broker_locks = [asyncio.Lock() for _ in world.brokers]

    async def user(me: int) -> None:
        rng = random.Random(me)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            while time.monotonic() < stop_at:
                action = rng.choices(actions, weights)[0]
                started = time.perf_counter()
                try:
                    if action == "broker_move":
                        async with broker_locks[me % len(broker_locks)]:
                            started = time.perf_counter()  # the time waiting for a colleague is not latency
                            await _act(client, world, action, rng, me)
                    else:
                        await _act(client, world, action, rng, me)
                except Exception as exc:
                    errors[action].append(f"{type(exc).__name__}: {str(exc)[:200]}")
                    continue
                samples[action].append((time.perf_counter() - started) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(user(n) for n in range(users)))
    wall = time.perf_counter() - began
    per_action = {
        action: {
            "count": len(values),
            "errors": len(errors[action]),
            "p50_ms": round(_percentile(values, 0.50), 1) if values else None,
            "p95_ms": round(_percentile(values, 0.95), 1) if values else None,
            "p99_ms": round(_percentile(values, 0.99), 1) if values else None,
        }
        for action in actions
        if (values := samples.get(action, [])) or errors.get(action)
    }
    total = sum(len(v) for v in samples.values())
    return {
        "users": users,
        "seconds": round(wall, 1),
        "requests_per_s": round(total / wall, 1),
        "actions": per_action,
        "errors": sum(len(v) for v in errors.values()),
        "error_samples": {a: v[:3] for a, v in errors.items()},
    }


def print_report(report: dict[str, Any]) -> None:
    print(f"\nload: {report['users']} users for {report['seconds']} s, {report['requests_per_s']} actions/s, "
          f"{report['errors']} errors")  # fmt: skip
    print(f"{'action':<14} {'count':>7} {'errors':>7} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
    for action, row in report["actions"].items():
        print(
            f"{action:<14} {row['count']:>7} {row['errors']:>7} {row['p50_ms'] or '-':>9} "
            f"{row['p95_ms'] or '-':>9} {row['p99_ms'] or '-':>9}"
        )
    for action, messages in report["error_samples"].items():
        for message in messages:
            print(f"  error in {action}: {message}")


ADMIN_EMAIL = "load-admin@load.example.cn"


def _admin_and_worker() -> Any:
    import os
    import subprocess

    from tests.bench import run as bench

    env = {**os.environ, "TM_PASSWORD": PASSWORD}
    subprocess.run(
        [str(bench.BIN / "techmarket"), "create-user", "--role", "admin", "--email", ADMIN_EMAIL, "--exist-ok"],
        cwd=bench.ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    return subprocess.Popen([str(bench.BIN / "techmarket"), "worker"], cwd=bench.ROOT, env=os.environ.copy(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


async def run_against(base: str, *, users: int, seconds: float) -> dict[str, Any]:
    """With a worker beside the server (matches, indexing): an admin, the world, then the scenario."""

    worker = _admin_and_worker()
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            admin = await _ok(
                await client.post("/api/v1/auth/token", json={"email": ADMIN_EMAIL, "password": PASSWORD})
            )
        world = await prepare(base, admin.json()["access_token"])
        return await scenario(base, world, users=users, seconds=seconds)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


async def _standalone(args: argparse.Namespace) -> int:
    import os

    from tests.bench import run as bench

    await bench.ensure_database(recreate=True)
    await bench.delete_indices(os.environ["SEARCH_INDEX_PREFIX"])
    from search.client import close_engine
    from services.core.db import close_database, open_database

    await open_database()
    try:
        await bench.seed(args.scale)
    finally:
        await close_engine()
        await close_database()
    port = bench.free_port()
    server = bench.start_server(port)
    try:
        report = await run_against(f"http://127.0.0.1:{port}", users=args.users, seconds=args.seconds)
    finally:
        bench.stop_server(server)
    print_report(report)
    return 0 if report["errors"] == 0 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--scale", type=int, default=3000, help="listings seeded into the private load stack")
    args = parser.parse_args()
    import logging
    import os
    import sys

    os.environ.setdefault(
        "BENCH_DATABASE_URL",
        os.environ.get("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/x").rsplit("/", 1)[0]
        + "/techmarket_load",
    )
    os.environ.setdefault("BENCH_INDEX_PREFIX", "tmload")
    from tests.bench import run as bench

    bench.configure_environment()
    from services.core.logging import configure_logging

    configure_logging("WARNING")
    logging.getLogger("opensearch").setLevel(logging.ERROR)
    sys.exit(asyncio.run(_standalone(args)))


if __name__ == "__main__":
    main()
