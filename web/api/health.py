"""Liveness and readiness."""

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from search import client as engine
from services.core import db
from services.core.redis import get_redis

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _timed(check: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = await check()
    except Exception as exc:  # any failure means "down"; the type tells the operator why
        return {
            "status": "down",
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
            "error": type(exc).__name__,
        }
    result: dict[str, Any] = {"status": "up", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
    if detail:
        result["detail"] = detail
    return result


async def _database() -> None:
    await db.ping()


async def _redis() -> None:
    await get_redis().ping()


async def _search() -> str:
    health = await engine.ping()
    if health.get("status") == "red":
        raise RuntimeError("cluster red")
    return str(health.get("status"))


@router.get("/readyz")
async def readyz() -> JSONResponse:
    checks = {
        "database": await _timed(_database),
        "redis": await _timed(_redis),
        "search": await _timed(_search),
    }
    ready = all(c["status"] == "up" for c in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks}, status_code=200 if ready else 503
    )
