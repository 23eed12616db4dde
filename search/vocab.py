"""Vocabulary mined from the listings themselves (pure): abbreviations, their expansions, technical terms.

Three kinds of candidate, each with the number of listings that support it:

- **Parenthesised acronyms** — 体外诊断(IVD), 碳化硅（SiC）: a Chinese term directly followed by a Latin
  short form in brackets. Candidate synonym line ``ivd, 体外诊断``.
- **Short forms** — two keywords of one listing where the shorter is the longer one's characters in order,
  starting with the same character (透射电镜 / 透射电子显微镜, 锂电 / 锂离子电池): a Chinese abbreviation
  written next to its expansion. Candidate synonym line ``透射电镜, 透射电子显微镜``.
- **Technical terms** — keywords used by several listings that the segmenter cuts into pieces (点云感知 →
  点云 / 感知). Candidate user-dictionary word, so the term stays one token.

Limits: where every listing writes the same sentence before the bracket (本仪器可开展…(XXX)), the shared ending
is the whole run and the reviewer has to cut it; a term built around a known one is not proposed as a short
form (it would hide the known term's sub-words). Candidates already known (a line of the synonym lists, a
dictionary word) are left out. A person reviews the
rest (``techmarket search-vocab --review``); accepted ones are appended to ``mined_synonyms.txt`` and
``mined_words.txt`` beside the hand-kept lists, which ``search.analysis`` loads with them: the next reindex
applies them, with no code change.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from search.analysis import (
    DICTIONARY_DIR,
    MINED_SYNONYMS_PATH,
    MINED_WORD_FREQ,
    MINED_WORDS_PATH,
    SYNONYM_RULES,
    domain_words,
    is_known_word,
    normalise,
    segment,
    words,
)

REJECTED_PATH: Final = DICTIONARY_DIR / "mined_rejected.txt"

_HAN: Final = "\u4e00-\u9fff"
_ACRONYM: Final = re.compile(f"([{_HAN}]{{2,12}})\\s*[（(]\\s*([A-Za-z][A-Za-z0-9\\-]{{1,11}})\\s*[)）]")
_ONLY_HAN: Final = re.compile(f"[{_HAN}]+")
# A term needs this many listings behind it before anyone is asked about it.
MIN_SUPPORT: Final = 2
MIN_TERM_SUPPORT: Final = 3
# An acronym's expansion is the longest ending of the text before it that this share of its listings write.
SHARED_ENDING: Final = 0.6
_MAX_TERM_WORDS: Final = 7
# Words that lead into a term in running text without being part of it (擅长图神经网络(GNN)).
_LEAD_INS: Final = frozenset(
    [
        "擅长",
        "基于",
        "从事",
        "长期",
        "属于",
        "面向",
        "完成",
        "团队",
        "提供",
        "采用",
        "利用",
        "开展",
        "研究",
        "研发",
        "新一代",
        "主要",
        "成果",
        "以及",
        "通过",
    ]
)


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: str  # "acronym", "short_form" or "term"
    line: str  # the synonym line or the dictionary word, as it would be written to its file
    support: int  # how many listings say it
    example: str  # one listing title that says it

    @property
    def is_synonym(self) -> bool:
        return self.kind != "term"


def _texts(listing: dict[str, Any]) -> str:
    parts = [listing.get("title"), listing.get("name"), listing.get("summary"), listing.get("description")]
    parts.append(listing.get("bio"))
    return "\n".join(str(part) for part in parts if part)


def _is_short_form(short: str, long: str) -> bool:
    """Whether ``short`` is ``long``'s characters in order, from its first one, and clearly shorter."""
    if not (2 <= len(short) <= len(long) - 2) or short[0] != long[0] or short in long:
        return False
    position = 0
    for char in short:
        position = long.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


def _known_pairs() -> set[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    for rule in SYNONYM_RULES:
        terms = [term.strip() for term in re.split("=>|,", rule) if term.strip()]
        pairs.update(frozenset((a, b)) for a in terms for b in terms if a != b)
    return pairs


def _holds_known_term(term: str, known_terms: set[str]) -> bool:
    return any(len(known) >= 3 and known in term for known in known_terms)


def _title(listing: dict[str, Any]) -> str:
    return str(listing.get("title") or listing.get("name") or "")


def mine(listings: Iterable[dict[str, Any]]) -> list[Candidate]:
    """Candidates from listing snapshots (title, summary, description, keywords), best supported first."""
    acronyms: Counter[tuple[str, str]] = Counter()
    occurrences: Counter[str] = Counter()
    short_forms: Counter[tuple[str, str]] = Counter()
    terms: Counter[str] = Counter()
    examples: dict[Any, str] = {}
    for listing in listings:
        title = _title(listing)
        seen: set[Any] = set()
        for run, short in _ACRONYM.findall(_texts(listing)):
            # The bracket follows a sentence, not only the term (成果属于新一代人工智能(AI)): every ending of
            # the run is a candidate expansion; the one most listings share is chosen below.
            cut = words(run)
            for size in range(1, min(len(cut), _MAX_TERM_WORDS) + 1):
                ending = "".join(cut[-size:])
                if len(ending) >= 2 and len(cut[-size]) >= 2 and cut[-size] not in _LEAD_INS:
                    seen.add((normalise(short), ending))
            seen.add(("acronym", normalise(short)))
        keywords = list(dict.fromkeys(normalise(str(k)) for k in listing.get("keywords") or []))
        han = [k for k in keywords if _ONLY_HAN.fullmatch(k)]
        for short in han:
            for long in han:
                if _is_short_form(short, long):
                    seen.add(("short", short, long))
        for keyword in keywords:
            if _ONLY_HAN.fullmatch(keyword) and 3 <= len(keyword) <= 8:
                seen.add(("term", keyword))
        for key in seen:
            examples.setdefault(key, title)
            if key[0] == "acronym":
                occurrences[key[1]] += 1
            elif key[0] == "short":
                short_forms[(key[1], key[2])] += 1
            elif key[0] == "term":
                terms[key[1]] += 1
            else:
                acronyms[key] += 1
    known = _known_pairs()
    known_terms = {term for pair in known for term in pair}
    dictionary = domain_words()
    candidates: list[Candidate] = []
    endings: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (short, ending), support in acronyms.items():
        endings[short].append((ending, support))
    for short, options in endings.items():
        # The longest ending that most of the acronym's listings share: 人工智能, not 新一代人工智能.
        shared = [
            (ending, support)
            for ending, support in options
            if support >= MIN_SUPPORT and support >= SHARED_ENDING * occurrences[short]
        ]
        if not shared:
            continue
        term, support = max(shared, key=lambda option: (len(option[0]), option[1]))
        # A known term with a new acronym belongs on its existing line: a second line would merge two classes.
        if short not in known_terms and term not in known_terms:
            candidates.append(Candidate("acronym", f"{short}, {term}", support, examples[(short, term)]))
    for (short, long), support in short_forms.items():
        # A form built around a known term (场发射扫描电子显微镜 ⊃ 扫描电子显微镜) already reaches it through its
        # sub-words; as one dictionary word it would hide them (suggestions typed as saomiao… no longer match).
        if support >= MIN_SUPPORT and not _holds_known_term(long, known_terms):
            candidates.append(
                Candidate("short_form", f"{short}, {long}", support, examples[("short", short, long)])
            )
    for term, support in terms.items():
        cut_apart = len(segment(term).split()) > 1 and not is_known_word(term)
        if support >= MIN_TERM_SUPPORT and term not in dictionary and cut_apart:
            candidates.append(Candidate("term", term, support, examples[("term", term)]))
    candidates.sort(key=lambda candidate: (-candidate.support, candidate.kind, candidate.line))
    return candidates


def _lines(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def reviewed() -> set[str]:
    """Lines a person already accepted or rejected (they are not asked again)."""
    accepted_words = {line.split()[0] for line in _lines(MINED_WORDS_PATH) if not line.startswith("#")}
    return _lines(MINED_SYNONYMS_PATH) | accepted_words | _lines(REJECTED_PATH)


def pending(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The candidates nobody has decided on yet."""
    done = reviewed()
    return [candidate for candidate in candidates if candidate.line not in done]


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def record(candidate: Candidate, *, accepted: bool) -> None:
    """Write a decision: accepted synonyms and words to the files search.analysis loads, rejections aside."""
    if not accepted:
        _append(REJECTED_PATH, candidate.line)
    elif candidate.is_synonym:
        _append(MINED_SYNONYMS_PATH, candidate.line)
    else:
        _append(MINED_WORDS_PATH, f"{candidate.line} {MINED_WORD_FREQ} nz")
