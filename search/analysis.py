"""Chinese text analysis shared by indexing and querying.

The engine (OpenSearch without ICU, smartcn or IK) cannot segment Chinese, so Python does:
``segment()`` turns a document field or a query into space-separated tokens for the
whitespace-analysed ``*_seg`` fields, and ``SYNONYM_RULES`` are written in that same
segmented form for a search-time ``synonym_graph`` filter. Recall for parts of words
(电镜 inside 扫描电镜) comes from the engine's CJK bigram field, not from here.

Tokens are jieba's search mode (``cut_for_search``) with two changes. A word from our domain
dictionary stays a single token: jieba would also emit 扫描 and 电镜, and from 集成电路 the
bogus 成电; keeping it whole makes every synonym term one token and stops sub-words such as
庆大 (gentamicin) or 成电 (a university) matching inside names. And a domain word inside a
longer general word is emitted as a sub-word (液相色谱 from 液相色谱仪), so the dictionary
holds concepts, not every instrument or district spelling built from them.

Pinyin is for suggestions and for homophone slips. Most Chinese is typed through a pinyin
input method, so a wrong character is nearly always one with the same reading
(基成电路 for 集成电路, 扫苗电镜 for 扫描电镜). ``pinyin_full`` maps both to the same string
(``jichengdianlu``), so matching the query's pinyin against the pinyin indexed from
``suggest_inputs`` finds the intended title without a typo model. This works because the
reading is chosen the same way on both sides: pypinyin's single default reading plus our
domain phrases (重庆 → chongqing), without tones and with ü written ``v`` as typed. Compare
whole strings or prefixes, never per-word pinyin: a slip changes how jieba cuts the query
(基成电路 is not cut like 集成电路) but not its pinyin.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

import jieba  # type: ignore[import-untyped, unused-ignore]
import opencc  # type: ignore[import-untyped, unused-ignore]
from pypinyin import Style, lazy_pinyin

__all__ = [
    "DOMAIN_WORDS_PATH",
    "SYNONYMS_PATH",
    "SYNONYM_RULES",
    "DomainWord",
    "domain_words",
    "initialise",
    "load_domain_words",
    "load_synonym_rules",
    "normalise",
    "pinyin_full",
    "pinyin_initials",
    "segment",
    "suggest_inputs",
    "words",
]

DICTIONARY_DIR: Final = Path(__file__).resolve().parent / "dictionary"
DOMAIN_WORDS_PATH: Final = DICTIONARY_DIR / "domain_words.txt"
SYNONYMS_PATH: Final = DICTIONARY_DIR / "synonyms.txt"

_HAN: Final = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN: Final = re.compile(f"[{_HAN}]+")
_NON_HAN_WORD_CHARS: Final = re.compile(f"[^\\W_{_HAN}]+")
_LATIN_PIECE: Final = re.compile(f"(?:[^\\W_{_HAN}]|[-._+#&%])+")
_LATIN_WORD: Final = re.compile(f"[^\\W_{_HAN}]+(?:[-._&][^\\W_{_HAN}]+)*[+#]*")
_NUMBER_JOINERS: Final = re.compile(r"[-_&]")
_CONTROL_CHARS: Final = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_FORMAT_CHARS: Final = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")

# Cross-strait vocabulary that character conversion (t2s) leaves wrong. Mainland writers
# never use the first group; the second group also exists in mainland text with another
# meaning (软体 is soft-bodied, 晶片 is a wafer, 程式 is a pattern), so it is applied only
# when the input was written in traditional characters.
_TAIWAN_ONLY_TERMS: Final = {
    "积体电路": "集成电路",
    "电晶体": "晶体管",
    "奈米": "纳米",
    "雷射": "激光",
    "镭射": "激光",
    "光达": "激光雷达",
    "感测器": "传感器",
    "人工智慧": "人工智能",
    "演算法": "算法",
    "伺服器": "服务器",
    "积层制造": "增材制造",
    "扫描式电子显微镜": "扫描电子显微镜",
    "穿透式电子显微镜": "透射电子显微镜",
    "矽": "硅",
}
_TRADITIONAL_SCRIPT_TERMS: Final = {
    "软体": "软件",
    "硬体": "硬件",
    "网路": "网络",
    "程式": "程序",
    "晶片": "芯片",
    "记忆体": "内存",
    "资料库": "数据库",
    "数位": "数字",
    "讯号": "信号",
    "智慧财产权": "知识产权",
}

# Readings pypinyin gets wrong or might get wrong in our texts; matched longest first.
_PINYIN_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "重庆": ("chong", "qing"),
    "重医": ("chong", "yi"),
    "重邮": ("chong", "you"),
    "重组": ("chong", "zu"),
    "重构": ("chong", "gou"),
    "重建": ("chong", "jian"),
    "重复": ("chong", "fu"),
    "重离子": ("zhong", "li", "zi"),
    "调速": ("tiao", "su"),
    "调频": ("tiao", "pin"),
    "调相": ("tiao", "xiang"),
    "调制": ("tiao", "zhi"),
    "调控": ("tiao", "kong"),
    "铣削": ("xi", "xiao"),
    "铣床": ("xi", "chuang"),
    "粘度": ("nian", "du"),
    "伺服": ("si", "fu"),
    "卒中": ("cu", "zhong"),
    "北碚": ("bei", "bei"),
    "歌乐山": ("ge", "le", "shan"),
    "着陆器": ("zhuo", "lu", "qi"),
    "长安": ("chang", "an"),
    "单抗": ("dan", "kang"),
    "色谱": ("se", "pu"),
    "液相": ("ye", "xiang"),
    "气相": ("qi", "xiang"),
    "曾家": ("ceng", "jia"),
}
_PINYIN_PHRASE_MAX: Final = max(len(phrase) for phrase in _PINYIN_PHRASES)

# Words too common in titles to be worth a suggestion entry of their own.
_GENERIC_WORDS: Final = frozenset(
    {"服务", "技术", "研究", "应用", "相关", "提供", "基于", "一种", "以及", "进行", "开展", "系统", "方法"}
    | {"项目", "平台", "中心", "公司", "有限公司"}
)
_MAX_SUGGESTION_WORDS: Final = 12

_T = TypeVar("_T")


class _Lazy(Generic[_T]):
    """Builds a value on first use, once per process, safely across threads."""

    def __init__(self, factory: Callable[[], _T]) -> None:
        self._factory = factory
        self._value: _T | None = None
        self._lock = threading.Lock()

    def get(self) -> _T:
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._factory()
                value = self._value
        return value


@dataclass(frozen=True, slots=True)
class DomainWord:
    word: str
    freq: int
    tag: str


@dataclass(frozen=True, slots=True)
class _Analyser:
    tokenizer: Any
    converter: Any
    domain_words: frozenset[str]


def load_domain_words(path: Path = DOMAIN_WORDS_PATH) -> list[DomainWord]:
    """Parse a jieba user dictionary (``word freq tag`` per line)."""
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit():
            raise ValueError(f"{path.name}:{number}: expected 'word freq tag', got {line!r}")
        entries.append(DomainWord(word=parts[0], freq=int(parts[1]), tag=parts[2]))
    return entries


def load_synonym_rules(path: Path = SYNONYMS_PATH) -> list[str]:
    """Read Solr-format synonym rules, skipping blank and ``#`` lines."""
    rules = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rule = line.strip()
        if rule and not rule.startswith("#"):
            rules.append(rule)
    return rules


SYNONYM_RULES: Final[list[str]] = load_synonym_rules()


def _build_analyser() -> _Analyser:
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    entries = load_domain_words()
    for entry in entries:
        freq = max(entry.freq, tokenizer.FREQ.get(entry.word, 0))
        tokenizer.add_word(entry.word, freq, entry.tag)
    # A declared frequency can lose to a pair of very common halves; raise just those.
    for entry in entries:
        if list(tokenizer.cut(entry.word, HMM=False)) != [entry.word]:
            tokenizer.add_word(entry.word, tokenizer.suggest_freq(entry.word, False), entry.tag)
    return _Analyser(
        tokenizer=tokenizer,
        converter=opencc.OpenCC("t2s"),
        domain_words=frozenset(entry.word for entry in entries),
    )


_ANALYSER: Final = _Lazy(_build_analyser)


def _replace_all(table: dict[str, str]) -> Callable[[str], str]:
    pattern = re.compile("|".join(re.escape(key) for key in sorted(table, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda match: table[match.group()], text)


_replace_taiwan_only_terms: Final = _replace_all(_TAIWAN_ONLY_TERMS)
_replace_traditional_script_terms: Final = _replace_all(_TRADITIONAL_SCRIPT_TERMS)


def initialise() -> None:
    """Load jieba and the dictionaries now rather than on the first call (worker start-up)."""
    _ANALYSER.get()


def domain_words() -> frozenset[str]:
    """The words that always segment as one token."""
    return _ANALYSER.get().domain_words


def normalise(text: str) -> str:
    """NFKC, traditional → simplified, lower case, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _FORMAT_CHARS.sub("", _CONTROL_CHARS.sub(" ", text))
    simplified: str = _ANALYSER.get().converter.convert(text)
    if simplified != text:
        simplified = _replace_traditional_script_terms(simplified)
    simplified = _replace_taiwan_only_terms(simplified)
    return " ".join(simplified.lower().split())


def _split_latin(run: str) -> Iterator[str]:
    for match in _LATIN_WORD.finditer(run):
        word = match.group()
        if any(char.isalpha() for char in word):
            yield word
        else:
            # 2020-2025 is two numbers; 3.5 stays one.
            yield from (part for part in _NUMBER_JOINERS.split(word) if part)


def _precise_words(normalised: str, tokenizer: Any) -> Iterator[str]:
    pending: list[str] = []
    for token in tokenizer.cut(normalised, HMM=True):
        if _LATIN_PIECE.fullmatch(token):
            # jieba splits lc-ms into lc / - / ms; rejoin adjacent pieces into one word.
            pending.append(token)
            continue
        if pending:
            yield from _split_latin("".join(pending))
            pending.clear()
        if any(char.isalnum() for char in token):
            yield token
    if pending:
        yield from _split_latin("".join(pending))


def _is_han(word: str) -> bool:
    return _HAN_RUN.fullmatch(word) is not None


def _search_tokens(word: str, analyser: _Analyser) -> Iterator[str]:
    # jieba.cut_for_search's sub-words (2 and 3 characters, in jieba's order), except that
    # domain and Latin words stay whole, and longer domain words inside a general word are
    # emitted too (液相色谱 from jieba's 液相色谱仪) so their queries still find it.
    if len(word) > 2 and word not in analyser.domain_words and _is_han(word):
        freq = analyser.tokenizer.FREQ
        for size in range(2, len(word)):
            for start in range(len(word) - size + 1):
                gram = word[start : start + size]
                if freq.get(gram) if size <= 3 else gram in analyser.domain_words:
                    yield gram
    yield word


def words(text: str) -> list[str]:
    """Normalise and cut into words (jieba precise mode), punctuation dropped."""
    return list(_precise_words(normalise(text), _ANALYSER.get().tokenizer))


def segment(text: str) -> str:
    """Tokens for the ``*_seg`` fields and for queries against them, joined by spaces."""
    analyser = _ANALYSER.get()
    tokens = _precise_words(normalise(text), analyser.tokenizer)
    return " ".join(token for word in tokens for token in _search_tokens(word, analyser))


def _han_syllables(run: str) -> list[str]:
    syllables: list[str] = []
    gap_start = 0
    position = 0
    while position < len(run):
        for size in range(min(_PINYIN_PHRASE_MAX, len(run) - position), 1, -1):
            reading = _PINYIN_PHRASES.get(run[position : position + size])
            if reading is not None:
                if gap_start < position:
                    syllables.extend(_default_syllables(run[gap_start:position]))
                syllables.extend(reading)
                position += size
                gap_start = position
                break
        else:
            position += 1
    if gap_start < len(run):
        syllables.extend(_default_syllables(run[gap_start:]))
    return syllables


def _default_syllables(han: str) -> list[str]:
    return [syllable for syllable in lazy_pinyin(han, style=Style.NORMAL, errors="ignore") if syllable]


def _pinyin_forms(normalised: str) -> tuple[str, str]:
    """Full pinyin and initials of normalised text; separators dropped, other letters kept."""
    full: list[str] = []
    initials: list[str] = []
    for han_or_other in re.split(f"([{_HAN}]+)", normalised):
        if _is_han(han_or_other):
            syllables = _han_syllables(han_or_other)
            full.extend(syllables)
            initials.extend(syllable[0] for syllable in syllables)
        else:
            other = "".join(_NON_HAN_WORD_CHARS.findall(han_or_other))
            full.append(other)
            initials.append(other)
    return "".join(full), "".join(initials)


def pinyin_full(text: str) -> str:
    """Toneless pinyin without separators (集成电路 → jichengdianlu); Latin kept, lower-cased."""
    return _pinyin_forms(normalise(text))[0]


def pinyin_initials(text: str) -> str:
    """First letter of each syllable (集成电路 → jcdl); Latin words kept whole, lower-cased."""
    return _pinyin_forms(normalise(text))[1]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def suggest_inputs(title: str) -> list[str]:
    """What to index for suggestions: title and main words, each as text, pinyin and initials."""
    text = normalise(title)
    if not any(char.isalnum() for char in text):
        return []
    main_words = _unique(
        word
        for word in _precise_words(text, _ANALYSER.get().tokenizer)
        if len(word) >= 2 and word not in _GENERIC_WORDS and not word.replace(".", "").isdigit()
    )[:_MAX_SUGGESTION_WORDS]
    inputs: list[str] = []
    for phrase in [text, *main_words]:
        full, initials = _pinyin_forms(phrase)
        # The compact form lets "sicmos" (typed without the space) reach "sic mosfet".
        inputs.extend([phrase, phrase.replace(" ", ""), full, initials if len(initials) >= 2 else ""])
    return _unique(inputs)
