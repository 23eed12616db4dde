"""The matching figure of `make bench` on its own: one demand's matches against one search request.

    python -m tests.bench.bench_matching --scale 20000 --rounds 5

Seeds (or reuses) the private bench database and prefix exactly as tests/bench/run.py does — set
BENCH_DATABASE_URL / BENCH_INDEX_PREFIX to keep it apart from another bench — then measures
`run.measure_matching` (retrieval + provider facts + features + ranking of the 71 judged dev demands, against an
uncached search for each demand's title, in the same process and run) and prints p50/p95 and their ratios.
"""

import argparse
import asyncio
import logging

from tests.bench import run


async def main(args: argparse.Namespace) -> None:
    from search.client import close_engine
    from services.core.db import close_database, open_database
    from services.core.redis import close_redis

    await run.ensure_database(recreate=False)
    await open_database()
    try:
        marker = None if args.reseed else await run.seeded_marker(args.scale)
        if marker is None:
            await close_database()
            await run.ensure_database(recreate=True)
            await run.delete_indices(run.os.environ["SEARCH_INDEX_PREFIX"])
            await open_database()
            marker = await run.seed(args.scale)
        run.log(f"{marker['listings']} listings ({marker['published']} published)")
        samples = await run.measure_matching(args.rounds)
        run.print_table(
            run.latency_figures(
                "demand matches (match/search)", samples["matching"], samples["search"], most=2.0
            )
        )
    finally:
        await close_engine()
        await close_redis()
        await close_database()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\\n")[0])
    parser.add_argument("--scale", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reseed", action="store_true")
    arguments = parser.parse_args()
    run.configure_environment()
    from services.core.logging import configure_logging

    configure_logging("WARNING")
    logging.getLogger("opensearch").setLevel(logging.ERROR)
    asyncio.run(main(arguments))
