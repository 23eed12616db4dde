"""`python -m devdata --scale N`: load the deterministic demo dataset (run from a source checkout)."""

import random
import time
from typing import Annotated

import typer

from devdata.seeding import load_demo
from entry.cli import run_with_services

app = typer.Typer(add_completion=False)


@app.command()
def seed(
    scale: Annotated[int, typer.Option(help="number of listings")] = 3000,
    demands: Annotated[int, typer.Option(help="number of demands")] = 60,
    random_seed: Annotated[int, typer.Option("--seed", help="random seed (deterministic output)")] = 20260301,
    index: Annotated[bool, typer.Option(help="drain the outbox into the engine before returning")] = True,
) -> None:
    """Load realistic, deterministic Chinese demo data (idempotent: re-running updates, never duplicates)."""
    started = time.perf_counter()
    summary = run_with_services(
        lambda: load_demo(scale=scale, demands=demands, rng=random.Random(random_seed), index=index)
    )
    typer.echo(f"seeded {summary} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    app()
