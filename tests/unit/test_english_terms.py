"""English and mixed queries: every instrument of the catalogue has an English name that reaches it, and
pinyin typed as several words reads word by word when the whole does not read."""

import re
from pathlib import Path

import yaml

from search.analysis import SYNONYM_RULES
from search.queries import _pinyin_readings

INSTRUMENTS = Path(__file__).resolve().parents[2] / "devdata" / "tables" / "instruments.yaml"
_LATIN_PHRASE = re.compile(r"^[a-z][a-z0-9 \-/&]*$")


def _english_reach() -> dict[str, set[str]]:
    """English phrase → the terms it expands to (the Chinese names, abbreviations), over every synonym line."""
    reach: dict[str, set[str]] = {}
    for rule in SYNONYM_RULES:
        left, _, right = rule.partition("=>")
        terms = [term.strip() for term in (left.split(",") + (right.split(",") if right else []))]
        for term in left.split(",") if right else terms:
            term = term.strip()
            if _LATIN_PHRASE.match(term) and (" " in term or len(term) >= 6):
                reach.setdefault(term, set()).update(target for target in terms if target != term)
    return reach


def test_every_instrument_of_the_catalogue_has_an_english_name_that_reaches_it() -> None:
    # given the catalogue's instrument names and the English terms of the vocabulary
    reach = _english_reach()
    unreached = []
    for entry in yaml.safe_load(INSTRUMENTS.read_text(encoding="utf-8")):
        names = [entry["name"].lower(), *(alias.lower() for alias in entry["aliases"])]
        # then some English phrase expands to a term its name or aliases contain
        if not any(term in name for targets in reach.values() for term in targets for name in names):
            unreached.append(entry["name"])
    assert unreached == []


def test_pinyin_typed_as_several_words_reads_word_by_word_when_the_whole_does_not() -> None:
    # when the whole string reads as known words, that reading is used
    assert _pinyin_readings("zhuanlidaili", "zhuanlidaili", whole_reads=True) == ["专利", "代理"]
    # when it does not, each typed word that reads contributes its words
    readings = _pinyin_readings("qukuailian cunzheng", "qukuailiancunzheng", whole_reads=True)
    assert readings is not None
    assert "区块链" in readings
    # and a single word that reads as nothing stays unread
    assert _pinyin_readings("xqzv", "xqzv", whole_reads=False) is None
