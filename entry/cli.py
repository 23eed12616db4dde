"""The `techmarket` command: serve, worker, migrate, create-user, reindex, search-check, import, reconcile,
train-matcher, remind-overdue.

Demo data is not part of the deployed system: `python -m devdata` (or `make seed`) loads it from a checkout.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from services.core.logging import configure_logging
from services.core.settings import get_settings

app = typer.Typer(help="TechMarket 科技服务超市 — command line", no_args_is_help=True, add_completion=False)
_T = TypeVar("_T")


def run_with_services(work: Callable[[], Awaitable[_T]], *, database: bool = True) -> _T:
    """Run a coroutine with the database, Redis and the engine client open, and close them after."""

    async def wrapped() -> _T:
        from search.client import close_engine
        from search.service import register_outbox_documents, settle
        from services.core.db import close_database, open_database
        from services.core.redis import close_redis

        register_outbox_documents()
        if database:
            await open_database()
        try:
            return await work()
        finally:
            await settle()
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
        # Behind a TLS-terminating proxy, FORWARDED_ALLOW_IPS names it: the scheme (HSTS, Secure cookies) and
        # the client address (login throttling) then come from its X-Forwarded-* headers, and from no one else.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        # Longer than a load balancer's idle timeout (60 s is common), so the server never closes a
        # keep-alive connection that a client or proxy is about to reuse.
        timeout_keep_alive=65,
    )


@app.command()
def worker() -> None:
    """Drain the outbox into the search engine and the matcher, forever."""
    from entry.worker import run_forever

    async def work() -> None:
        # run_forever creates missing indices itself, once the engine answers.
        await run_forever()

    run_with_services(work)


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    from services.core.db import migrate_database

    async def work() -> None:
        await migrate_database()

    run_with_services(work, database=False)
    typer.echo("migrations applied")


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option(envvar="TM_PASSWORD", help="or the TM_PASSWORD variable")],
    role: Annotated[str, typer.Option()] = "admin",
    name: Annotated[str, typer.Option()] = "管理员",
    org_id: Annotated[int | None, typer.Option()] = None,
    exist_ok: Annotated[bool, typer.Option(help="succeed if the e-mail is already registered")] = False,
) -> None:
    """Create a user (admins are created only here)."""
    from services.accounts import service
    from services.core.errors import Conflict
    from services.reference.vocabulary import Role

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

    run_with_services(work)


@app.command()
def reindex(replicas: Annotated[int, typer.Option()] = 0) -> None:
    """Rebuild every index (listings and published demands) from PostgreSQL into new indices and swap the
    aliases (zero downtime)."""

    async def work() -> dict[str, Any]:
        from entry.worker import replay_since
        from search import service as search_service
        from services.catalog import service as catalog_service
        from services.core import outbox
        from services.demand import service as demand_service

        async def snapshots() -> Any:
            async for batch in catalog_service.published_snapshots():
                yield batch
            async for batch in demand_service.published_search_snapshots():
                yield batch

        mark = await outbox.high_water_mark()
        result = await search_service.rebuild(snapshots(), replicas=replicas)
        # Changes committed while we were copying may have gone to the old index: replay them.
        result["replayed"] = await replay_since(mark)
        return result

    typer.echo(run_with_services(work))


@app.command()
def backup(target: Annotated[Path, typer.Argument(help="file to write (pg_dump custom format)")]) -> None:
    """Dump the database (the system of record); the search index is rebuilt from it on restore."""
    from entry.backup import dump

    size = dump(database_url=get_settings().database_url, target=target)
    typer.echo(f"backup written: {target} ({size} bytes)")


@app.command()
def restore(source: Annotated[Path, typer.Argument(help="a dump written by `techmarket backup`")]) -> None:
    """Restore the database from a dump, then rebuild every search index from the restored rows."""
    from entry.backup import restore as restore_dump

    restore_dump(database_url=get_settings().database_url, source=source)
    typer.echo("database restored; reindexing")
    reindex(replicas=0)


@app.command("train-matcher")
def train_matcher() -> None:
    """Train the match-ranking model on brokers' outcomes; adopt it only if it beats the ranking in use."""

    async def work() -> dict[str, Any]:
        from matching import service as matching_service

        return await matching_service.train_matcher()

    try:
        result = run_with_services(work)
    except ValueError as exc:
        typer.echo(f"not trained: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(result)


@app.command("remind-overdue")
def remind_overdue() -> None:
    """Remind each broker now of their matches untouched past the SLA (the worker does it every 5 minutes)."""

    async def work() -> int:
        from services.demand import service as demand_service

        return await demand_service.remind_overdue()

    typer.echo(f"reminders sent: {run_with_services(work)}")


@app.command("search-vocab")
def search_vocab(
    review: Annotated[bool, typer.Option("--review", help="decide on each new candidate: y / n / q")] = False,
    limit: Annotated[int, typer.Option(help="show at most this many candidates")] = 50,
) -> None:
    """Mine abbreviations, expansions and technical terms from the published listings; review them.

    Accepted synonyms go to search/dictionary/mined_synonyms.txt, accepted words to mined_words.txt; the next
    `techmarket reindex` applies them (restart the server and workers so queries segment the same way).
    """
    from search import vocab

    async def work() -> list[vocab.Candidate]:
        from services.catalog import service as catalog_service

        listings = [snap async for batch in catalog_service.published_snapshots() for snap in batch]
        return vocab.pending(vocab.mine(listings))

    candidates = run_with_services(work)[:limit]
    typer.echo(f"{len(candidates)} candidates nobody has decided on")
    accepted = 0
    for candidate in candidates:
        line = (
            f"[{candidate.kind}] {candidate.line}  ({candidate.support} listings, e.g. {candidate.example})"
        )
        if not review:
            typer.echo(line)
            continue
        answer = typer.prompt(f"{line} — accept? [y/n/q]", default="n").strip().lower()
        if answer == "q":
            break
        if answer in ("y", "n"):
            vocab.record(candidate, accepted=answer == "y")
            accepted += answer == "y"
    if review:
        typer.echo(f"accepted {accepted}; run `techmarket reindex` to apply")


@app.command("search-check")
def search_check(fix: Annotated[bool, typer.Option(help="re-enqueue every difference")] = False) -> None:
    """Compare PostgreSQL with the index and report (and optionally fix) every difference."""
    from entry.consistency import check_index

    report = run_with_services(lambda: check_index(fix=fix))
    typer.echo(report)
    if report["missing"] or report["stale"] or report["extra"]:
        raise typer.Exit(code=0 if fix else 1)


@app.command()
def reconcile() -> None:
    """Compare the money ledger with the payment provider (read back by id) and its events; exit 1 on any difference."""
    from services.deals.ledger import reconcile as run_reconcile
    from services.deals.payments.stripe_gateway import gateway_from_settings

    report = run_with_services(lambda: run_reconcile(provider=gateway_from_settings()))
    for difference in report["differences"]:
        typer.echo(difference)
    typer.echo(
        f"provider: {report['payments']} payment(s) and {report['refunds']} refund(s) read back by id; "
        f"{report['provider_records']} answered from the provider's records, {report['provider_fixtures']} "
        "from fixtures (stripe-mock: identity checked, amounts only against the signed events)"
    )
    typer.echo(f"reconcile: {len(report['differences'])} difference(s)")
    if report["differences"]:
        raise typer.Exit(code=1)


indicators_app = typer.Typer(help="The turnover indicator's roll-up", no_args_is_help=True)
app.add_typer(indicators_app, name="indicators")


@indicators_app.command("rebuild")
def indicators_rebuild() -> None:
    """Recompute the turnover roll-up from the registered contracts."""
    from services.indicators.service import rebuild_rollup

    rows = run_with_services(rebuild_rollup)
    typer.echo(f"indicators: {rows} roll-up rows")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="the .xlsx or .csv file", exists=True, dir_okay=False)],
    type_: Annotated[str, typer.Option("--type", help="achievement | instrument | expert | agency")],
    org_id: Annotated[int, typer.Option(help="organisation that will own the listings")],
    publish: Annotated[bool, typer.Option(help="publish the imported listings at once")] = False,
    partial: Annotated[bool, typer.Option(help="save the good rows even when some rows fail")] = False,
) -> None:
    """Import listings from a spreadsheet in this process, with a progress bar; exit code 1 when rows failed."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from services.core.errors import DomainError
    from services.imports import service as imports
    from services.reference.vocabulary import ListingType

    try:
        listing_type = ListingType(type_)
    except ValueError as exc:
        raise typer.BadParameter(f"--type must be one of {', '.join(t.value for t in ListingType)}") from exc
    console = Console(stderr=True)
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("failed {task.fields[failed]}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(f"校验 {file.name}", total=None, failed=0)

        async def progress(total: int, done: int, failed: int) -> None:
            phase = "保存" if total and done >= total else "校验"
            bar.update(task, total=total, completed=done, failed=failed, description=f"{phase} {file.name}")

        async def work() -> imports.ImportOutcome:
            outcome = await imports.import_file(
                org_id=org_id,
                actor_id=None,
                listing_type=listing_type,
                filename=file.name,
                content=file.read_bytes(),
                publish=publish,
                mode=imports.ImportMode.PARTIAL if partial else imports.ImportMode.ALL_OR_NOTHING,
                progress=progress,
            )
            bar.update(task, description=f"完成 {file.name}")
            return outcome

        try:
            outcome = run_with_services(work)
        except DomainError as exc:
            bar.stop()
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(code=2) from exc
    for error in outcome.errors[:50]:
        typer.echo(f"  row {error.row} [{error.column}] {error.msg}")
    if len(outcome.errors) > 50:
        typer.echo(f"  … and {len(outcome.errors) - 50} more errors")
    kinds = Counter(warning["kind"] for warning in outcome.warnings)
    for kind, count in sorted(kinds.items()):
        rows = ", ".join(
            str(row) for row in sorted({w["row"] for w in outcome.warnings if w["kind"] == kind})
        )
        typer.echo(f"  warning {kind}: {count} (rows {rows[:200]}{'…' if len(rows) > 200 else ''})")
    typer.echo(
        f"{outcome.status}: {outcome.total} rows, {outcome.created} created, {outcome.updated} updated, "
        f"{outcome.failed} failed, {len(outcome.warnings)} warnings in {time.perf_counter() - started:.1f}s"
    )
    if outcome.status == "failed" or outcome.failed:
        raise typer.Exit(code=1)


def main() -> None:
    """Console-script entry point."""
    app()
