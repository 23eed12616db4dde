"""What an instrument kind measures (dictionary/instrument_measures.txt): the 测试项目 a shared-instrument platform
lists under each instrument.

A listing says 射频器件S参数与天线性能测试 under a vector network analyser; an enterprise asks for the 介电常数 and
损耗角正切 of its circuit-board laminate. Both are true of the same instrument, and neither text names the other.
The table puts, beside each instrument kind, the measurands and tasks it is the standard tool for; the document of
an instrument listing carries them in ``measures_seg`` (search.documents), which matching retrieves over and
search matches each query word against, weaker than the listing's own words (search.queries.SEARCH_MEASURES_BOOST).
The listing's own text is never changed and nothing is shown from the table: it only finds.

Beside it, ``instrument_uses.txt`` says what enterprises bring to each kind in their own words (白酒, 甲醇,
杂醇油 for a gas chromatograph), and ``topic_uses.txt`` what they ask for when a technology topic or a service
offering is the answer (手机散热, 续航短 for a battery-management topic; 侵权风险 for an FTO analysis). An
achievement, expert or agency listing naming a topic or an offering (in its title, summary, keywords or offerings)
takes the terms of every one it names.

A line is ``name => term, term, …``; a listing's instrument name (or title) containing the name takes its terms,
the longest name first. Changing a file needs a reindex, not a code change.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from search.analysis import DICTIONARY_DIR, normalise, segment

MEASURES_PATH: Final = DICTIONARY_DIR / "instrument_measures.txt"
USES_PATH: Final = DICTIONARY_DIR / "instrument_uses.txt"
TOPICS_PATH: Final = DICTIONARY_DIR / "topic_uses.txt"


@functools.cache
def load_measures(path: Path = MEASURES_PATH) -> tuple[tuple[str, str], ...]:
    """``(normalised name, its terms joined by spaces)``, the longest name first."""
    entries: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, arrow, terms = line.partition("=>")
        name = normalise(name.strip())
        listed = [term.strip() for term in terms.split(",") if term.strip()]
        if not arrow or not name or not listed:
            raise ValueError(f"{path.name} line {number}: expected `name => term, term`")
        if name in entries:
            raise ValueError(f"{path.name} line {number}: {name!r} is listed twice")
        entries[name] = " ".join(listed)
    return tuple(sorted(entries.items(), key=lambda entry: -len(entry[0])))


def measures_of(
    snapshot: Mapping[str, Any],
    path: Path = MEASURES_PATH,
    *,
    uses_path: Path = USES_PATH,
    topics_path: Path = TOPICS_PATH,
) -> str:
    """The terms of a listing: an instrument's kind (what it measures, what is brought to it), another listing's
    topics and offerings (what is asked of them); "" when the tables list none of them."""
    if snapshot.get("type") == "instrument":
        name = str(snapshot.get("name") or snapshot.get("title") or "")
        return _joined(_terms_of(name, path), _terms_of(name, uses_path))
    named = [str(snapshot.get(key) or "") for key in ("title", "summary")]
    named += [str(word) for word in snapshot.get("keywords") or []]
    named += [str(offering.get("name") or "") for offering in snapshot.get("offerings") or []]
    return _topic_terms(" ".join(named), topics_path)


def _joined(*groups: str) -> str:
    return " ".join(dict.fromkeys(term for group in groups for term in group.split()))


# A catalogue has tens of instrument names and matching asks for each candidate's, so the lookup is kept.
@functools.lru_cache(maxsize=4096)
def _terms_of(name: str, path: Path) -> str:
    normalised = normalise(name)
    for kind, terms in _table(path):
        if kind in normalised:
            return terms
    return ""


# Keyed by the listing's own words: matching asks for the same candidates demand after demand.
@functools.lru_cache(maxsize=16_384)
def _topic_terms(named: str, path: Path) -> str:
    text = normalise(named)
    return _joined(*(terms for topic, terms in _table(path) if topic in text))


def _table(path: Path) -> tuple[tuple[str, str], ...]:
    # A table not shipped (yet) lists nothing.
    return load_measures(path) if path.exists() else ()


# The words of a listing's terms are the union of each term's words (a space ends every word the segmenter
# cuts; tests/unit/test_measures.py checks it over the shipped tables), and the tables hold a few thousand terms:
# each is cut once, where cutting every candidate's whole string cost a demand's matches a fifth of their time.
@functools.cache
def _term_words(term: str) -> frozenset[str]:
    return frozenset(segment(term).split())


@functools.lru_cache(maxsize=16_384)
def _segmented(terms: str) -> frozenset[str]:
    return frozenset().union(*(_term_words(term) for term in terms.split()))


def measure_words(snapshot: Mapping[str, Any]) -> frozenset[str]:
    """The words of a listing's ``measures_seg`` (as the engine indexed them), for the reason that names the ones
    a demand used."""
    terms = measures_of(snapshot)
    return _segmented(terms) if terms else frozenset()
