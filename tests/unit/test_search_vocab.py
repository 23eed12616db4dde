"""Vocabulary mined from listings (search/vocab.py): candidates, what is left out, and where decisions go."""

from pathlib import Path
from typing import Any

import pytest

from search import vocab


def listing(title: str, description: str = "", keywords: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"title": title, "summary": "", "description": description, "keywords": list(keywords)}


def test_a_parenthesised_acronym_is_paired_with_the_ending_most_listings_share() -> None:
    # given listings that write one acronym after different lead-ins
    listings = [
        listing("基于原子层刻蚀(ALE)的光刻胶", "团队擅长原子层刻蚀(ALE)工艺"),
        listing("原子层刻蚀（ALE）设备", "长期从事原子层刻蚀(ALE)"),
        listing("薄膜技术", "采用原子层刻蚀(ALE)制备"),
    ]

    # when mined
    candidates = vocab.mine(listings)

    # then the expansion is the term itself, not the sentence before it
    assert [c.line for c in candidates if c.kind == "acronym"] == ["ale, 原子层刻蚀"]
    assert next(c for c in candidates if c.kind == "acronym").support == 3


def test_a_keyword_written_next_to_its_short_form_is_a_synonym_candidate() -> None:
    listings = [listing(f"电化学分析仪 {n}", keywords=("电分", "电化学分析仪", "射频")) for n in range(3)]

    lines = [c.line for c in vocab.mine(listings) if c.kind == "short_form"]

    assert lines == ["电分, 电化学分析仪"]


def test_a_frequent_keyword_the_segmenter_cuts_apart_is_a_term_candidate() -> None:
    listings = [listing(f"成果 {n}", keywords=("点云配准算法",)) for n in range(3)]

    terms = [c.line for c in vocab.mine(listings) if c.kind == "term"]

    assert terms == ["点云配准算法"]


def test_known_vocabulary_and_rare_pairs_are_not_proposed() -> None:
    # given an acronym the synonym list knows, and a new one written only once
    listings = [
        listing("体外诊断(IVD)试剂", "体外诊断(IVD)"),
        listing("体外诊断(IVD)平台"),
        listing("低温共烧陶瓷(LTCCX)基板"),
    ]

    # then neither is asked about
    assert [c for c in vocab.mine(listings) if c.kind == "acronym"] == []


def test_decisions_go_to_the_files_the_analysis_loads_and_are_not_asked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given empty mined lists
    for name in ("MINED_SYNONYMS_PATH", "MINED_WORDS_PATH", "REJECTED_PATH"):
        monkeypatch.setattr(vocab, name, tmp_path / f"{name}.txt")
    synonym = vocab.Candidate("acronym", "ald, 原子层沉积", 3, "x")
    word = vocab.Candidate("term", "点云配准算法", 3, "y")
    rejected = vocab.Candidate("short_form", "热分析, 热重分析仪", 3, "z")

    # when a reviewer accepts two and rejects one
    vocab.record(synonym, accepted=True)
    vocab.record(word, accepted=True)
    vocab.record(rejected, accepted=False)

    # then synonyms and dictionary words land in their lists, and nothing decided is pending
    assert (tmp_path / "MINED_SYNONYMS_PATH.txt").read_text(encoding="utf-8") == "ald, 原子层沉积\n"
    assert (tmp_path / "MINED_WORDS_PATH.txt").read_text(encoding="utf-8") == "点云配准算法 50000 nz\n"
    assert vocab.pending([synonym, word, rejected]) == []
