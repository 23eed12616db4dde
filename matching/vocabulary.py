"""Everyday wording of a need, read as the words the supply side writes (pure).

`matching/dictionary/need_terms.txt` lists phrases enterprises use (透视看内部, 是不是真的304 → 牌号) and the
technical words listings use for the same thing (无损检测 工业ct, 成分分析). The words are added to a demand's
retrieval query only: its reasons name only words the demand itself wrote.
"""

from functools import cache
from pathlib import Path
from typing import Final

from search.analysis import normalise

NEED_TERMS_PATH: Final = Path(__file__).resolve().parent / "dictionary" / "need_terms.txt"


def parse_need_terms(text: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """The lines of a need-terms file: (phrases, words) pairs; comments and blank lines skipped."""
    rules = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        left, arrow, right = line.partition("=>")
        phrases = tuple(normalise(p.strip()) for p in left.split(",") if p.strip())
        words = tuple(right.split())
        if not arrow or not phrases or not words:
            raise ValueError(f"need_terms.txt line {number}: expected 'phrase, … => word …', got {raw!r}")
        rules.append((phrases, words))
    return tuple(rules)


@cache
def need_terms() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    return parse_need_terms(NEED_TERMS_PATH.read_text(encoding="utf-8"))


def expansion(text: str) -> str:
    """The technical words a demand's everyday wording stands for (empty when it uses none)."""
    normalised = normalise(text)
    added: list[str] = []
    for phrases, words in need_terms():
        if any(phrase in normalised for phrase in phrases):
            added.extend(word for word in words if word not in added)
    return " ".join(added)
