"""The `techmarket` command: serve, worker, migrate, create-user, seed, reindex, search-check."""

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer

from services.core.logging import configure_logging
from services.core.settings import get_settings

app = typer.Typer(help="TechMarket 科技服务超市 — command line", no_args_is_help=True, add_completion=False)
_T = TypeVar("_T")


def _run(work: Callable[[], Awaitable[_T]], *, database: bool = True) -> _T:
    async def wrapped() -> _T:
        from search.client import close_engine
        from services.core.db import close_database, open_database
        from services.core.redis import close_redis

        if database:
            await open_database()
        try:
            return await work()
        finally:
            await close_engine()
            await close_redis()
            if database:
                await close_database()

    configure_logging(get_settings().log_level)
    return asyncio.run(wrapped())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port (default PORT)")] = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Serve the API and the portal."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "web.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=False,
    )


@app.command()
def worker() -> None:
    """Drain the outbox into the search engine and the matcher, forever."""
    from web.worker import run_forever

    async def work() -> None:
        from search.service import ensure_indices

        await ensure_indices()
        await run_forever()

    _run(work)


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    from services.core.db import migrate_database

    async def work() -> None:
        await migrate_database()

    _run(work, database=False)
    typer.echo("migrations applied")


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option()] = "admin",
    name: Annotated[str, typer.Option()] = "管理员",
    org_id: Annotated[int | None, typer.Option()] = None,
    exist_ok: Annotated[bool, typer.Option(help="succeed if the e-mail is already registered")] = False,
) -> None:
    """Create a user (admins are created only here)."""
    from services.accounts import service
    from services.accounts.schemas import Role
    from services.core.errors import Conflict

    async def work() -> None:
        try:
            user = await service.create_user(
                actor_id=None, email=email, password=password, name=name, role=Role(role), org_id=org_id
            )
            typer.echo(f"created user {user.id} <{user.email}> role={user.role}")
        except Conflict:
            if not exist_ok:
                raise
            typer.echo(f"user <{email}> already exists")

    _run(work)


@app.command()
def seed(
    scale: Annotated[int, typer.Option(help="number of listings")] = 3000,
    demands: Annotated[int, typer.Option(help="number of demands")] = 60,
    random_seed: Annotated[int, typer.Option("--seed", help="random seed (deterministic output)")] = 20260301,
    index: Annotated[bool, typer.Option(help="drain the outbox into the engine before returning")] = True,
) -> None:
    """Load realistic, deterministic Chinese demo data (idempotent: re-running updates, never duplicates)."""
    from web.seeding import load_demo

    started = time.perf_counter()
    summary = _run(
        lambda: load_demo(scale=scale, demands=demands, rng=random.Random(random_seed), index=index)
    )
    typer.echo(f"seeded {summary} in {time.perf_counter() - started:.1f}s")


@app.command()
def reindex(replicas: Annotated[int, typer.Option()] = 0) -> None:
    """Rebuild every index from PostgreSQL into new indices and swap the aliases (zero downtime)."""

    async def work() -> dict[str, Any]:
        from search import service as search_service
        from services.catalog import service as catalog_service
        from services.core import outbox
        from web.worker import replay_since

        mark = await outbox.high_water_mark()
        result = await search_service.rebuild(catalog_service.published_snapshots(), replicas=replicas)
        # Changes committed while we were copying may have gone to the old index: replay them.
        result["replayed"] = await replay_since(mark)
        return result

    typer.echo(_run(work))


@app.command("search-check")
def search_check(fix: Annotated[bool, typer.Option(help="re-enqueue every difference")] = False) -> None:
    """Compare PostgreSQL with the index and report (and optionally fix) every difference."""
    from web.consistency import check_index

    report = _run(lambda: check_index(fix=fix))
    typer.echo(report)
    if report["missing"] or report["stale"] or report["extra"]:
        raise typer.Exit(code=0 if fix else 1)


def main() -> None:
    """Console-script entry point."""
    app()
