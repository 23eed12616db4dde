"""Deterministic demo and benchmark data for the 科技服务超市 (no database; its tables are the YAML files in
devdata/tables, read once at import).

Everything is drawn from the ``random.Random`` the caller passes in, so the same seed and the same calls give
the same output byte for byte. Listings are produced lazily and item *i* only consumes the random stream
after items ``0..i-1``: the first 50 listings of ``scale=200_000`` are the 50 listings of ``scale=50``.

- ``generate_orgs`` — the zone's universities, institutes, hospitals, agencies and enterprises with valid
  统一社会信用代码. Names, keys and codes are fixed by the org key (stable across seeds, so a re-seed
  finds the same organisations); the ``rng`` only draws the optional invented extra enterprises.
- ``generate_listings`` — ``scale`` listings (≈40% achievements, 30% experts, 20% instruments, 10% agencies)
  whose payloads are API.md create bodies.
- ``generate_demands`` — enterprise demands (API.md ``/api/v1/demands`` create bodies).

Phone numbers are made up and e-mail addresses all use the reserved ``example.cn`` domain. Patent numbers
and 统一社会信用代码 carry correct check characters but are invented: any match with a real one is chance.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final, Generic, Literal, TypeVar

import yaml

__all__ = [
    "FIELD_CODES",
    "DemandSeed",
    "ListingSeed",
    "OrgSeed",
    "generate_demands",
    "generate_listings",
    "generate_orgs",
]

OrgKind = Literal["enterprise", "university", "institute", "hospital", "agency", "government", "other"]
ListingType = Literal["achievement", "instrument", "expert", "agency"]
Payload = dict[str, Any]

_T = TypeVar("_T")
_TABLES: Final = Path(__file__).with_name("tables")


def _table(name: str) -> Any:
    """One of the data files in devdata/tables (YAML), as plain lists and dicts."""
    with (_TABLES / f"{name}.yaml").open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@dataclass(frozen=True, slots=True)
class OrgSeed:
    """An organisation to create before its listings; ``key`` is a stable slug used as ``org_key``."""

    key: str
    name: str
    kind: OrgKind
    region: str
    uscc: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ListingSeed:
    """One listing: ``payload`` is the API.md create body of ``type``, owned by the org ``org_key``."""

    type: ListingType
    org_key: str
    payload: Payload
    external_ref: str


@dataclass(frozen=True, slots=True)
class DemandSeed:
    """One enterprise demand: ``payload`` is the API.md create body of a demand."""

    org_key: str
    payload: Payload
    external_ref: str


# --- Technology fields ---------------------------------------------------------------------------------

FIELD_CODES: Final[tuple[str, ...]] = (
    "ai", "ic", "software", "quantum", "biotech", "clinical", "medtech", "materials", "nev",
    "manufacturing", "space",
)  # fmt: skip

# How the field is named in running text, with the abbreviations people search for.
_FIELD_TEXT: Final[dict[str, str]] = {
    "ai": "新一代人工智能(AI)",
    "ic": "集成电路(IC)与芯片",
    "software": "软件和信息技术",
    "quantum": "量子信息",
    "biotech": "基因与生物技术",
    "clinical": "临床医学与健康",
    "medtech": "高端医疗装备与创新药",
    "materials": "高端新材料",
    "nev": "新能源汽车与智能网联汽车",
    "manufacturing": "智能制造与机器人",
    "space": "深空探测与航天",
}

_RELATED_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "ai": ("software", "manufacturing", "nev", "clinical"),
    "ic": ("materials", "ai", "quantum"),
    "software": ("ai", "manufacturing"),
    "quantum": ("ic", "space"),
    "biotech": ("medtech", "clinical"),
    "clinical": ("medtech", "biotech", "ai"),
    "medtech": ("clinical", "biotech", "materials"),
    "materials": ("nev", "ic", "manufacturing"),
    "nev": ("ai", "materials", "ic"),
    "manufacturing": ("ai", "materials", "software"),
    "space": ("materials", "manufacturing", "quantum"),
}

# --- Regions (GB/T 2260) -------------------------------------------------------------------------------

_REGION_NAMES: Final[dict[str, str]] = {
    "500103": "重庆市渝中区", "500106": "重庆市沙坪坝区", "500107": "重庆市九龙坡区",
    "500108": "重庆市南岸区", "500109": "重庆市北碚区", "500112": "重庆市渝北区",
    "500113": "重庆市巴南区", "500120": "重庆市璧山区", "510104": "成都市锦江区",
    "510106": "成都市金牛区", "510107": "成都市武侯区", "510108": "成都市成华区",
    "510116": "成都市双流区",
}  # fmt: skip

# --- Organisations -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _OrgSpec:
    key: str
    name: str
    kind: OrgKind
    region: str
    uscc_prefix: str
    fields: tuple[str, ...]
    weight: float
    campuses: tuple[str, ...]
    agency_types: tuple[str, ...] = ()


def _load_orgs() -> tuple[_OrgSpec, ...]:
    specs: list[_OrgSpec] = []
    for kind, entries in _table("organisations").items():
        for entry in entries:
            specs.append(
                _OrgSpec(
                    key=entry["key"],
                    name=entry["name"],
                    kind=_KINDS[kind],
                    region=entry["region"],
                    uscc_prefix=entry["uscc_prefix"],
                    fields=FIELD_CODES if entry["fields"] == "*" else tuple(entry["fields"]),
                    weight=float(entry["weight"]),
                    campuses=tuple(entry["campuses"]),
                    agency_types=tuple(entry.get("agency_types", ())),
                )
            )
    return tuple(specs)


_KINDS: Final[dict[str, OrgKind]] = {
    "enterprise": "enterprise", "university": "university", "institute": "institute", "hospital": "hospital",
    "agency": "agency", "government": "government", "other": "other",
}  # fmt: skip
_ORG_SPECS: Final[tuple[_OrgSpec, ...]] = _load_orgs()

_SPEC_BY_KEY: Final[dict[str, _OrgSpec]] = {spec.key: spec for spec in _ORG_SPECS}

# --- Identifiers with check characters -----------------------------------------------------------------

_USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES: Final[dict[str, int]] = {c: i for i, c in enumerate(_USCC_CHARSET)}
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORGCODE_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_PATENT_WEIGHTS: Final = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def _uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARSET[(31 - total % 31) % 31]


def _orgcode_check_char(first8: str) -> str:
    """GB 11714 check character of a 组织机构代码 (positions 9–17 of a USCC)."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, _ORGCODE_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def _make_uscc(prefix: str, region: str, rng: random.Random) -> str:
    if prefix == "91" and rng.random() < 0.6:  # newer enterprises: MA + 6 characters
        body = "MA" + "".join(rng.choice(_USCC_CHARSET[:10] + "ABCDEFGH") for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    orgcode = body + _orgcode_check_char(body)
    first17 = prefix + region + orgcode
    return first17 + _uscc_check_char(first17)


def _patent_number(year: int, type_digit: int, serial: int) -> str:
    digits = f"{year:04d}{type_digit}{serial:07d}"
    remainder = sum(int(d) * w for d, w in zip(digits, _PATENT_WEIGHTS, strict=True)) % 11
    return f"{digits}.{'X' if remainder == 10 else remainder}"


# --- Random helpers ------------------------------------------------------------------------------------


def _pick(rng: random.Random, items: Sequence[_T]) -> _T:
    return items[int(rng.random() * len(items))]


def _between(rng: random.Random, low: int, high: int) -> int:
    """Uniform integer in [low, high]."""
    return low + int(rng.random() * (high - low + 1))


def _some(rng: random.Random, items: Sequence[_T], low: int, high: int) -> list[_T]:
    """Between low and high distinct items, in their original order."""
    k = min(len(items), _between(rng, low, high))
    chosen = sorted(rng.sample(range(len(items)), k))
    return [items[i] for i in chosen]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


class _Weighted(Generic[_T]):
    """Weighted choice by bisection over cumulative weights (faster than ``rng.choices`` per call)."""

    __slots__ = ("_cum", "_items", "_total")

    def __init__(self, items: Sequence[_T], weights: Sequence[float]) -> None:
        if not items:
            raise ValueError("nothing to choose from")
        self._items = tuple(items)
        cum: list[float] = []
        running = 0.0
        for weight in weights:
            running += max(weight, 0.0)
            cum.append(running)
        if running <= 0:
            cum = [float(i + 1) for i in range(len(items))]
            running = float(len(items))
        self._cum = cum
        self._total = running

    def __call__(self, rng: random.Random) -> _T:
        index = bisect.bisect_right(self._cum, rng.random() * self._total)
        return self._items[min(index, len(self._items) - 1)]


# --- Names ---------------------------------------------------------------------------------------------

# (surname, pinyin, relative frequency)
_NAMES: Final = _table("names")
_SURNAMES: Final[tuple[tuple[str, str, int], ...]] = tuple((s, py, int(n)) for s, py, n in _NAMES["surnames"])
_GIVEN: Final[tuple[tuple[str, str], ...]] = tuple((g, py) for g, py in _NAMES["given"])
_SURNAME_PICK: Final = _Weighted(_SURNAMES, [s[2] for s in _SURNAMES])


def _person(rng: random.Random) -> tuple[str, str]:
    """A Chinese name and its pinyin (for e-mail addresses)."""
    surname, surname_py, _ = _SURNAME_PICK(rng)
    first, first_py = _pick(rng, _GIVEN)
    if rng.random() < 0.68:
        second, second_py = _pick(rng, _GIVEN)
        return surname + first + second, surname_py + first_py + second_py
    return surname + first, surname_py + first_py


# --- Field vocabulary ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Topic:
    phrase: str
    outputs: tuple[str, ...]
    keywords: tuple[str, ...]
    metrics: tuple[str, ...]
    scenarios: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Method:
    phrase: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _FieldVocab:
    code: str
    base_keywords: tuple[str, ...]
    adjectives: tuple[str, ...]
    topics: tuple[_Topic, ...]
    methods: tuple[_Method, ...]
    pains: tuple[str, ...]
    metrics: tuple[str, ...]
    tests: tuple[str, ...]


def _split_abbrev(phrase: str) -> tuple[str, ...]:
    """'卷积神经网络(CNN)' -> ('卷积神经网络', 'CNN'); text without parentheses -> (text,)."""
    if "(" in phrase and phrase.endswith(")"):
        head, _, tail = phrase[:-1].partition("(")
        return (head, tail) if head else (tail,)
    return (phrase,)


def _load_fields() -> dict[str, _FieldVocab]:
    return {
        code: _FieldVocab(
            code=code,
            base_keywords=tuple(entry["base"]),
            adjectives=tuple(entry["adj"]),
            topics=tuple(
                _Topic(
                    t["phrase"],
                    tuple(t["outputs"]),
                    tuple(t["keywords"]),
                    tuple(t["metrics"]),
                    tuple(t["scenarios"]),
                )
                for t in entry["topics"]
            ),
            methods=tuple(_Method(m, _split_abbrev(m)) for m in entry["methods"]),
            pains=tuple(entry["pains"]),
            metrics=tuple(entry["metrics"]),
            tests=tuple(entry["tests"]),
        )
        for code, entry in _table("fields").items()
    }


_VOCABS: Final[dict[str, _FieldVocab]] = _load_fields()

_TITLE_SUFFIXES: Final = (
    "关键技术及产业化",
    "关键技术研究",
    "研发与应用",
    "研制及示范应用",
    "及其应用",
    "中试验证",
)
_MATURITY_WEIGHTS: Final = _Weighted(("lab", "pilot", "trial", "industrial"), (30, 30, 20, 20))
_MATURITY_TEXT: Final[dict[str, str]] = {
    "lab": "实验室研发", "pilot": "小试/中试", "trial": "小批量试生产", "industrial": "产业化应用",
}  # fmt: skip
_TRL_RANGE: Final[dict[str, tuple[int, int]]] = {
    "lab": (1, 4), "pilot": (4, 7), "trial": (6, 8), "industrial": (8, 9),
}  # fmt: skip
# Asking price in 万元 by maturity.
_PRICE_WAN: Final[dict[str, tuple[int, int]]] = {
    "lab": (5, 200), "pilot": (20, 500), "trial": (50, 1000), "industrial": (100, 3000),
}  # fmt: skip
_TRANSFER_MODES: Final = ("transfer", "license", "equity", "co_develop", "service")
_TRANSFER_TEXT: Final[dict[str, str]] = {
    "transfer": "技术转让", "license": "专利许可", "equity": "作价入股", "co_develop": "合作开发",
    "service": "技术服务",
}  # fmt: skip
_IP_KIND_PICK: Final = _Weighted(
    ("invention", "utility", "design", "software", "secret"), (55, 20, 5, 10, 10)
)
_IP_SOFTWARE_HEAVY: Final = _Weighted(
    ("invention", "utility", "design", "software", "secret"), (35, 5, 2, 50, 8)
)
_IP_TYPE_DIGIT: Final[dict[str, int]] = {"invention": 1, "utility": 2, "design": 3}
_FEN_PER_WAN: Final = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 分


def _metric(rng: random.Random, template: str) -> str:
    return template.format(
        a=_between(rng, 90, 99),
        b=_between(rng, 15, 60),
        c=_between(rng, 2, 12),
        d=_between(rng, 1, 50) * 100,
        e=_between(rng, 1, 9),
        f=_between(rng, 0, 5),
    )


def _metrics(rng: random.Random, vocab: _FieldVocab, topic: _Topic) -> tuple[str, str]:
    """Two different performance claims: the topic's own, sometimes one of the field's generic ones."""
    first, second = rng.sample(topic.metrics, 2) if len(topic.metrics) > 1 else (topic.metrics[0], "")
    if not second or rng.random() < 0.3:
        second = _pick(rng, vocab.metrics)
    return _metric(rng, first), _metric(rng, second)


def _ip_rights(rng: random.Random, field: str) -> list[dict[str, str | None]]:
    picker = _IP_SOFTWARE_HEAVY if field in ("ai", "software") else _IP_KIND_PICK
    rights: list[dict[str, str | None]] = []
    for _ in range(_between(rng, 0, 4) if rng.random() < 0.85 else 0):
        kind = picker(rng)
        year = _between(rng, 2015, 2025)
        if kind == "secret":
            number: str | None = None
        elif kind == "software":
            number = f"{year}SR{_between(rng, 10_000, 1_999_999):07d}"
        else:
            number = _patent_number(year, _IP_TYPE_DIGIT[kind], _between(rng, 10_000, 1_899_999))
        rights.append({"kind": kind, "number": number})
    return rights


def _price(
    rng: random.Random, low_wan: int, high_wan: int, fixed_share: float = 0.25
) -> dict[str, int | str | None]:
    roll = rng.random()
    if roll < 0.40:
        return {"mode": "negotiable", "min_fen": None, "max_fen": None}
    low = _between(rng, low_wan, high_wan)
    if roll < 0.40 + fixed_share:
        return {"mode": "fixed", "min_fen": low * _FEN_PER_WAN, "max_fen": low * _FEN_PER_WAN}
    high = low + max(1, int(low * (0.5 + rng.random() * 2.5)))
    return {"mode": "range", "min_fen": low * _FEN_PER_WAN, "max_fen": high * _FEN_PER_WAN}


def _ip_text(ip: Sequence[dict[str, str | None]]) -> str:
    kinds = [right["kind"] for right in ip]
    patents = sum(1 for kind in kinds if kind in ("invention", "utility", "design"))
    parts = [f"已申请专利{patents}项"] if patents else []
    if "software" in kinds:
        parts.append(f"登记软件著作权{kinds.count('software')}项")
    if "secret" in kinds:
        parts.append("核心工艺以技术秘密形式保护")
    return "，".join(parts) if parts else "知识产权正在布局中"


class _Context:
    """Per-call lookup tables derived from the organisations handed to a generator."""

    def __init__(self, orgs: Sequence[OrgSeed]) -> None:
        if not orgs:
            raise ValueError("generate_orgs() first: at least one organisation is needed")
        self.orgs = tuple(orgs)
        self._pickers: dict[tuple[tuple[str, float], ...], _Weighted[OrgSeed]] = {}

    def picker(self, kind_weights: tuple[tuple[str, float], ...]) -> _Weighted[OrgSeed]:
        """Organisations of the given kinds, weighted by kind share × the org's own weight."""
        cached = self._pickers.get(kind_weights)
        if cached is not None:
            return cached
        shares = dict(kind_weights)
        by_kind: dict[str, list[OrgSeed]] = {}
        for org in self.orgs:
            if org.kind in shares and _org_weight(org) > 0:
                by_kind.setdefault(org.kind, []).append(org)
        items: list[OrgSeed] = []
        weights: list[float] = []
        for kind, share in kind_weights:
            members = by_kind.get(kind, [])
            total = sum(_org_weight(m) for m in members)
            for member in members:
                items.append(member)
                weights.append(share * _org_weight(member) / total)
        if not items:  # none of the wanted kinds: anyone will do
            items = list(self.orgs)
            weights = [1.0] * len(items)
        picker = _Weighted(items, weights)
        self._pickers[kind_weights] = picker
        return picker


def _org_weight(org: OrgSeed) -> float:
    spec = _SPEC_BY_KEY.get(org.key)
    return spec.weight if spec is not None else 1.0


def _org_fields(org: OrgSeed) -> tuple[str, ...]:
    """The org's technology fields that have vocabulary here (all of them when it names none)."""
    return tuple(f for f in org.fields if f in _VOCABS) or FIELD_CODES


def _campuses(org: OrgSeed) -> tuple[str, ...]:
    spec = _SPEC_BY_KEY.get(org.key)
    if spec is not None and spec.campuses:
        return spec.campuses
    return ("本部",)


# --- Organisations: public -----------------------------------------------------------------------------

_EXTRA_BRAND_CHARS: Final = "渝科瑞博华鑫睿智恒创德宏汇嘉联泰晟昊巴蜀缙凤金锦天云星新源航微数"
_EXTRA_INDUSTRIES: Final[tuple[tuple[str, str], ...]] = (
    ("智能科技", "ai software"), ("微电子", "ic"), ("软件技术", "software"), ("量子科技", "quantum"),
    ("生物科技", "biotech"), ("医疗科技", "clinical medtech"), ("医疗器械", "medtech"),
    ("新材料科技", "materials"), ("新能源汽车科技", "nev"), ("智能装备", "manufacturing"),
    ("航天科技", "space"), ("机器人", "manufacturing ai"), ("电池科技", "nev materials"),
)  # fmt: skip
_EXTRA_REGIONS: Final = (
    ("重庆", "500107"), ("重庆", "500107"), ("重庆", "500106"), ("重庆", "500120"), ("重庆", "500112"),
    ("重庆", "500108"), ("成都", "510107"), ("成都", "510116"),
)  # fmt: skip


def generate_orgs(rng: random.Random, *, extra_enterprises: int = 0) -> list[OrgSeed]:
    """The zone's organisations, plus ``extra_enterprises`` invented ones drawn from ``rng``.

    The named organisations and their 统一社会信用代码 depend only on their keys, not on ``rng``.
    """
    orgs = [
        OrgSeed(
            key=spec.key,
            name=spec.name,
            kind=spec.kind,
            region=spec.region,
            uscc=_make_uscc(spec.uscc_prefix, spec.region, random.Random(f"techmarket-uscc:{spec.key}")),
            fields=spec.fields,
        )
        for spec in _ORG_SPECS
    ]
    used = {org.name for org in orgs}
    made = 0
    while made < extra_enterprises:
        city, region = _pick(rng, _EXTRA_REGIONS)
        industry, fields = _pick(rng, _EXTRA_INDUSTRIES)
        first, second = rng.sample(_EXTRA_BRAND_CHARS, 2)
        name = f"{city}{first}{second}{industry}有限公司"
        if name in used:
            name = f"{city}{first}{second}{industry}（{_REGION_NAMES[region][3:-1]}）有限公司"
            if name in used:
                continue
        used.add(name)
        made += 1
        orgs.append(
            OrgSeed(
                key=f"ent-x{made:05d}",
                name=name,
                kind="enterprise",
                region=region,
                uscc=_make_uscc("91", region, rng),
                fields=tuple(fields.split()),
            )
        )
    return orgs


# --- Achievements --------------------------------------------------------------------------------------

_ACHIEVEMENT_ORGS: Final = (
    ("university", 50.0),
    ("institute", 20.0),
    ("hospital", 8.0),
    ("enterprise", 22.0),
)


def _achievement(rng: random.Random, org: OrgSeed) -> Payload:
    field = _pick(rng, _org_fields(org))
    vocab = _VOCABS[field]
    topic = _pick(rng, vocab.topics)
    output = _pick(rng, topic.outputs)
    method: _Method | None = None
    roll = rng.random()
    if roll < 0.30:
        title = topic.phrase + output
    elif roll < 0.60:
        method = _pick(rng, vocab.methods)
        adjective = _pick(rng, vocab.adjectives) if roll >= 0.50 else ""
        title = f"基于{method.phrase}的{adjective}{topic.phrase}{output}"
    elif roll < 0.72:
        title = f"{_pick(rng, vocab.adjectives)}{topic.phrase}{output}"
    elif roll < 0.82:
        title = f"面向{_pick(rng, topic.scenarios)}的{topic.phrase}{output}"
    else:
        title = f"{topic.phrase}{output}{_pick(rng, _TITLE_SUFFIXES)}"

    fields = [field]
    if rng.random() < 0.25:
        fields.append(_pick(rng, _RELATED_FIELDS[field]))

    maturity = _MATURITY_WEIGHTS(rng)
    trl = _between(rng, *_TRL_RANGE[maturity])
    ip = _ip_rights(rng, field)
    modes = _some(rng, _TRANSFER_MODES, 1, 3)
    price = _price(rng, *_PRICE_WAN[maturity])
    inventors = [_person(rng)[0] for _ in range(_between(rng, 1, 6))]

    metric1, metric2 = _metrics(rng, vocab, topic)
    scenario = _pick(rng, topic.scenarios)
    pain = _pick(rng, vocab.pains)
    modes_text = "、".join(_TRANSFER_TEXT[m] for m in modes)
    ip_text = _ip_text(ip)
    stage = _MATURITY_TEXT[maturity]
    description = (
        f"本成果面向{scenario}等应用场景，针对{pain}等问题，由{org.name}研发团队完成{title}。"
        f"主要技术指标：{metric1}；{metric2}。"
        f"成果属于{_FIELD_TEXT[field]}领域，目前处于{stage}阶段（TRL {trl}），{ip_text}。"
        f"可采用{modes_text}等方式与企业开展合作。"
    )
    keywords = _unique(
        (
            *topic.keywords,
            *(method.keywords if method else ()),
            vocab.base_keywords[0],
            _pick(rng, vocab.base_keywords),
        )
    )
    return {
        "title": title,
        "summary": f"{title}：{metric1}，处于{stage}阶段，支持{modes_text}。",
        "description": description,
        "fields": fields,
        "keywords": keywords,
        "region": org.region,
        "maturity": maturity,
        "trl": trl,
        "ip": ip,
        "transfer_modes": modes,
        "price": price,
        "inventors": _unique(inventors),
    }


# --- Instruments ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _InstrumentModel:
    category: str
    name: str
    aliases: tuple[str, ...]
    model: str
    manufacturer: str
    brand: str
    value_wan: tuple[int, int]
    fee_unit: str
    fee_yuan: tuple[int, int]
    fields: tuple[str, ...]
    spec: str
    uses: str
    weight: float


def _load_instruments() -> tuple[_InstrumentModel, ...]:
    models: list[_InstrumentModel] = []
    for entry in _table("instruments"):
        manufacturer = entry["manufacturer"]
        brand = manufacturer.split("(")[-1].rstrip(")") if "(" in manufacturer else manufacturer
        value_low, value_high = entry["value_wan"]
        fee_low, fee_high = entry["fee_yuan"]
        models.append(
            _InstrumentModel(
                category=entry["category"],
                name=entry["name"],
                aliases=tuple(entry["aliases"]),
                model=entry["model"],
                manufacturer=manufacturer,
                brand=brand,
                value_wan=(int(value_low), int(value_high)),
                fee_unit=entry["fee_unit"],
                fee_yuan=(int(fee_low), int(fee_high)),
                fields=tuple(entry["fields"]),
                spec=entry["spec"],
                uses=entry["uses"],
                weight=float(entry["weight"]),
            )
        )
    return tuple(models)


_INSTRUMENTS: Final[tuple[_InstrumentModel, ...]] = _load_instruments()

_INSTRUMENT_ORGS: Final = (
    ("university", 58.0), ("institute", 20.0), ("hospital", 10.0), ("agency", 6.0), ("enterprise", 6.0),
)  # fmt: skip
_BUILDINGS: Final = (
    "分析测试中心大楼", "实验楼A栋", "科研楼B座", "第一实验楼", "综合实验大楼", "生命科学大楼", "材料科学楼",
    "电子信息大楼", "重点实验室楼", "公共技术服务平台楼",
)  # fmt: skip
_HEAVY_CATEGORIES: Final = frozenset({"0101", "0106", "0902", "1101", "1203", "1204"})


def _instrument_candidates(
    org: OrgSeed, cache: dict[str, _Weighted[_InstrumentModel]]
) -> _Weighted[_InstrumentModel]:
    picker = cache.get(org.key)
    if picker is None:
        wanted = set(_org_fields(org)) if org.kind != "agency" else {"materials", "ic", "medtech", "nev"}
        models = [m for m in _INSTRUMENTS if wanted.intersection(m.fields)] or list(_INSTRUMENTS)
        picker = _Weighted(models, [m.weight for m in models])
        cache[org.key] = picker
    return picker


def _instrument(rng: random.Random, org: OrgSeed, cache: dict[str, _Weighted[_InstrumentModel]]) -> Payload:
    m = _instrument_candidates(org, cache)(rng)
    value_fen = _between(rng, m.value_wan[0] * 10, m.value_wan[1] * 10) * (_FEN_PER_WAN // 10)
    campus = org.name + _pick(rng, _campuses(org))
    building = _pick(rng, _BUILDINGS)
    floor = "B1" if m.category in _HEAVY_CATEGORIES and rng.random() < 0.4 else str(_between(rng, 1, 6))
    room = f"{floor}{_between(rng, 1, 30):02d}"
    roll = rng.random()
    if roll < 0.55:
        modes = ["self", "commissioned"]
    elif roll < 0.9 or m.value_wan[0] >= 1000:
        modes = ["commissioned"]
    else:
        modes = ["self"]
    step = 10 if m.fee_yuan[1] >= 100 else 1
    price_yuan = _between(rng, m.fee_yuan[0] // step, m.fee_yuan[1] // step) * step
    fees: list[dict[str, str | int]] = [{"unit": m.fee_unit, "price_fen": price_yuan * 100}]
    if m.fee_unit == "hour" and "commissioned" in modes and rng.random() < 0.35:
        fees.append({"unit": "sample", "price_fen": max(1, price_yuan * _between(rng, 6, 15) // 10) * 100})
    if rng.random() < 0.1:
        fees.append({"unit": "day", "price_fen": price_yuan * (8 if m.fee_unit == "hour" else 20) * 100})
    needs_training = "self" in modes and rng.random() < 0.85
    booking = {
        "min_notice_hours": _pick(rng, (2, 4, 12, 24, 24, 48, 72)),
        "max_hours": _pick(rng, (2, 4, 4, 8, 8, 12, 24))
        if m.fee_unit == "hour"
        else _pick(rng, (8, 24, 48, 72)),
        "needs_training": needs_training,
    }
    availability = "maintenance" if rng.random() < 0.08 else "available"
    year = _between(rng, 2012, 2024)
    unit_text = {"hour": "小时", "sample": "样", "day": "天"}[m.fee_unit]
    mode_text = "、".join({"self": "自主上机", "commissioned": "送样检测/委托测试"}[x] for x in modes)
    title = f"{m.name}（{m.brand} {m.model}）"
    description = (
        f"{m.name}（{m.manufacturer} {m.model}）于{year}年购置，原值{value_fen / _FEN_PER_WAN:.1f}万元，"
        f"安置于{campus}{building}{room}室。主要技术指标：{m.spec}。可开展{m.uses}等测试分析。"
        f"服务方式：{mode_text}；收费{price_yuan}元/{unit_text}起"
        + ("，自主上机须先参加培训并通过考核。" if needs_training else "。")
    )
    return {
        "name": m.name,
        "title": title,
        "summary": f"{campus}｜{m.uses}｜{price_yuan}元/{unit_text}",
        "description": description,
        "fields": list(m.fields[:2]) if rng.random() < 0.5 else [m.fields[0]],
        "keywords": _unique((*m.aliases, m.brand, m.model, m.name)),
        "region": org.region,
        "model": m.model,
        "manufacturer": m.manufacturer,
        "category": m.category,
        "original_value_fen": value_fen,
        "location": {"campus": campus, "building": building, "room": room},
        "service_modes": modes,
        "fees": fees,
        "booking": booking,
        "availability": availability,
    }


# --- Experts -------------------------------------------------------------------------------------------

_EXPERT_ORGS: Final = (("university", 62.0), ("institute", 15.0), ("hospital", 15.0), ("enterprise", 8.0))
_TITLES_BY_KIND: Final[dict[str, _Weighted[str]]] = {
    "university": _Weighted(
        ("教授", "副教授", "研究员", "副研究员", "高级工程师", "讲师"), (40, 30, 10, 10, 5, 5)
    ),
    "institute": _Weighted(("研究员", "副研究员", "正高级工程师", "高级工程师"), (35, 30, 15, 20)),
    "hospital": _Weighted(("主任医师", "副主任医师", "主任技师", "研究员"), (45, 35, 10, 10)),
    "enterprise": _Weighted(("正高级工程师", "高级工程师", "首席科学家", "技术总监"), (20, 50, 10, 20)),
}
_RATE_YUAN: Final[dict[str, tuple[int, int]]] = {
    "教授": (800, 3000), "研究员": (800, 3000), "主任医师": (1000, 3000), "首席科学家": (1000, 3000),
    "正高级工程师": (600, 2000), "副教授": (500, 1500), "副研究员": (500, 1500), "副主任医师": (500, 1500),
    "主任技师": (400, 1200), "高级工程师": (400, 1200), "技术总监": (600, 2000), "讲师": (300, 800),
}  # fmt: skip
_EXPERT_SERVICES: Final = ("consulting", "review", "training", "co_develop")
_SERVICE_TEXT: Final[dict[str, str]] = {
    "consulting": "技术咨询", "review": "项目评审", "training": "技术培训", "co_develop": "合作研发",
}  # fmt: skip
_PROJECTS: Final = _words(
    "国家自然科学基金项目 国家重点研发计划课题 重庆市自然科学基金项目 "
    "企业委托横向课题 重庆市技术创新与应用发展专项"
)
_HONOURS: Final = _words(
    "曾获重庆市科技进步奖一等奖。 曾获重庆市技术发明奖二等奖。 入选重庆英才计划。 "
    "担任行业学会专业委员会委员。 担任多个SCI期刊审稿人。 曾获中国专利优秀奖。 "
    "入选国家级青年人才计划。 担任重庆市科技专家库评审专家。"
)
_MOBILE_PREFIXES: Final = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 180 181 182 183 186 187 189"
)


def _expert(rng: random.Random, org: OrgSeed, ordinal: int) -> Payload:
    name, name_py = _person(rng)
    title = _TITLES_BY_KIND.get(org.kind, _TITLES_BY_KIND["enterprise"])(rng)
    fields = _some(rng, _org_fields(org), 1, 2)
    areas: list[_Topic] = []
    for field in fields:
        areas.extend(_some(rng, _VOCABS[field].topics, 1, 2))
    area_names = [a.phrase for a in areas]
    method = _pick(rng, _VOCABS[fields[0]].methods)
    services = _some(rng, _EXPERT_SERVICES, 1, 3)
    services_text = "、".join(_SERVICE_TEXT[s] for s in services)
    low, high = _RATE_YUAN[title]
    rate_yuan = _between(rng, low // 100, high // 100) * 100
    supervisor = (
        "，博士生导师" if title in ("教授", "研究员") and org.kind in ("university", "institute") else ""
    )
    bio = (
        f"{name}，{org.name}{title}{supervisor}。"
        f"长期从事{'、'.join(area_names)}等方向研究，擅长{method.phrase}方法，"
        f"主持{_pick(rng, _PROJECTS)}等科研项目{_between(rng, 3, 30)}项，发表论文{_between(rng, 10, 200)}篇，"
        f"授权发明专利{_between(rng, 1, 40)}项。"
    )
    if rng.random() < 0.6:
        bio += _pick(rng, _HONOURS)
    phone = _pick(rng, _MOBILE_PREFIXES) + "0000" + f"{_between(rng, 0, 9999):04d}"
    return {
        "name": name,
        "title": title,
        "summary": f"{title}｜{'、'.join(area_names[:2])}",
        "description": f"{bio}可为企业提供{services_text}等服务，咨询费{rate_yuan}元/小时。",
        "fields": fields,
        "keywords": _unique((*(k for a in areas for k in a.keywords[:3]), *method.keywords)),
        "region": org.region,
        "institution": org.name,
        "bio": bio,
        "services": services,
        "rate_fen_per_hour": rate_yuan * 100,
        "consent": {"publish": rng.random() < 0.96, "contact": rng.random() < 0.55},
        "contact": {"phone": phone, "email": f"{name_py}{ordinal}@example.cn"},
    }


# --- Agencies ------------------------------------------------------------------------------------------

_AGENCY_TYPES: Final = (
    "testing",
    "ip",
    "tech_transfer",
    "consulting",
    "finance",
    "incubation",
    "legal",
    "design",
)
_AGENCY_TYPE_TEXT: Final[dict[str, str]] = {
    "testing": "检验检测", "ip": "知识产权", "tech_transfer": "技术转移", "consulting": "科技咨询",
    "finance": "科技金融", "incubation": "孵化育成", "legal": "法律服务", "design": "工业设计",
}  # fmt: skip
_AGENCY_TABLES: Final = _table("agencies")
_QUALIFICATIONS: Final[dict[str, tuple[str, ...]]] = {
    kind: tuple(values) for kind, values in _AGENCY_TABLES["qualifications"].items()
}
# (name, description, mode, min 元, max 元)
_OFFERINGS: Final[dict[str, tuple[tuple[str, str, str, int, int], ...]]] = {
    kind: tuple((name, text, mode, int(low), int(high)) for name, text, mode, low, high in offerings)
    for kind, offerings in _AGENCY_TABLES["offerings"].items()
}
_AGENCY_NAME_PARTS: Final[dict[str, tuple[str, ...]]] = {
    kind: tuple(values) for kind, values in _AGENCY_TABLES["name_parts"].items()
}
_AGENCY_PLACES: Final = (
    ("重庆", "500107"), ("重庆", "500107"), ("重庆", "500106"), ("重庆", "500112"), ("重庆", "500108"),
    ("重庆", "500120"), ("成都", "510107"), ("成都", "510104"), ("四川", "510108"),
)  # fmt: skip
_AGENCY_BRANDS: Final[tuple[str, ...]] = tuple(_AGENCY_TABLES["brands"])
_AGENCY_OWNERS: Final = (("agency", 100.0),)


def _agency_types_of(org: OrgSeed) -> tuple[str, ...]:
    spec = _SPEC_BY_KEY.get(org.key)
    if spec is not None and spec.agency_types:
        return spec.agency_types
    hints = (("检测", "testing"), ("知识产权", "ip"), ("技术转移", "tech_transfer"), ("孵化", "incubation"),
             ("律师", "legal"), ("设计", "design"), ("投资", "finance"), ("担保", "finance"))  # fmt: skip
    return tuple(t for hint, t in hints if hint in org.name) or ("consulting",)


def _agency(rng: random.Random, owner: OrgSeed, own_profile: bool) -> Payload:
    if own_profile:
        name = owner.name
        types = list(_agency_types_of(owner))
        region = owner.region
    else:
        types = _some(rng, _AGENCY_TYPES, 1, 1)
        if rng.random() < 0.4:
            extra = _pick(rng, _AGENCY_TYPES)
            if extra not in types:
                types = [t for t in _AGENCY_TYPES if t in (types[0], extra)]
        place, region = _pick(rng, _AGENCY_PLACES)
        name = f"{place}{_pick(rng, _AGENCY_BRANDS)}{_pick(rng, _AGENCY_NAME_PARTS[types[0]])}"
    qualifications = _unique(q for t in types for q in _some(rng, _QUALIFICATIONS[t], 1, 2))
    offerings: list[dict[str, Any]] = []
    for t in types:
        for off_name, off_desc, mode, low, high in _some(rng, _OFFERINGS[t], 1, 3):
            if mode == "negotiable":
                price: dict[str, Any] = {"mode": "negotiable", "min_fen": None, "max_fen": None}
            elif mode == "fixed":
                amount = _between(rng, low // 100, high // 100) * 100 * 100
                price = {"mode": "fixed", "min_fen": amount, "max_fen": amount}
            else:
                price_low = _between(rng, low * 8 // 1000, low * 12 // 1000) * 100
                price_high = max(price_low, _between(rng, high * 8 // 1000, high * 12 // 1000) * 100)
                price = {"mode": "range", "min_fen": price_low * 100, "max_fen": price_high * 100}
            offerings.append({"name": off_name, "description": off_desc, "price": price})
    fields = _some(rng, FIELD_CODES, 1, 3)
    type_text = "、".join(_AGENCY_TYPE_TEXT[t] for t in types)
    field_text = "、".join(_FIELD_TEXT[f] for f in fields)
    offer_text = "、".join(o["name"] for o in offerings)
    staff = _between(rng, 8, 120)
    description = (
        f"{name}是位于{_REGION_NAMES.get(region, '成渝地区')}的{type_text}服务机构，"
        f"拥有专业服务人员{staff}名，具备{'、'.join(qualifications)}等资质。"
        f"主要面向{field_text}等领域的科技型企业和高校院所，提供{offer_text}等服务，"
        f"近三年累计服务企业{_between(rng, 50, 2000)}家次。"
    )
    keywords = _unique(
        (
            *(_AGENCY_TYPE_TEXT[t] for t in types),
            *(o["name"].split("（")[0] for o in offerings),
            *qualifications,
        )
    )
    return {
        "name": name,
        "title": name,
        "summary": f"{type_text}服务｜{offer_text}",
        "description": description,
        "fields": fields,
        "keywords": keywords[:30],
        "region": region,
        "agency_types": types,
        "qualifications": qualifications,
        "offerings": offerings,
    }


# --- Listings: public ----------------------------------------------------------------------------------

# Ten-slot cycle: 4 achievements, 3 experts, 2 instruments, 1 agency.
_TYPE_CYCLE: Final[tuple[ListingType, ...]] = (
    "achievement", "expert", "instrument", "achievement", "expert",
    "agency", "achievement", "expert", "instrument", "achievement",
)  # fmt: skip
_REF_PREFIX: Final[dict[str, str]] = {
    "achievement": "ach",
    "instrument": "ins",
    "expert": "exp",
    "agency": "agy",
}


def generate_listings(rng: random.Random, *, scale: int, orgs: Sequence[OrgSeed]) -> Iterator[ListingSeed]:
    """Yield ``scale`` listings (≈40% achievements, 30% experts, 20% instruments, 10% agencies).

    Lazy: item *i* consumes ``rng`` only after items before it, so a prefix of a larger run equals a smaller
    run with the same seed. ``external_ref`` is ``seed:<type>:<ordinal>``, unique within a run.
    """
    if scale < 0:
        raise ValueError("scale must be >= 0")
    ctx = _Context(orgs)
    achievement_orgs = ctx.picker(_ACHIEVEMENT_ORGS)
    instrument_orgs = ctx.picker(_INSTRUMENT_ORGS)
    expert_orgs = ctx.picker(_EXPERT_ORGS)
    agency_orgs = ctx.picker(_AGENCY_OWNERS)
    own_profiles = [org for org in ctx.orgs if org.kind == "agency"]
    instrument_cache: dict[str, _Weighted[_InstrumentModel]] = {}
    counters = dict.fromkeys(_REF_PREFIX, 0)
    for index in range(scale):
        kind = _TYPE_CYCLE[index % len(_TYPE_CYCLE)]
        ordinal = counters[kind] = counters[kind] + 1
        if kind == "achievement":
            org = achievement_orgs(rng)
            payload = _achievement(rng, org)
        elif kind == "instrument":
            org = instrument_orgs(rng)
            payload = _instrument(rng, org, instrument_cache)
        elif kind == "expert":
            org = expert_orgs(rng)
            payload = _expert(rng, org, ordinal)
        else:
            own = ordinal <= len(own_profiles)
            org = own_profiles[ordinal - 1] if own else agency_orgs(rng)
            payload = _agency(rng, org, own)
        yield ListingSeed(
            type=kind,
            org_key=org.key,
            payload=payload,
            external_ref=f"seed:{_REF_PREFIX[kind]}:{ordinal:07d}",
        )


# --- Demands -------------------------------------------------------------------------------------------

_DEMAND_ORGS: Final = (("enterprise", 85.0), ("hospital", 5.0), ("institute", 10.0))
_DEMAND_KINDS: Final = _Weighted(
    ("tech_problem", "challenge", "instrument", "testing", "consulting", "ip", "finance"),
    (30, 10, 12, 18, 10, 10, 10),
)
# Budget in 元 by kind.
_DEMAND_BUDGET_YUAN: Final[dict[str, tuple[int, int]]] = {
    "tech_problem": (200_000, 5_000_000), "challenge": (2_000_000, 20_000_000), "instrument": (2_000, 50_000),
    "testing": (5_000, 200_000), "consulting": (20_000, 300_000), "ip": (10_000, 500_000),
    "finance": (2_000_000, 50_000_000),
}  # fmt: skip
_DEMAND_BASE_DATE: Final = date(2026, 3, 1)
_ROUNDS: Final = ("天使轮", "Pre-A轮", "A轮", "B轮")
_CONSULTING_TOPICS: Final = (
    "高新技术企业认定咨询", "科技型企业研发费用加计扣除咨询", "智能工厂建设规划咨询", "数字化转型诊断咨询",
    "专精特新企业申报咨询",
)  # fmt: skip


def _demand(rng: random.Random, org: OrgSeed) -> Payload:
    field = _pick(rng, _org_fields(org))
    vocab = _VOCABS[field]
    topic = _pick(rng, vocab.topics)
    kind = _DEMAND_KINDS(rng)
    pain = _pick(rng, vocab.pains)
    scenario = _pick(rng, topic.scenarios)
    metric = _metric(rng, _pick(rng, topic.metrics))
    we = "我公司" if org.kind == "enterprise" else "我单位"
    if kind == "tech_problem":
        title = _pick(
            rng,
            (f"求购{topic.phrase}量产技术", f"寻求{topic.phrase}技术合作开发", f"{topic.phrase}技术难题求解",
             f"求购{_pick(rng, vocab.adjectives)}{topic.phrase}技术"),
        )  # fmt: skip
        body = f"{we}在{scenario}应用中面临{pain}的问题，现寻求{topic.phrase}相关技术，要求{metric}。"
    elif kind == "challenge":
        title = f"揭榜挂帅：{topic.phrase}{_pick(rng, ('关键技术攻关', '技术', '核心技术研发'))}"
        body = (
            f"围绕{scenario}需求，公开征集{topic.phrase}攻关团队。榜单目标：{metric}；"
            f"揭榜方须具备相关研发基础，攻关周期不超过{_between(rng, 12, 36)}个月。"
        )
    elif kind == "instrument":
        candidates = [m for m in _INSTRUMENTS if field in m.fields] or list(_INSTRUMENTS)
        inst = _pick(rng, candidates)
        title = _pick(
            rng,
            (
                f"预约{inst.name}机时（{inst.aliases[0]}）",
                f"寻找可共享的{inst.name}开展{inst.uses.split('、')[0]}",
            ),
        )
        body = (
            f"因{topic.phrase}研发需要，拟预约{inst.name}（{inst.aliases[0]}）约{_between(rng, 4, 80)}小时，"
            f"用于{inst.uses}，希望就近在成渝地区安排。"
        )
    elif kind == "testing":
        item = _pick(rng, vocab.tests)
        title = f"寻找{item}" if "服务" in item else f"寻找{item}服务"
        samples = _between(rng, 3, 200)
        body = f"{we}{topic.phrase}相关产品需开展{item}，样品约{samples}件，需出具CMA/CNAS资质报告。"
    elif kind == "consulting":
        title = _pick(rng, (f"{topic.phrase}技术路线咨询", _pick(rng, _CONSULTING_TOPICS)))
        body = f"{we}正在布局{_FIELD_TEXT[field]}方向，针对{pain}问题，需要专家提供技术路线与实施方案咨询。"
    elif kind == "ip":
        title, body = _pick(
            rng,
            (
                (f"{topic.phrase}专利布局与FTO分析",
                 f"围绕{topic.phrase}产品上市计划，需要开展专利检索、侵权风险排查与专利组合布局。"),
                (f"求购{topic.phrase}相关发明专利",
                 f"{we}拟受让或独占许可{topic.phrase}相关发明专利{_between(rng, 1, 10)}件，用于产品升级。"),
                ("企业知识产权贯标(GB/T 29490)辅导",
                 f"{we}从事{topic.phrase}研发，拟建立知识产权管理体系并通过贯标认证。"),
            ),
        )  # fmt: skip
    else:
        title = _pick(
            rng,
            (
                f"{topic.phrase}项目寻求{_pick(rng, _ROUNDS)}融资",
                f"{_FIELD_TEXT[field]}项目知识产权质押融资需求",
            ),
        )
        body = f"{we}{topic.phrase}项目已完成样机验证，{metric}，现寻求股权或债权融资用于扩产。"
    low, high = _DEMAND_BUDGET_YUAN[kind]
    budget_min = _between(rng, low // 1000, high // 1000) * 1000
    budget_max = budget_min + _between(rng, 0, 3) * (budget_min // 2)
    deadline = _DEMAND_BASE_DATE + timedelta(days=_between(rng, 30, 365))
    fields = [field]
    if rng.random() < 0.2:
        fields.append(_pick(rng, _RELATED_FIELDS[field]))
    return {
        "title": title,
        "description": f"{body}需求方：{org.name}。",
        "fields": fields,
        "keywords": _unique((*topic.keywords, vocab.base_keywords[0])),
        "kind": kind,
        "budget": {"min_fen": budget_min * 100, "max_fen": budget_max * 100},
        "deadline": deadline.isoformat(),
        "region": org.region,
    }


def generate_demands(rng: random.Random, *, count: int, orgs: Sequence[OrgSeed]) -> Iterator[DemandSeed]:
    """Yield ``count`` enterprise demands (mostly from enterprises), lazily and prefix-stable."""
    if count < 0:
        raise ValueError("count must be >= 0")
    picker = _Context(orgs).picker(_DEMAND_ORGS)
    for index in range(1, count + 1):
        org = picker(rng)
        yield DemandSeed(org_key=org.key, payload=_demand(rng, org), external_ref=f"seed:dmd:{index:07d}")
