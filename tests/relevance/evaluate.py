"""`python -m tests.relevance.evaluate [--test]`: both systems over the dev sets (and the test set), printed.

Indexes the relevance corpus under private prefixes (the product's path and the `standard` baseline), runs
the two dev sets' judged queries on both and prints nDCG@10, MRR and recall@50 per class with the weakest
queries. ``--test`` adds the held-out test set: every such run is one look at it, and
docs/search-relevance.md counts them. Needs only the search engine (SEARCH_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from search import client
from tests.relevance import harness


def _print_weakest(run: harness.RunResult, baseline: harness.RunResult, count: int) -> None:
    base = baseline.by_id()
    for result in harness.weakest(run, count):
        query = result.query
        top = ", ".join(f"{key}({query.grade(key)})" for key in result.keys[:3])
        print(
            f"  {query.id:<34} {query.cls:<12} «{query.q}» nDCG {result.ndcg:.2f} R@50 {result.recall:.2f}"
            f" total {result.total}{' relaxed' if result.relaxed else ''}"
            f" | std {base[query.id].ndcg:.2f} | top: {top}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test", action="store_true", help="also run the held-out test set (one look)")
    parser.add_argument("--weakest", type=int, default=15)
    parser.add_argument("--only", nargs="*", help="run only these sets")
    args = parser.parse_args()
    corpus = harness.corpus()
    sets = {
        "dev": harness.load_queries(),
        **{name: harness.load_queries(path, known_classes=False) for name, path in harness.DEV_SETS.items()},
    }
    if args.test:
        sets["test"] = harness.load_queries(harness.TEST_PATH, known_classes=False)
    if args.only:
        sets = {name: queries for name, queries in sets.items() if name in args.only}
    base = f"tmreleval{os.getpid()}"
    ours_prefix, standard_prefix = f"{base}-ours", f"{base}-standard"
    try:
        await harness.index_ours(ours_prefix, corpus)
        await harness.index_standard(standard_prefix, corpus)
        all_keys = [document.key for document in corpus]
        for name, queries in sets.items():
            unmatched = harness.check_keys(queries, all_keys)
            ours = await harness.run("ours", ours_prefix, queries, corpus)
            standard = await harness.run("standard", standard_prefix, queries, corpus)
            print(f"\n=== {name} set: {len(queries)} queries")
            print(harness.class_table([ours, standard]))
            if unmatched:
                print(f"judgement lines matching no document: {unmatched}")
            relaxed = [r.query.q for r in ours.results if r.relaxed]
            print(f"relaxed: {relaxed}")
            print("weakest, ours:")
            _print_weakest(ours, standard, args.weakest)
            print("lowest recall@50, ours:")
            for result in sorted(ours.results, key=lambda r: r.recall)[: args.weakest]:
                missed = [
                    key
                    for key in all_keys
                    if result.query.grade(key) > 0 and key not in result.keys[: harness.DEPTH]
                ]
                print(
                    f"  {result.query.id:<34} «{result.query.q}» R@50 {result.recall:.2f} total {result.total}"
                    f" missed {len(missed)}: {', '.join(missed[:4])}"
                )
    finally:
        await harness.delete_indices(ours_prefix)
        await harness.delete_indices(standard_prefix)
        await client.close_engine()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
