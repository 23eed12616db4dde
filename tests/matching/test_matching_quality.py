"""Matching quality on the judged demands (docs/matching-quality.md): recall@5/@10 of the product's matcher
over the relevance corpus, against plain BM25 over the same listings.

The dev side (tests/matching/data/dev.yaml, and dev2–dev11.yaml: earlier test halves, each promoted once its
figures had been read) is what the matcher was tuned on; the test half (tests/matching/data/test.yaml) was
written by a judge who never saw the matching code, and is only reported.
"""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from search import client
from services.demand.schemas import DemandCreate
from tests.matching import harness
from tests.relevance.corpus import CorpusDocument, build_corpus

pytestmark = pytest.mark.integration

PREFIX_OURS = f"tmmatch{os.getpid()}"
PREFIX_BM25 = f"tmmatchstd{os.getpid()}"
GATE = 0.90


@pytest.fixture(scope="module")
async def corpus() -> AsyncIterator[tuple[CorpusDocument, ...]]:
    documents = build_corpus()
    await harness.index(PREFIX_OURS, PREFIX_BM25, documents)
    yield documents
    await harness.drop(PREFIX_OURS, PREFIX_BM25)
    await client.close_engine()


async def _runs(half: str, corpus: tuple[CorpusDocument, ...]) -> tuple[harness.Run, harness.Run]:
    demands = harness.load_half(half)
    assert len(demands) >= 30
    ours = await harness.run_ours(PREFIX_OURS, demands, corpus)
    bm25 = await harness.run_bm25(PREFIX_BM25, demands, corpus)
    print(
        f"\n{half}: ours r@5 {ours.mean(5):.3f} r@10 {ours.mean(10):.3f}; bm25 r@5 {bm25.mean(5):.3f} r@10 {bm25.mean(10):.3f}"
    )
    return ours, bm25


async def test_both_halves_cover_all_four_supply_types(corpus: tuple[CorpusDocument, ...]) -> None:
    # given both halves of the judged set
    for path in (*harness.DEV_PATHS, *_test_half()):
        demands = harness.load(path)
        # then each supply type is what some demand needs most
        types = {
            document.snapshot["type"]
            for demand in demands
            for document in corpus
            if demand.grade(document.key) == 3
        }
        assert types == {"achievement", "instrument", "expert", "agency"}, path.name


def test_every_judged_demand_is_a_valid_create_body() -> None:
    # given every judged demand, dev and test (the test half's judge wrote bodies without the schema)
    for path in (*harness.DEV_PATHS, *_test_half()):
        for demand in harness.load(path):
            # then the portal would accept it as written: the matcher sees what an enterprise could post
            DemandCreate.model_validate(demand.body)


def _test_half() -> tuple[Path, ...]:
    return tuple(path for path in (harness.TEST_PATH, harness.TEST2_PATH) if path.exists())


needs_test_half = pytest.mark.skipif(
    not harness.TEST_PATH.exists(),
    reason="the held-out test half (tests/matching/data/test.yaml) is not placed yet",
)


async def test_dev_half_beats_bm25(corpus: tuple[CorpusDocument, ...]) -> None:
    # when the tuned-on half runs through the matcher and the baseline
    ours, bm25 = await _runs("dev", corpus)

    # then the matcher finds more of what a broker would propose, at both depths
    assert ours.mean(5) > bm25.mean(5)
    assert ours.mean(10) > bm25.mean(10)


async def test_files_tuned_on_for_more_than_one_wave_reach_the_gate(
    corpus: tuple[CorpusDocument, ...],
) -> None:
    # when the dev files tuned on longest (dev, dev2, dev3) run through the matcher
    ours, _ = await _runs("tuned", corpus)

    # then recall@10 is at the gate: what tuning reached stays reached (dev4 to dev8, read as held out, are
    # reported only)
    assert ours.mean(10) >= GATE


@needs_test_half
async def test_test_half_is_not_below_bm25(corpus: tuple[CorpusDocument, ...]) -> None:
    # when the held-out half runs through the matcher and the baseline
    ours, bm25 = await _runs("test", corpus)

    # then the matcher is not worse than plain BM25 over the same listings
    assert ours.mean(5) >= bm25.mean(5)
    assert ours.mean(10) >= bm25.mean(10)


@needs_test_half
@pytest.mark.parametrize("half", ["test", "test2"])
async def test_held_out_halves_reach_recall_at_10_of_0_90(
    half: str, corpus: tuple[CorpusDocument, ...]
) -> None:
    # when a held-out half (the fourteenth and fifteenth judges', written while the thirteenth wave's change was
    # made and placed after it, unread) runs through the matcher
    ours, bm25 = await _runs(half, corpus)

    # then recall@10 reaches the gate and stays at or above BM25
    assert ours.mean(10) >= bm25.mean(10)
    assert ours.mean(10) >= GATE
