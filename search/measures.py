"""What an instrument kind measures (dictionary/instrument_measures.txt): the 测试项目 a shared-instrument platform
lists under each instrument.

A listing says 射频器件S参数与天线性能测试 under a vector network analyser; an enterprise asks for the 介电常数 and
损耗角正切 of its circuit-board laminate. Both are true of the same instrument, and neither text names the other.
The table puts, beside each instrument kind, the measurands and tasks it is the standard tool for; the document of
an instrument listing carries them in ``measures_seg`` (search.documents), which matching retrieves over. The
listing's own text is never changed and nothing is shown from the table: it only finds.

A line is ``instrument name => term, term, …``; a listing's instrument name (or title) containing the name takes
its terms, the longest name first. Changing the file needs a reindex, not a code change.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from search.analysis import DICTIONARY_DIR, normalise, segment

MEASURES_PATH: Final = DICTIONARY_DIR / "instrument_measures.txt"


@functools.cache
def load_measures(path: Path = MEASURES_PATH) -> tuple[tuple[str, str], ...]:
    """``(normalised instrument name, its terms joined by spaces)``, the longest name first."""
    entries: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, arrow, terms = line.partition("=>")
        name = normalise(name.strip())
        listed = [term.strip() for term in terms.split(",") if term.strip()]
        if not arrow or not name or not listed:
            raise ValueError(f"{path.name} line {number}: expected `instrument name => term, term`")
        if name in entries:
            raise ValueError(f"{path.name} line {number}: {name!r} is listed twice")
        entries[name] = " ".join(listed)
    return tuple(sorted(entries.items(), key=lambda entry: -len(entry[0])))


def measures_of(snapshot: Mapping[str, Any], path: Path = MEASURES_PATH) -> str:
    """The terms of an instrument listing's kind, or "" (another type, or a kind the table does not list)."""
    if snapshot.get("type") != "instrument":
        return ""
    return _terms_of(str(snapshot.get("name") or snapshot.get("title") or ""), path)


# A catalogue has tens of instrument names and matching asks for each candidate's, so the lookup is kept.
@functools.lru_cache(maxsize=4096)
def _terms_of(name: str, path: Path) -> str:
    normalised = normalise(name)
    for kind, terms in load_measures(path):
        if kind in normalised:
            return terms
    return ""


@functools.lru_cache(maxsize=256)
def _segmented(terms: str) -> frozenset[str]:
    return frozenset(segment(terms).split())


def measure_words(snapshot: Mapping[str, Any]) -> frozenset[str]:
    """The words of an instrument listing's ``measures_seg`` (as the engine indexed them), for the reason that
    names the ones a demand used."""
    terms = measures_of(snapshot)
    return _segmented(terms) if terms else frozenset()
