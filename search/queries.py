"""Build engine queries from search parameters (pure; unit-tested without an engine)."""

import re
from dataclasses import dataclass, field
from typing import Any

from search.analysis import (
    correct_han,
    english_phrases,
    english_to_chinese,
    general_idf,
    is_catalogue_term,
    is_han_word,
    is_known_word,
    is_latin_term,
    is_latin_vocabulary,
    is_qualifier,
    normalise,
    pinyin_syllables,
    pinyin_to_words,
    places_of,
    query_words,
    segment,
    split_pinyin,
    split_pinyin_prefix,
)
from search.facts import field_of, find_facts, find_minimums, kind_of

MAX_WINDOW = 10_000
FACETS = ("type", "fields", "region", "maturity")
SORTS = ("relevance", "newest", "price_asc", "price_desc")
# Best first; equal scores go to the most recently published, then the newest id.
RELEVANCE_SORT: list[Any] = [
    "_score",
    {"published_at": {"order": "desc", "missing": "_last"}},
    {"id": "desc"},
]


@dataclass(frozen=True, slots=True)
class Selection:
    """What a searcher chose: the text and the facet values (the API and the portal share it)."""

    q: str = ""
    types: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    maturity: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchParams(Selection):
    min_price_fen: int | None = None
    max_price_fen: int | None = None
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    search_after: tuple[Any, ...] | None = field(default=None)
    # One result per instrument model (the engine collapses on the `group` keyword); page paging only.
    group: bool = False

    def cache_key(self) -> str:
        """A stable key of the normalised parameters."""
        parts = [
            normalise(self.q),
            ",".join(sorted(self.types)),
            ",".join(sorted(self.fields)),
            ",".join(sorted(self.regions)),
            ",".join(sorted(self.maturity)),
            str(self.min_price_fen),
            str(self.max_price_fen),
            self.sort,
            str(self.page),
            str(self.size),
            repr(self.search_after),
            "grouped" if self.group else "",
        ]
        return "|".join(parts)


def _region_filter(regions: tuple[str, ...]) -> dict[str, Any]:
    # A city- or province-level code (…00 / …0000) selects everything beneath it.
    exact = [r for r in regions if not r.endswith("00")]
    cities = [r for r in regions if r.endswith("00") and not r.endswith("0000")]
    provinces = [r[:2] for r in regions if r.endswith("0000")]
    should: list[dict[str, Any]] = []
    if exact:
        should.append({"terms": {"region": exact}})
    if cities:
        should.append({"terms": {"city": cities}})
    should.extend({"prefix": {"region": p}} for p in provinces)
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _filters(params: SearchParams) -> list[dict[str, Any]]:
    """What every count and every hit obeys: published, and the price range (not a facet)."""
    filters: list[dict[str, Any]] = [{"term": {"status": "published"}}]
    # Price filters keep listings whose price range overlaps the wanted range.
    if params.min_price_fen is not None:
        filters.append({"range": {"price_max_fen": {"gte": params.min_price_fen}}})
    if params.max_price_fen is not None:
        filters.append({"range": {"price_min_fen": {"lte": params.max_price_fen}}})
    return filters


# Facet name in the response → the engine field it counts and how many values it shows.
FACET_FIELDS: dict[str, tuple[str, int]] = {
    "type": ("type", 4),
    "field": ("fields", 20),
    "region": ("region", 20),
    "maturity": ("maturity", 4),
}


def facet_filters(params: SearchParams) -> dict[str, dict[str, Any]]:
    """The selected values of each facet as one filter (values of one facet are alternatives: OR)."""
    selected: dict[str, dict[str, Any]] = {}
    if params.types:
        selected["type"] = {"terms": {"type": list(params.types)}}
    if params.fields:
        selected["field"] = {"terms": {"fields": list(params.fields)}}
    if params.regions:
        selected["region"] = _region_filter(params.regions)
    if params.maturity:
        selected["maturity"] = {"terms": {"maturity": list(params.maturity)}}
    return selected


def _facet_aggs(selected: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Disjunctive facets: each facet counts under the OTHER facets' selections only, so a second value of
    a facet stays visible (and addable) after the first is picked."""
    aggs: dict[str, Any] = {}
    for name, (engine_field, size) in FACET_FIELDS.items():
        others = [clause for other, clause in selected.items() if other != name]
        aggs[name] = {
            "filter": {"bool": {"filter": others}},
            "aggs": {"values": {"terms": {"field": engine_field, "size": size}}},
        }
    return aggs


# Words that say which kind of supply is wanted rather than what it is about: they leave the
# text and lift that kind instead (找专家… ranks experts first but still shows the rest).
TYPE_WORDS: dict[str, str] = {
    "专家": "expert",
    "教授": "expert",
    "老师": "expert",
    "学者": "expert",
    "机构": "agency",
    "服务商": "agency",
    "服务机构": "agency",
    "第三方": "agency",
    "仪器": "instrument",
    "设备": "instrument",
    "机时": "instrument",
    "上机": "instrument",
    "成果": "achievement",
    # Typed in English (patent agency, NMR expert).
    "expert": "expert",
    "experts": "expert",
    "professor": "expert",
    "researcher": "expert",
    "researchers": "expert",
    "scientist": "expert",
    "consultancy": "agency",
    "consultant": "agency",
    "agency": "agency",
    "agencies": "agency",
    "company": "agency",
    "instrument": "instrument",
    "instruments": "instrument",
    "equipment": "instrument",
}
MAX_QUERY_WORDS = 12
# A catalogue term this long, typed among three words or more, finds its listings by itself (text_query).
CATALOGUE_TERM_CHARS = 4
# Its score there, against a typed word's 1 (0.3 / 1.0 / 2.0 on every dev set: nDCG@10 0.9176 / 0.9186 / 0.9186).
ANCHOR_BOOST = 1.0
TYPE_WEIGHT = 3.0
PHRASE_BONUS = 6.0
KEYWORD_BONUS = 3.0
# A document matching only some of the query's words keeps this share of its score per missing word.
MISSING_WORD_FACTOR = 0.35
# An instrument under maintenance (维护中) keeps this share: below an available one that matches as well.
MAINTENANCE_FACTOR = 0.6
# A listing whose lowest price is above a ceiling typed in the query (500元以内) keeps this share: still shown,
# below those the user can afford.
OVER_BUDGET_FACTOR = 0.35
_AMOUNT = r"(\d+(?:\.\d+)?)\s*(亿元|亿|万元|万|千元|元|块)"
_PER_UNIT = r"(?:每小时|每个样品|每个样|每样|每次|每天)?\s*"
# The price named before a ceiling (咨询费每小时500元以内) goes with it: 咨询 / 费 are not what is wanted.
_FEE = r"(?:咨询费|服务费|检测费|测试费|机时费|收费标准|收费|费用|价格|报价|单价)?\s*"
# 不超过500元, 预算50万 … and 500元以内, 每小时300元以下 …: a ceiling on what the user will pay.
_BUDGET_PATTERNS = (
    re.compile(_FEE + r"(?:不超过|不高于|不多于|低于|少于|最多|至多|不到|预算)\s*" + _PER_UNIT + _AMOUNT),
    re.compile(
        _FEE
        + _PER_UNIT
        + _AMOUNT
        + r"\s*(?:/小时|/h|/样|/次|每小时)?\s*(?:以内|以下|之内|内(?![存容部置核]))"
    ),
)
_YUAN_PER_UNIT = {"亿元": 10**8, "亿": 10**8, "万元": 10_000, "万": 10_000, "千元": 1_000, "元": 1, "块": 1}
# A typed amount beyond this (10 billion yuan) ceilings nothing, and past the engine's long it would fail the query.
_MAX_CEILING_FEN = 10**12
LATIN_BOOST = 0.8
# What a word naming a technology field scores on a listing filed under it that does not say the word, and the
# bonus of every listing filed under the field named (人工智能专家: filed under ai, not only 擅长人工智能方法).
FIELD_SCORE = 2.0
# What a listing meeting a minimum typed in the query (授权发明专利30项以上) scores for it.
MINIMUM_SCORE = 2.0
FIELD_BONUS = 6.0
SLIP_PINYIN_BOOST = 2.0
SLIP_WORDS_BOOST = 0.3
PINYIN_WORDS_BOOST = 0.5
# An English word's dictionary meanings count less than a word the listing itself says.
TRANSLATION_FACTOR = 0.6
# A short form (网安, 药筛) found as the first characters of a title's or keyword's words, in order.
SHORT_FORM_FIELDS = (("title.chars", 1.5), ("keywords_seg.chars", 1.2))
# Word fields and their weight inside one word's dis_max: the title names the thing, keywords are
# curated tags, the body only mentions it. The CJK bigram fields catch a word inside a longer
# dictionary word (器件 in 功率器件) that segmentation keeps whole.
_WORD_FIELDS = (("title_seg", 3.0), ("keywords_seg", 2.5), ("body_seg", 1.0))
# What an instrument kind measures and what a topic answers (search.measures), weaker than the listing's own
# words: the knee of a dev sweep (0.25 / 0.5 / 1.0).
SEARCH_MEASURES_BOOST = 0.5
_BIGRAM_FIELDS = (("title", 0.6), ("body", 0.2))
_VOWELS = frozenset("aeiouv")


def _may_be_misspelt_name(word: str) -> bool:
    # Words of the synonym list were corrected already (search.analysis.correct_latin), and long
    # runs of pinyin syllables are reached by the pinyin fields.
    return (
        word.isascii()
        and word.isalpha()
        and 4 <= len(word) <= 20
        and (len(word) <= 6 or split_pinyin(word) is None)
    )


def _fuzziness(word: str, relaxed: bool) -> str | int:
    # Latin words of five letters or more may carry one slip, of ten or more two; a relaxed retry allows more.
    if relaxed:
        return "AUTO:3,6"
    return "AUTO:5,10"


def _latin_query(word: str, relaxed: bool) -> dict[str, Any] | None:
    """A Latin word or phrase against the English field (stemmed: microscopes = microscope), fuzzily."""
    parts = word.split()
    letters = [part for part in parts if part.isascii() and any(char.isalpha() for char in part)]
    if not letters or len(letters) != len(parts):
        return None
    compact = word.replace(" ", "")
    if compact.isalpha() and len(compact) > 6 and split_pinyin(compact) is not None:
        return None  # pinyin (jichengdianlu): the syllable fields reach it
    match: dict[str, Any] = {"query": word, "operator": "and", "boost": LATIN_BOOST}
    known = all(is_latin_vocabulary(part) for part in parts)
    if relaxed or (not known and any(len(part) >= 5 for part in parts)):
        # Words the synonym list knows were corrected already; others of five letters or more may carry slips.
        match.update(fuzziness=_fuzziness(word, relaxed), prefix_length=1, max_expansions=20)
    return {"match": {"latin": match}}


def _word_query(word: str, *, relaxed: bool = False, translate: bool = True) -> dict[str, Any]:
    """One query word matched in any field: segmented with synonyms, as CJK bigrams, or (Latin) fuzzily."""
    tokens = segment(word) if " " not in word else word
    short_form = _is_short_form(word)
    # A short form's characters are not words of their own: 药筛 is not 药 or 筛 anywhere.
    together: dict[str, Any] = {"operator": "and"} if short_form else {}
    alternatives: list[dict[str, Any]] = [
        {"match": {name: {"query": tokens, **together, "boost": boost}}} for name, boost in _WORD_FIELDS
    ]
    if short_form:
        # 网安 → 网络安全, 姿控 → 姿态控制: each character starts a word, at most one character between.
        alternatives.extend(
            {"match_phrase": {name: {"query": word, "slop": len(word) - 1, "boost": boost}}}
            for name, boost in SHORT_FORM_FIELDS
        )
    else:
        # What an instrument kind measures or is brought to (拉伸强度 for a materials testing machine, 自由基 for
        # EPR) and what a topic answers (search.measures): weaker than the listing's own words.
        alternatives.append({"match": {"measures_seg": {"query": tokens, "boost": SEARCH_MEASURES_BOOST}}})
    # A word the dictionary does not know is matched by its bigrams: all of them, or (relaxed) most.
    bigram_rule: dict[str, Any] = {"minimum_should_match": "60%"} if relaxed else {"operator": "and"}
    alternatives.extend(
        {"match": {name: {"query": word, **bigram_rule, "boost": boost}}} for name, boost in _BIGRAM_FIELDS
    )
    latin = _latin_query(word, relaxed)
    if latin is not None:
        alternatives.append(latin)
    field_code = field_of(word)
    if field_code is not None:
        # 人工智能 also finds a listing filed under the field whose text never says it: a fixed, modest score.
        alternatives.append(
            {"constant_score": {"filter": {"term": {"fields": field_code}}, "boost": FIELD_SCORE}}
        )
    meant = _english_meaning(word) if translate else ""
    if meant:
        # An English word the hand-kept lists do not name, by the Chinese words it is the gloss of.
        alternatives.extend(
            {"match": {name: {"query": meant, "boost": boost * TRANSLATION_FACTOR}}}
            for name, boost in _WORD_FIELDS
        )
    if _may_be_misspelt_name(word):
        # Typos in names the synonym list does not know (GeminSEM, Instorn): the engine's fuzzy match,
        # without synonyms (they are expanded before fuzzy terms), weaker than any exact hit. One edit,
        # titles and keywords only: two edits over the bodies' terms cost more than the rest of the query.
        alternatives.append(
            {
                "multi_match": {
                    "query": word,
                    "fields": [f"{name}^{boost}" for name, boost in _WORD_FIELDS[:2]],
                    "analyzer": "tm_seg",
                    "fuzziness": 1,
                    "prefix_length": 1,
                    "boost": 0.5,
                }
            }
        )
    return {"dis_max": {"queries": alternatives, "tie_breaker": 0.3}}


def _place_query(places: tuple[str, ...]) -> dict[str, Any]:
    """Any of the names a place typed in pinyin may be (huaxi: 华西, 花溪), as words."""
    named = [_word_query(place, translate=False) for place in places]
    return named[0] if len(named) == 1 else {"bool": {"should": named, "minimum_should_match": 1}}


def _english_meaning(word: str) -> str:
    """The segmented Chinese of an English word or phrase no synonym list names (imaging → 成像), or ""."""
    parts = word.split()
    if not parts or not all(part.isascii() and part.isalpha() and len(part) >= 3 for part in parts):
        return ""
    if is_latin_term(word):
        return ""  # the synonym lists name it (sem, nmr): they say what it means here
    if len(parts) == 1 and split_pinyin(word) is not None:
        return ""  # pinyin (kexue): read as pinyin, not as English
    return " ".join(segment(chinese) for chinese in english_to_chinese(word))


def _pinyin_readings(text: str, compact: str, whole_reads: bool) -> list[str] | None:
    """The words pinyin typed without an input method reads as: the whole (zhuanlidaili → 专利 代理), or,
    when typed as several words of which not all read together (qukuailian cunzheng), each word that reads."""
    meant = pinyin_to_words(compact) if whole_reads else None
    if meant is not None or " " not in text:
        return meant
    pieces: list[str] = []
    for typed in text.split():
        if typed.isalpha() and not is_latin_vocabulary(typed):
            pieces.extend(pinyin_to_words(typed) or [])
    return list(dict.fromkeys(pieces)) or None


def _pinyin_reading(text: str) -> list[str] | None:
    """The words pinyin typed without an input method reads as, or None."""
    compact = text.replace(" ", "")
    if not compact.isascii():
        return None
    syllables = split_pinyin(compact) if compact.isalpha() else None
    whole_reads = syllables is not None and not is_latin_vocabulary(compact)
    return _pinyin_readings(text, compact, whole_reads) if whole_reads or " " in text else None


def _pinyin_meaning(reading: list[str] | None) -> list[str] | None:
    """The reading without the words naming a kind of supply (zhuanjia → 专家 picks experts, as it does
    typed in Chinese), or None."""
    if reading is None:
        return None
    return [word for word in reading if word not in TYPE_WORDS] or reading


def _pinyin_queries(
    text: str, words: list[str], reading: list[str] | None, *, relaxed: bool = False
) -> list[dict[str, Any]]:
    """Pinyin typed without an input method (``reading``: what it reads as, see _pinyin_reading), initials,
    and the syllables of a Chinese query (for slips)."""
    compact = text.replace(" ", "")
    if compact.isascii():
        queries: list[dict[str, Any]] = []
        syllables = split_pinyin(compact) if compact.isalpha() else None
        if syllables is not None and len(syllables) >= 2:
            queries.append({"match_phrase": {"title_pinyin": {"query": " ".join(syllables), "boost": 2.0}}})
        pieces = [split_pinyin(piece) for piece in text.split()] if compact.isalpha() else []
        if len(pieces) > 1 and all(pieces):
            # Words typed apart (maerwen lidu yi): each a run of syllables in a title, keyword or maker, though
            # the whole is in none of them (马尔文 is the maker, 粒度仪 the title).
            phrases = [{"match_phrase": {"title_pinyin": " ".join(piece)}} for piece in pieces if piece]
            queries.append({"bool": {"must": phrases, "boost": 1.5}})
        still_typing = compact.isalpha() and len(compact) >= 6 and syllables is None
        partial = split_pinyin_prefix(compact) if still_typing else None
        if partial is not None and len(partial) >= 3:
            # Still typing (saomiaodianj): the last syllable is a prefix.
            phrase = {"query": " ".join(partial), "max_expansions": 20, "boost": 1.5}
            queries.append({"match_phrase_prefix": {"title_pinyin": phrase}})
        meant = _pinyin_meaning(reading)
        if meant is not None:
            # The words the pinyin reads as (zhuanlidaili → 专利 代理), each by any synonym: titles that say
            # 发明专利申请代理 are found too, not only titles whose own reading contains the typed syllables.
            # All of them must match; relaxed (nothing was found), any one.
            words_meant = [_word_query(word, relaxed=relaxed) for word in meant]
            # The words read together (kexue jisuan → 科学计算), not only each somewhere in a long text.
            together = [
                {"match_phrase": {name: {"query": segment("".join(meant)), "slop": 1, "boost": boost}}}
                for name, boost in _WORD_FIELDS
                if len(meant) > 1
            ]
            if relaxed:
                read_as = {"should": words_meant, "minimum_should_match": 1, "boost": PINYIN_WORDS_BOOST}
            else:
                read_as = {"must": words_meant, "should": together, "boost": PINYIN_WORDS_BOOST}
            queries.append({"bool": read_as})
        if compact.isalpha() and 2 <= len(compact) <= 8 and not _VOWELS.intersection(compact):
            queries.append({"match_phrase": {"title_initials": {"query": " ".join(compact), "boost": 2.0}}})
        return queries
    syllables = pinyin_syllables(" ".join(words))
    if 3 <= len(syllables) <= 12:
        # Two syllables are too often another word (电镜 / 电竞); a slip in a longer name is not. A query
        # with a word the dictionary does not know (扫苗, 基成) is likely a slip: then its reading is the
        # best evidence.
        boost = SLIP_PINYIN_BOOST if any(_is_fragment(word) for word in words) else 0.6
        return [{"match_phrase": {"title_pinyin": {"query": " ".join(syllables), "boost": boost}}}]
    return []


def _is_short_form(word: str) -> bool:
    """Two to four Chinese characters the dictionary does not know: perhaps a short form (网安, 姿控)."""
    return 2 <= len(word) <= 4 and _is_fragment(word) and is_han_word(word)


def _is_catalogue_term(word: str) -> bool:
    """A term of the catalogue's own dictionary of four characters or more (空间机械臂, 知识图谱): a need by itself."""
    return len(word) >= CATALOGUE_TERM_CHARS and is_han_word(word) and is_catalogue_term(word)


def _is_fragment(word: str) -> bool:
    """Chinese the dictionary does not know (基成, 视绝: the segmenter guessed): a slip, seldom a need."""
    return not word.isascii() and not is_known_word(word)


def _is_number(word: str) -> bool:
    """A bare number (300, 99.5): a figure, not a word naming a need."""
    return word.replace(".", "").isdigit()


def _is_detail(word: str) -> bool:
    """A bare number (4000) or a single Latin letter (g): a figure or unit typed beside a need."""
    return _is_number(word) or (len(word) == 1 and word.isascii() and word.isalpha())


def _required(count: int, relaxed: bool) -> str:
    # Recall first: a document matching most of the words is found (one of two, two of three or four, then
    # all but two and from seven words half), and the missing-word factor below ranks the complete matches first.
    # Relaxed (the strict query found nothing): any one word.
    if relaxed or count <= 2:
        return "1"
    return "2<-1 3<-2 6<50%"


def _coverage(
    word_queries: list[dict[str, Any]],
    whole: list[dict[str, Any]],
    query: dict[str, Any],
    facts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Multiply the score by MISSING_WORD_FACTOR for every query word (or fact) the document does not match.

    A document matching the words another way (their pinyin: a homophone slip cuts into other words) misses
    none of them; a fact (search.facts) is not in the pinyin and is missed all the same.
    """
    facts = facts or []
    if len(word_queries) + len(facts) < 2:
        return query
    functions = [{"filter": {"bool": {"must_not": [fact]}}, "weight": MISSING_WORD_FACTOR} for fact in facts]
    functions += [
        {"filter": {"bool": {"must_not": [word, *whole]}}, "weight": MISSING_WORD_FACTOR}
        for word in word_queries
    ]
    return {
        "function_score": {
            "query": query,
            "functions": functions,
            "score_mode": "multiply",
            "boost_mode": "multiply",
        }
    }


def _fact_query(wording: str) -> dict[str, Any]:
    """A fact the listing must state whole (search.facts): its wording as a phrase in a title, keyword or text."""
    tokens = segment(wording)
    return {
        "dis_max": {
            "queries": [
                {"match_phrase": {name: {"query": tokens, "boost": boost}}} for name, boost in _WORD_FIELDS
            ],
            "tie_breaker": 0.3,
        }
    }


def budget_ceiling(text: str) -> tuple[str, int | None]:
    """A price ceiling typed in a normalised query (咨询费每小时500元以内, 预算50万) in fen, and the query without it.

    The amount is taken per whatever unit the listing prices by (an hour, a sample): the ceiling is compared with
    the listing's lowest price. A query that is nothing but a ceiling keeps its text and gets none.
    """
    for pattern in _BUDGET_PATTERNS:
        found = pattern.search(text)
        if found is None:
            continue
        rest = " ".join((text[: found.start()] + " " + text[found.end() :]).split())
        if not rest:
            return text, None
        fen = round(float(found.group(1)) * _YUAN_PER_UNIT[found.group(2)] * 100)
        return rest, fen if fen <= _MAX_CEILING_FEN else None
    return text, None


def text_query(q: str, *, relaxed: bool = False) -> dict[str, Any]:
    """The scoring part: each meaningful word in any field (with synonyms, bigrams, spelling), pinyin as a
    second way in, and boosts for the exact phrase, exact keywords and the kind of supply named.

    Documents matching only some of the words are found too, ranked below those matching all of them;
    ``relaxed`` (asked when the query found nothing) needs any one word and tolerates more slips.
    """
    text, ceiling = budget_ceiling(correct_han(normalise(q)))
    rest, minimums = find_minimums(text)
    rest, facts = find_facts(rest)
    words = query_words(rest) if rest else []
    reading = _pinyin_reading(rest) if rest else None
    named = query_words(text) if facts or minimums else words
    types = [TYPE_WORDS[word] for word in [*named, *(reading or [])] if word in TYPE_WORDS]
    types = list(dict.fromkeys([*types, *filter(None, map(kind_of, facts)), *(m.kind for m in minimums)]))
    # 专家 alone is still searched for; next to a topic (or a fact: 首席科学家) it only picks the kind.
    words = ([word for word in words if word not in TYPE_WORDS] or ([] if facts or minimums else words))[
        :MAX_QUERY_WORDS
    ]
    words = english_phrases(words)
    # English words are read by their dictionary meanings, except next to a model number (Sigma 300).
    translate = not any(char.isdigit() for word in words for char in word)
    # A fact (重庆市技术发明奖, 主任技师) counts as one word of the query: found whole, or missed.
    fact_queries = [_fact_query(fact) for fact in facts]
    # A minimum typed (授权发明专利30项以上, trl7以上) is a fact too: the listing's number meets it, or it is missed.
    fact_queries += [
        {
            "constant_score": {
                "filter": {"range": {minimum.field: {"gte": minimum.least}}},
                "boost": MINIMUM_SCORE,
            }
        }
        for minimum in minimums
    ]
    word_queries = [_word_query(word, relaxed=relaxed, translate=translate) for word in words]
    # A place or an institution typed beside a need (材料成分分析 成华区, 重邮 半导体参数分析仪, incubator in Wuhou)
    # says where or whose, not what: a listing of the need elsewhere is still found, below those there
    # (_coverage), and one that is merely there is not. Alone, or beside nothing but figures, it is the need.
    where = [is_qualifier(word) for word in words]
    if any(where) and any(
        not there and not _is_detail(word) for word, there in zip(words, where, strict=True)
    ):
        word_queries = [
            _place_query(places) if there and (places := places_of(word)) else query
            for word, query, there in zip(words, word_queries, where, strict=True)
        ]
    else:
        where = [False] * len(words)
    wheres = [query for query, there in zip(word_queries, where, strict=True) if there]
    # A bare number or letter among two or more other words (low gravity simulation 1/6 g range, spacecraft ground
    # test 4000 hours) is a detail, not a need: it scores, and its absence costs (_coverage), but a listing
    # stating another figure is still found. Alone or next to one word (Sigma 300) it is the model asked for.
    needs = [query for query, there in zip(word_queries, where, strict=True) if not there]
    strong: list[dict[str, Any]] = []
    details: list[dict[str, Any]] = []
    for word, word_query, there in zip(words, word_queries, where, strict=True):
        if not there:
            (details if _is_detail(word) else strong).append(word_query)
    if len(strong) < 2:
        strong, details = needs, []
    details.extend(wheres)
    ways_in: list[dict[str, Any]] = []
    whole = _pinyin_queries(rest, words, reading, relaxed=relaxed) if rest else []
    if fact_queries or word_queries:
        matched_words: dict[str, Any] = {
            "should": [*fact_queries, *strong],
            "minimum_should_match": _required(len(fact_queries) + len(strong), relaxed),
        }
        if whole and any(_is_fragment(word) for word in words):
            # A slip (基成电路): the words it was cut into are weak evidence next to its reading.
            matched_words["boost"] = SLIP_WORDS_BOOST
        ways_in.append({"bool": matched_words})
    ways_in.extend(whole)
    if len(strong) >= 3:
        # A catalogue term typed whole beside a problem or a scenario (空间机械臂 载荷质量): the term's listings are
        # found though they do not state the rest, below those that do (each word missed costs, _coverage).
        ways_in.extend(
            {"bool": {"must": [query], "boost": ANCHOR_BOOST}}
            for word, query, there in zip(words, word_queries, where, strict=True)
            if not there and _is_catalogue_term(word)
        )
    if fact_queries and word_queries:
        # Every fact stated (主任技师) is enough to be found; each word missed still costs (_coverage).
        ways_in.append({"bool": {"must": fact_queries}})
    if not ways_in:
        return {"match_none": {}}
    # Fixed bonuses: a phrase query scores the sum of its terms' IDFs, which would let any long
    # verbatim title outweigh everything else; "the title says exactly this" is a yes/no fact.
    boosts: list[dict[str, Any]] = [
        {"constant_score": {"filter": {"match_phrase": {"title": text}}, "boost": PHRASE_BONUS}},
        {"terms": {"keywords": list(dict.fromkeys([text, *words, *facts])), "boost": KEYWORD_BONUS}},
    ]
    boosts.extend(details)
    named_fields = list(dict.fromkeys(code for code in map(field_of, words) if code is not None))
    if named_fields:
        boosts.append(
            {"constant_score": {"filter": {"terms": {"fields": named_fields}}, "boost": FIELD_BONUS}}
        )
    if words:
        # The meaningful words in title order, by any synonym, whatever filler was typed between them.
        title_words = {"match_phrase": {"title_seg": {"query": segment(" ".join(words)), "slop": 1}}}
        boosts.insert(1, {"constant_score": {"filter": title_words, "boost": PHRASE_BONUS / 2}})
    query: dict[str, Any] = {
        "bool": {
            "must": [{"bool": {"should": ways_in, "minimum_should_match": 1}}],
            "should": boosts,
        }
    }
    query = _coverage(word_queries, whole, query, fact_queries)
    # Instruments under maintenance cannot be booked now: still found, below the available ones.
    factors: list[dict[str, Any]] = [
        {"filter": {"term": {"availability": "maintenance"}}, "weight": MAINTENANCE_FACTOR}
    ]
    if ceiling is not None:
        # Priced above the ceiling typed: below the affordable; a listing without a price (面议) is not judged.
        factors.append(
            {"filter": {"range": {"price_min_fen": {"gt": ceiling}}}, "weight": OVER_BUDGET_FACTOR}
        )
    query = {
        "function_score": {
            "query": query,
            "functions": factors,
            "score_mode": "multiply",
            "boost_mode": "multiply",
        }
    }
    if types:
        # A factor, not a bonus: an expert whose bio matches must pass an achievement whose title matches.
        query = {
            "function_score": {
                "query": query,
                "functions": [{"filter": {"terms": {"type": types}}, "weight": TYPE_WEIGHT}],
                "boost_mode": "multiply",
            }
        }
    return query


# Collapsed results carry up to this many listings of the same model (the best-scoring first).
SAME_MODEL = "same_model"
SAME_MODEL_SIZE = 10
_MEMBER_SOURCE = [
    f"display.{key}"
    for key in ("id", "type", "title", "institution", "location", "availability", "org_id", "fees")
]


def _collapse() -> dict[str, Any]:
    """Collapse on the model group: one hit per group, the others of the group as inner hits."""
    return {
        "field": "group",
        "inner_hits": {"name": SAME_MODEL, "size": SAME_MODEL_SIZE, "_source": _MEMBER_SOURCE},
    }


def build_search(params: SearchParams, *, relaxed: bool = False) -> dict[str, Any]:
    """The full search request body: query, filters, facets, highlights, sort and paging."""
    query: dict[str, Any]
    filters = _filters(params)
    if params.q.strip():
        query = {"bool": {"must": [text_query(params.q, relaxed=relaxed)], "filter": filters}}
    else:
        query = {"bool": {"filter": filters}}
    selected = facet_filters(params)
    body: dict[str, Any] = {
        "query": query,
        "size": params.size,
        "track_total_hits": True,
        "_source": ["display"],
        "aggs": _facet_aggs(selected),
        "highlight": {
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "encoder": "html",
            "fields": {
                "title": {"number_of_fragments": 0},
                "body": {"fragment_size": 80, "number_of_fragments": 2},
            },
        },
    }
    sort: list[Any]
    match params.sort:
        case "newest":
            sort = [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
        case "price_asc":
            sort = [{"price_min_fen": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]
        case "price_desc":
            sort = [{"price_max_fen": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
        case _:
            sort = list(RELEVANCE_SORT)
    body["sort"] = sort
    if selected:
        # Facet selections narrow the hits (and the total) after the aggregations: scores are untouched.
        body["post_filter"] = {"bool": {"filter": list(selected.values())}}
    if params.search_after is not None:
        body["search_after"] = list(params.search_after)
    else:
        body["from"] = (params.page - 1) * params.size
    if params.group:
        # The engine cannot collapse with search_after (web.search_params refuses the pair).
        body["collapse"] = _collapse()
        # The aggregations do not see the post_filter: the groups are counted under every selection.
        body["aggs"]["groups"] = {
            "filter": {"bool": {"filter": list(selected.values())}},
            "aggs": {"count": {"cardinality": {"field": "group", "precision_threshold": 10_000}}},
        }
    return body


# More like these: when a text query fills less than its first page, the rest of the page is listings like
# its best results (their title and keyword terms), shown apart as 相关推荐: the neighbours a searcher would
# otherwise have to guess the words for (a battery-safety lab next to an accelerating rate calorimeter).
# Instruments of the best results' category (other scanning electron microscopes beside a GeminiSEM) are
# neighbours too. (Listings matching any one word of the query, the relaxed query, found a little more, R@50
# 0.8596 against 0.8559 over the dev sets, but cost the portal's grouped searches up to 650 ms at 200k listings.)
RELATED_FROM = 3
RELATED_TERMS = 25
RELATED_MATCH = "10%"
RELATED_CATEGORY_BOOST = 5.0


def build_related(
    params: SearchParams,
    like: list[tuple[str, str]],
    exclude_ids: list[str],
    exclude_groups: list[str],
    size: int,
    categories: list[str] | None = None,
) -> dict[str, Any]:
    """Listings like the given hits (index, id) or of their instrument categories; under the same filters,
    without the hits or their groups."""
    must_not: list[dict[str, Any]] = [{"ids": {"values": exclude_ids}}]
    if exclude_groups:
        must_not.append({"terms": {"group": exclude_groups}})
    neighbours: list[dict[str, Any]] = [
        {
            "more_like_this": {
                "fields": ["keywords_seg", "title_seg"],
                "like": [{"_index": index, "_id": doc_id} for index, doc_id in like],
                "min_term_freq": 1,
                "min_doc_freq": 1,
                "max_query_terms": RELATED_TERMS,
                "minimum_should_match": RELATED_MATCH,
            }
        }
    ]
    if categories:
        neighbours.append(
            {
                "constant_score": {
                    "filter": {"terms": {"category": categories}},
                    "boost": RELATED_CATEGORY_BOOST,
                }
            }
        )
    filters = [*_filters(params), *facet_filters(params).values()]
    body: dict[str, Any] = {
        "size": size,
        "_source": ["display"],
        "query": {
            "bool": {"should": neighbours, "minimum_should_match": 1, "filter": filters, "must_not": must_not}
        },
        "sort": list(RELEVANCE_SORT),
    }
    if params.group:
        body["collapse"] = _collapse()
    return body


def build_suggest(prefix: str, size: int = 8) -> dict[str, Any]:
    """Prefix suggestions over titles, their main words and keywords, each as text, pinyin and initials.

    A prefix of the title or one of its words counts more than a prefix of a keyword (集成电路 in the
    title before a chip whose keywords say 集成电路); one suggestion per distinct title.
    """
    text = normalise(prefix).replace(" ", "")
    return {
        "size": size,
        "_source": ["display.title", "display.name", "type", "id"],
        "query": {
            "bool": {
                "filter": [{"term": {"status": "published"}}],
                "should": [
                    {"constant_score": {"filter": {"match": {"suggest": text}}, "boost": 3}},
                    {"constant_score": {"filter": {"match": {"suggest_alias": text}}, "boost": 1}},
                    {"constant_score": {"filter": {"prefix": {"title.kw": prefix.strip()}}, "boost": 1}},
                ],
                "minimum_should_match": 1,
            }
        },
        "collapse": {"field": "title.kw"},
        "sort": RELEVANCE_SORT,
    }


def build_candidates(text: str, fields: list[str], types: list[str] | None, size: int) -> dict[str, Any]:
    """Loose retrieval of supply for a demand: any shared words, boosted by field."""
    seg = segment(normalise(text))
    should: list[dict[str, Any]] = [
        {
            "multi_match": {
                "query": seg,
                "fields": ["title_seg^3", "keywords_seg^2", "body_seg"],
                "type": "most_fields",
                "minimum_should_match": "1",
            }
        },
        {"match": {"title": {"query": normalise(text)[:200], "boost": 0.5}}},
    ]
    filters: list[dict[str, Any]] = [{"term": {"status": "published"}}]
    if types:
        filters.append({"terms": {"type": types}})
    query: dict[str, Any] = {"bool": {"should": should, "minimum_should_match": 1, "filter": filters}}
    if fields:
        query = {"bool": {"must": [query], "should": [{"terms": {"fields": fields, "boost": 2}}]}}
    return {"size": size, "query": query, "_source": ["display", "title_seg", "keywords_seg"]}


# Source fields a matcher needs of a candidate: what it shows, and the words its reasons may name.
MATCH_SOURCE = ["display", "title_seg", "keywords_seg"]
# Words a demand uses about the deal rather than the need (费用别太高, 最好两周内出结果): kept out of its query, or
# 研发费用加计扣除 and 加速老化 would answer a budget and a deadline.
DEAL_WORDS = frozenset(
    [
        "预算",
        "报价",
        "价格",
        "价钱",
        "便宜",
        "最好",
        "尽快",
        "尽量",
        "快速",
        "加急",
        "出结果",
        "结果",
        "左右",
        "大约",
        "约",
        "周期",
        "两周",
        "一周",
        "一两天",
        "几天",
        "明年",
        "今年",
    ]
)


# A demand word is specific when it is not everyday Chinese (search.analysis.general_idf ≥ this): the need
# (射频 10.0, 粗糙度 10.8, 测试 7.2) rather than the words around it (自己 3.5, 觉得 4.8, 分析 4.8).
SPECIFIC_IDF = 5.5
# The need's specific words of at least this many characters are also looked up inside the supply's longer words
# (the body's `body_inner` runs, search.analysis.inner_words), at this boost. Two-character words are left out:
# inside longer words they are everywhere (芯片, 设计), and reading their postings cost a demand more engine time
# than they found (docs/matching-quality.md, thirteenth wave).
MATCH_INNER_MIN_LENGTH = 3
MATCH_INNER_BOOST = 2.0
# The table terms of a listing (search.measures: what an instrument kind measures and is brought, what a topic or
# an offering is asked for), above its body text: the need's 介电常数 finds the vector network analyser whose
# listing only says S参数, 续航短 the battery-management topic (dev sweep in docs/matching-quality.md).
MATCH_MEASURES_BOOST = 2.5


# Candidates fetched beyond a type's share, so ties at its edge can go to the most recently published.
TIE_MARGIN = 10


def _is_specific(word: str) -> bool:
    # Latin words (model names, units: d50, 40ghz) count as specific: general_idf calls them unseen.
    return len(word) >= 2 and general_idf(word) >= SPECIFIC_IDF


def match_words(text: str) -> list[str]:
    """A demand's words for retrieval: its meaningful words without filler and without bare numbers (a size of
    300 mm must not find a 300元/小时 fee)."""
    found = [word for word in query_words(normalise(text)) if not _is_number(word) and word not in DEAL_WORDS]
    return found or query_words(normalise(text))


def build_match_candidates(
    text: str, fields: list[str], types: list[str], size: int, *, extra: str = ""
) -> dict[str, Any]:
    """Supply for a demand: the best `size` listings of each of `types`, in one request.

    The demand's meaningful words (no filler, no deal words, no bare numbers) are matched over titles, keywords
    and bodies, and its longer specific words inside the bodies' longer words (runs indexed at write time); sharing a
    technology field adds a little. (CJK bigrams of the demand's head over titles cost 8 ms of 78 per demand at
    200k listings and found nothing the words did not: dev recall@10 0.835 with them, 0.837 without.) The best of
    each type come from a `top_hits` per type bucket, which keeps instruments, experts and agencies from being
    crowded out by the far more numerous achievements; one request means one set of term statistics (with
    DFS) and one round trip, where a request per type paid both four times.

    ``extra`` are supply-side words the demand's wording stands for (matching.vocabulary): matched whole with the
    words, never inside longer words (they are written as the listings segment them).
    """
    words = match_words(text) or segment(normalise(text)).split()
    added = [word for word in dict.fromkeys(extra.split()) if word not in words]
    should: list[dict[str, Any]] = [
        {
            "multi_match": {
                "query": " ".join([*words, *added]),
                "fields": [
                    "title_seg^3",
                    "keywords_seg^2",
                    "body_seg",
                    f"measures_seg^{MATCH_MEASURES_BOOST}",
                ],
                "type": "most_fields",
            }
        },
    ]
    inner = [word for word in words if len(word) >= MATCH_INNER_MIN_LENGTH and _is_specific(word)]
    if inner:
        # The need's specific words inside the supply's longer words, looked up whole among the runs indexed at
        # write time: 挥发性 in 挥发性有机物 and 粗糙度 in 表面粗糙度, which segment whole and so never match the
        # word itself. (Matching them by CJK bigrams over the body found the same and more, but read the long
        # postings of every common bigram: a quarter of a demand's engine time at 200k listings.)
        should.append(
            {
                "multi_match": {
                    "query": " ".join(inner),
                    "fields": ["body_inner"],
                    "type": "most_fields",
                    "boost": MATCH_INNER_BOOST,
                }
            }
        )
    filters: list[dict[str, Any]] = [{"term": {"status": "published"}}, {"terms": {"type": types}}]
    query: dict[str, Any] = {"bool": {"should": should, "minimum_should_match": 1, "filter": filters}}
    if fields:
        query = {"bool": {"must": [query], "should": [{"terms": {"fields": fields, "boost": 1}}]}}
    # Equal scores (near-identical listings) go to the most recently published, as in search, so a new listing is
    # not crowded out by older copies of itself. The engine returns TIE_MARGIN more than asked by score alone and
    # the caller orders ties (search.service.match_candidates): a sort on published_at in the engine put every
    # matching document through a field-sorting collector, a quarter more time per demand at 200k listings.
    best = {"top_hits": {"size": size + TIE_MARGIN, "_source": [*MATCH_SOURCE, "published_at"]}}
    by_type = {"terms": {"field": "type", "size": len(types)}, "aggs": {"best": best}}
    return {"size": 0, "track_total_hits": False, "query": query, "aggs": {"by_type": by_type}}
