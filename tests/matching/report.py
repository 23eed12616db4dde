"""Print recall@5/@10 of the matcher and the BM25 baseline on a half of the judged set.

``python -m tests.matching.report dev [--reuse] [--misses]`` (``dev1``/``dev2`` for one dev file, ``test`` for the
held-out half). Indices live
under the prefixes below on the engine of SEARCH_URL; ``--reuse`` skips re-indexing the corpus.
"""

import asyncio
import sys

from search import client
from search.indices import alias_name
from tests.matching import harness
from tests.relevance.corpus import build_corpus

PREFIX_OURS = "tmmatcheval"
PREFIX_BM25 = "tmmatchevalstd"


async def main(half: str, reuse: bool, show_misses: bool) -> None:
    corpus = build_corpus()
    demands = harness.load_half(half)
    if not (reuse and await client.alias_targets(alias_name("achievement", PREFIX_OURS))):
        await harness.index(PREFIX_OURS, PREFIX_BM25, corpus)
    ours = await harness.run_ours(PREFIX_OURS, demands, corpus)
    bm25 = await harness.run_bm25(PREFIX_BM25, demands, corpus)
    print("| half | system | recall@5 | recall@10 |")
    print(harness.table(half, [ours, bm25], len(demands)))
    if show_misses:
        for demand in demands:
            if ours.recall[10][demand.id] < 1.0:
                print(harness.misses(demand, ours))
    await client.close_engine()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], "--reuse" in sys.argv, "--misses" in sys.argv))
