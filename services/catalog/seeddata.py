"""Deterministic demo and benchmark data for the 科技服务超市 (pure: no I/O, no database).

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
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Final, Generic, Literal, TypeVar

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


# One organisation a line: key|name|region|USCC prefix|weight|fields (* = all)|campuses[|agency types], under
# "# kind" headers. Real institutions are named as they are; agencies and enterprises are invented. USCC
# prefixes: 12 事业单位, 11 机关, 91 企业, 51 社会团体, 52 民办非企业单位, 31 律师事务所.
_ORG_TABLE: Final = """
# university
cqu|重庆大学|500106|12|10|ai ic software materials nev manufacturing space medtech quantum|A区 B区 虎溪校区
cqmu|重庆医科大学|500103|12|6|biotech clinical medtech ai|袁家岗校区 缙云校区
swu|西南大学|500109|12|6|biotech materials ai software medtech|北碚校区 荣昌校区
cqupt|重庆邮电大学|500108|12|5|ai ic software quantum nev|南岸校区
cqjtu|重庆交通大学|500108|12|3|nev manufacturing materials software|南岸校区 科学城校区
cqnu|重庆师范大学|500106|12|3|ai software biotech materials|大学城校区 沙坪坝校区
cqut|重庆理工大学|500113|12|3|nev manufacturing ai materials ic|花溪校区 两江校区
ctbu|重庆工商大学|500108|12|2|software ai materials|南岸校区
cqust|重庆科技大学|500106|12|2|materials manufacturing ai software|大学城校区
scfai|四川美术学院|500106|12|1|software manufacturing|虎溪校区 黄桷坪校区
tmmu|陆军军医大学|500106|12|4|clinical medtech biotech|高滩岩校区
uestc|电子科技大学|510108|12|4|ic ai software quantum space|清水河校区 沙河校区
scu|四川大学|510107|12|5|biotech clinical medtech materials ai software space|望江校区 华西校区 江安校区
swjtu|西南交通大学|510106|12|3|manufacturing materials nev ai software|九里校区 犀浦校区
# institute
cigit|中国科学院重庆绿色智能技术研究院|500109|12|5|ai materials medtech manufacturing quantum space|水土园区
caeri|中国汽车工程研究院股份有限公司|500112|91|4|nev manufacturing ai software|礼嘉园区 金渝园区
cqaiq|重庆市计量质量检测研究院|500112|12|3|materials manufacturing medtech ic|两江检测基地|testing
bit-cq|北京理工大学重庆创新中心|500112|12|3|ai nev space manufacturing ic materials|两江协同创新区
pku-cq-bigdata|北京大学重庆大数据研究院|500107|52|2|ai software|科学谷园区
cqmu-ivd|重庆医科大学国际体外诊断研究院|500107|52|2|medtech biotech clinical|金凤园区
cetc24|中国电子科技集团公司第二十四研究所|500106|12|2|ic|西永园区
cqas|重庆市科学技术研究院|500112|12|2|materials manufacturing ai software|本部园区
uestc-cq-micro|电子科技大学重庆微电子产业技术研究院|500106|52|1|ic ai|西永微电园
xidian-cq-ic|西安电子科技大学重庆集成电路创新研究院|500112|52|1|ic|两江园区
cq-math|重庆国家应用数学中心|500106|12|1|ai software|大学城园区
# hospital
cqmu-h1|重庆医科大学附属第一医院|500103|12|3|clinical medtech biotech|袁家岗院区 金山院区
cqmu-h2|重庆医科大学附属第二医院|500103|12|2|clinical medtech|渝中院区 江南院区
cqmu-child|重庆医科大学附属儿童医院|500103|12|2|clinical medtech biotech|渝中院区 礼嘉院区
tmmu-swh|陆军军医大学第一附属医院（西南医院）|500106|12|3|clinical medtech biotech|本部院区
tmmu-xqh|陆军军医大学第二附属医院（新桥医院）|500106|12|2|clinical medtech|本部院区
cqu-cancer|重庆大学附属肿瘤医院|500106|12|2|clinical medtech biotech|本部院区
wchscu|四川大学华西医院|510107|12|3|clinical medtech biotech ai|本部院区 温江院区
# government
cqhtz-stib|重庆高新区科技创新局|500107|11|0|*|科学城政务中心
# agency
cqsc-ipoc|重庆科学城知识产权运营中心|500107|52|3||科技服务大厦|ip finance consulting
cq-ippc|中国（重庆）知识产权保护中心|500112|12|2||两江服务大厅|ip legal
cqstex|重庆科技要素交易中心有限公司|500107|91|3||科技服务大厦|tech_transfer consulting finance
cqsc-ttc|重庆科学城技术转移中心有限公司|500107|91|3||科技服务大厦|tech_transfer consulting
wsc-tic|西部科学城检验检测认证有限公司|500107|91|3||金凤检测基地|testing
cq-yuce|重庆渝测检测技术服务有限公司|500106|91|2||西永检测基地|testing
jinfeng-eval|重庆金凤科技成果评价咨询有限公司|500107|91|2||金凤园区|consulting tech_transfer
cqhtz-guarantee|重庆高新区科技融资担保有限公司|500107|91|1||金凤金融中心|finance
cqsc-vc|重庆科学城科创投资基金管理有限公司|500107|91|1||金凤金融中心|finance
dcg-incubator|重庆大创谷孵化器管理有限公司|500106|91|2||大创谷·梦花园|incubation consulting
cqsc-incubation|重庆科学城创新创业孵化服务中心|500107|52|2||科学谷园区|incubation
wsc-broker-assoc|西部（重庆）科学城技术经纪人协会|500107|51|1||科技服务大厦|tech_transfer consulting
kexin-law|重庆科信律师事务所|500107|31|1||科技服务大厦|legal ip
xiyong-design|重庆西永工业设计有限公司|500106|91|1||西永微电园|design
cy-ttu|川渝技术转移联盟服务中心|500107|52|2||科技服务大厦|tech_transfer consulting
yuxin-ip|重庆渝新知识产权代理事务所（普通合伙）|500106|91|2||大学城|ip
cd-tianfu-ttc|成都天府技术转移服务中心|510104|52|2||锦江园区|tech_transfer consulting
sc-shuchuang-ip|四川蜀创知识产权代理有限公司|510107|91|1||武侯园区|ip
cd-tianfu-tic|成都天府检测认证有限公司|510107|91|1||武侯检测基地|testing
# enterprise
xinlian-micro|重庆芯联微电子科技有限公司|500107|91|2|ic|研发中心
kegu-digital|重庆科谷数智科技有限公司|500107|91|2|ai software|研发中心
jinfeng-bio|重庆金凤生物医药科技有限公司|500107|91|2|biotech medtech|金凤生产基地
kangling-ivd|重庆康岭体外诊断试剂有限公司|500107|91|1|medtech|研发中心
xitan-materials|重庆烯碳新材料科技有限公司|500107|91|2|materials|含谷生产基地
fengqi-equip|重庆凤栖智能装备有限公司|500107|91|2|manufacturing ai|凤栖湖园区
hangu-precision|重庆含谷精密机械制造有限公司|500107|91|1|manufacturing|含谷工厂
bafu-meddevice|重庆巴福医疗器械有限公司|500107|91|1|medtech materials|巴福工厂
huaxi-quantum|重庆华曦量子信息技术有限公司|500107|91|1|quantum ic|研发中心
tianqiong-space|重庆天穹空间技术有限公司|500107|91|1|space materials|研发中心
baishiyi-icv|重庆白市驿智能网联汽车科技有限公司|500107|91|1|nev ai|测试基地
xiyong-package|重庆西永集成电路封测有限公司|500106|91|2|ic|西永工厂
zhongzhiyun-soft|重庆众智云软件科技有限公司|500106|91|1|software ai|研发中心
weina-sensor|重庆微纳传感科技有限公司|500106|91|1|ic manufacturing|研发中心
dxc-photonics|重庆大学城光电技术有限公司|500106|91|1|ic quantum|研发中心
shaci-digimed|重庆沙磁数字医疗科技有限公司|500106|91|1|ai clinical medtech|研发中心
bishan-battery|重庆璧山新能源动力电池有限公司|500120|91|2|nev materials|璧山工厂
biquan-edrive|重庆璧泉电驱动科技有限公司|500120|91|1|nev|璧山工厂
bishan-equip|重庆璧山高端装备制造有限公司|500120|91|1|manufacturing|璧山工厂
bicheng-materials|重庆璧城新材料有限公司|500120|91|1|materials|璧山工厂
bishan-icv-test|重庆璧山智能网联汽车测试有限公司|500120|91|1|nev ai|璧山测试场
liangjiang-robot|重庆两江机器人有限公司|500112|91|1|manufacturing ai|两江工厂
xiantao-data|重庆仙桃数据科技有限公司|500112|91|1|software ai|仙桃数据谷
lijia-auto-elec|重庆礼嘉智联汽车电子有限公司|500112|91|1|nev ic|研发中心
chayuan-pharma|重庆茶园生物制药有限公司|500108|91|1|biotech medtech|茶园生产基地
nanshan-optoelec|重庆南山光电科技有限公司|500108|91|1|ic materials|研发中心
jinyun-agribio|重庆缙云生物农业科技有限公司|500109|91|1|biotech|北碚试验基地
huaxi-newdrug|重庆花溪创新药研发有限公司|500113|91|1|medtech biotech|研发中心
jincheng-compute|成都锦城智算科技有限公司|510104|91|1|ai software|研发中心
tianfu-chipvalley|成都天府芯谷微电子有限公司|510116|91|1|ic|研发中心
wuhou-imaging|成都武侯医学影像科技有限公司|510107|91|1|medtech ai|研发中心
shuangliu-satnav|成都双流卫星导航技术有限公司|510116|91|1|space software|研发中心
"""


def _parse_orgs(table: str) -> tuple[_OrgSpec, ...]:
    specs: list[_OrgSpec] = []
    kind: OrgKind = "other"
    for line in table.strip().splitlines():
        if line.startswith("# "):
            kind = _KINDS[line[2:]]
            continue
        key, name, region, prefix, weight, fields, campuses, *agency_types = line.split("|")
        specs.append(
            _OrgSpec(
                key=key,
                name=name,
                kind=kind,
                region=region,
                uscc_prefix=prefix,
                fields=FIELD_CODES if fields == "*" else tuple(fields.split()),
                weight=float(weight),
                campuses=tuple(campuses.split()),
                agency_types=tuple(agency_types[0].split()) if agency_types else (),
            )
        )
    return tuple(specs)


_KINDS: Final[dict[str, OrgKind]] = {
    "enterprise": "enterprise", "university": "university", "institute": "institute", "hospital": "hospital",
    "agency": "agency", "government": "government", "other": "other",
}  # fmt: skip
_ORG_SPECS: Final[tuple[_OrgSpec, ...]] = _parse_orgs(_ORG_TABLE)

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
_SURNAMES: Final[tuple[tuple[str, str, int], ...]] = tuple(
    (s.split(":")[0], s.split(":")[1], int(s.split(":")[2]))
    for s in _words(
        "王:wang:72 李:li:72 张:zhang:68 刘:liu:55 陈:chen:45 杨:yang:32 黄:huang:24 赵:zhao:22 吴:wu:20 "
        "周:zhou:20 徐:xu:15 孙:sun:15 马:ma:12 朱:zhu:12 胡:hu:12 郭:guo:11 何:he:10 高:gao:10 林:lin:10 "
        "罗:luo:9 郑:zheng:9 梁:liang:8 谢:xie:7 宋:song:7 唐:tang:7 许:xu:6 韩:han:6 冯:feng:6 邓:deng:6 "
        "曹:cao:6 彭:peng:6 曾:zeng:5 肖:xiao:5 田:tian:5 董:dong:5 袁:yuan:5 潘:pan:4 蒋:jiang:4 蔡:cai:4 "
        "余:yu:4 杜:du:4 叶:ye:4 程:cheng:4 苏:su:4 魏:wei:4 吕:lv:4 丁:ding:4 任:ren:4 沈:shen:3 姚:yao:3 "
        "卢:lu:3 姜:jiang:3 崔:cui:3 钟:zhong:3 谭:tan:3 陆:lu:3 汪:wang:3 范:fan:3 金:jin:3 石:shi:3 "
        "廖:liao:3 贾:jia:3 夏:xia:3 付:fu:3 方:fang:3 邹:zou:2 熊:xiong:2 秦:qin:2 邱:qiu:2 江:jiang:2 "
        "雷:lei:2 龙:long:2 陶:tao:2 黎:li:2 向:xiang:2 冉:ran:2 牟:mou:2 刁:diao:1 欧阳:ouyang:1 司马:sima:1"
    )
)
_GIVEN: Final[tuple[tuple[str, str], ...]] = tuple(
    (s.split(":")[0], s.split(":")[1])
    for s in _words(
        "伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong 艳:yan 杰:jie "
        "涛:tao 明:ming 超:chao 秀:xiu 霞:xia 平:ping 刚:gang 文:wen 华:hua 建:jian 国:guo 志:zhi 海:hai "
        "林:lin 波:bo 宇:yu 浩:hao 凯:kai 鹏:peng 晨:chen 欣:xin 怡:yi 婷:ting 雪:xue 琳:lin 颖:ying "
        "晓:xiao 红:hong 玲:ling 斌:bin 辉:hui 峰:feng 俊:jun 健:jian 博:bo 睿:rui 翔:xiang 旭:xu 阳:yang "
        "东:dong 春:chun 永:yong 立:li 新:xin 云:yun 飞:fei 亮:liang 宏:hong 燕:yan 倩:qian 思:si 嘉:jia "
        "子:zi 天:tian 晶:jing 雨:yu 佳:jia 泽:ze 卫:wei 兵:bing 锋:feng 瑞:rui 诚:cheng 铭:ming 昊:hao "
        "彬:bin 蕾:lei 璐:lu 珊:shan 莉:li 荣:rong 成:cheng 德:de 庆:qing 远:yuan 松:song 毅:yi 帆:fan "
        "丹:dan 青:qing 慧:hui 楠:nan 梅:mei 琴:qin 骏:jun 川:chuan 渝:yu 蓉:rong 航:hang 琦:qi 逸:yi"
    )
)
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


# Vocabulary of the eleven key fields (专栏1 of the zone's plan). A "[code]" header starts a field;
# "key: words" lines add space-separated words (base keywords, adjectives, methods, pains, generic metrics,
# testing services); "- phrase|title endings|keywords" starts a topic, followed by its "m:" metrics
# (separated by ";") and "s:" application scenarios. Metric placeholders: {a} 90–99, {b} 15–60, {c} 2–12,
# {d} 100–5000 in hundreds, {e} 1–9, {f} 0–5.
_FIELD_TABLE: Final = """
[ai]
base: 人工智能 AI
adj: 高精度 轻量化 国产化 新一代 低功耗
methods: 深度学习 卷积神经网络(CNN) Transformer 大语言模型(LLM) 强化学习 联邦学习 图神经网络(GNN)
methods: 多模态深度学习 知识蒸馏 自监督学习 小样本学习 人工智能(AI)
pains: 人工目检效率低 样本标注成本高 模型泛化能力不足 算力成本高 误报率高 部署环境受限
metrics: 综合成本降低{b}% 已在{c}家单位部署应用
tests: AI算法模型性能评测 人工智能系统安全评估 大模型生成内容安全评测 机器视觉系统检测精度验证
- 工业视觉缺陷检测|系统,平台,方法|机器视觉,缺陷检测,工业质检,AI质检
  m: 缺陷检出率达到{a}%;漏检率低于0.{e}%;单件检测时间小于{c}0毫秒
  s: 汽车零部件质检 电子制造 锂电池生产 摩托车制造
- 智能语音识别与合成|系统,引擎|语音识别,ASR,语音合成,TTS
  m: 普通话识别准确率达到{a}%;支持重庆话等{c}种方言识别;端到端响应时间小于{e}00毫秒
  s: 智能客服 车载语音交互 智慧政务
- 医学影像辅助诊断|系统,软件|医学影像,辅助诊断,影像AI
  m: 肺结节检出敏感度达到{a}%;医生阅片时间缩短{b}%
  s: 三甲医院 基层医疗机构 体检中心
- 多模态大模型行业知识问答|平台,系统|大模型,LLM,多模态,知识问答
  m: 问答准确率达到{a}%;知识库构建效率提升{c}倍
  s: 智慧政务 金融机构 制造企业知识管理
- 边缘AI推理加速|模组,框架|边缘计算,边缘AI,推理加速,NPU
  m: 推理速度提升{c}倍;整机功耗降低{b}%
  s: 智慧园区 工业互联网 智能安防
- 人脸识别与活体检测|系统,算法|人脸识别,活体检测,计算机视觉
  m: 识别准确率达到99.{e}%;假体攻击拦截率达到{a}%
  s: 智慧园区 金融身份核验 智慧社区
- 自动驾驶多传感器融合感知|系统,算法|自动驾驶,传感器融合,感知算法
  m: 目标检测准确率达到{a}%;感知时延小于{c}0毫秒
  s: 智能网联汽车 自动驾驶测试场 园区无人接驳
- 工业设备预测性维护|平台,系统|预测性维护,故障诊断,PHM
  m: 故障预警准确率达到{a}%;非计划停机减少{b}%
  s: 装备制造 能源电力 轨道交通
- 知识图谱构建与推理|平台,引擎|知识图谱,语义推理,自然语言处理,NLP
  m: 实体抽取准确率达到{a}%;图谱规模达到{d}万节点
  s: 金融风控 科技情报分析 智慧医疗
- 智能客服多轮对话|系统,引擎|对话系统,自然语言处理,NLP
  m: 意图识别准确率达到{a}%;人工坐席工作量减少{b}%
  s: 智能客服 金融机构 政务热线
- 遥感影像智能解译|系统,平台|遥感影像,目标识别,语义分割
  m: 地物分类精度达到{a}%;解译效率提升{c}倍
  s: 自然资源监测 智慧城市 应急管理
- 视频结构化分析|系统,平台|视频分析,目标检测,行为识别
  m: 支持{d}路视频并发;目标检测准确率达到{a}%
  s: 智慧城市 智慧交通 智能安防
- 自主可控深度学习训练框架|,软件|深度学习框架,国产化,自主可控
  m: 训练效率提升{b}%;适配{c}种国产AI芯片
  s: 科研院所 互联网企业 信创
- 人工智能专用芯片编译器|,工具链|AI芯片,编译器,算子优化
  m: 算子性能提升{b}%;支持{d}余个主流算子
  s: AI芯片设计企业 边缘计算设备

[ic]
base: 集成电路 IC 芯片 半导体
adj: 高可靠 国产化 低功耗 高性能 新一代
methods: RISC-V架构 Chiplet(芯粒) 三维异构集成 硅通孔(TSV) 低温共烧陶瓷(LTCC) 宽禁带半导体
methods: 深亚微米工艺 国产EDA
pains: 进口芯片供货周期长 器件可靠性数据缺乏 封装热阻高 国产化替代验证难 良率偏低 测试成本高
metrics: 良率提升至{a}% 测试成本降低{b}%
tests: 碳化硅MOSFET可靠性测试(HTRB/H3TRB) 芯片失效分析(FIB/SEM) 车规级芯片AEC-Q100认证测试
tests: 晶圆级电参数测试 封装热阻测试 ESD静电放电测试
- 碳化硅(SiC)功率器件可靠性测试|技术,系统,方法|碳化硅,SiC,功率器件,可靠性,宽禁带半导体
  m: HTRB试验时长达到{d}小时;测试效率提升{b}%;失效定位准确率达到{a}%
  s: 新能源汽车电驱 光伏逆变器 功率半导体企业
- 碳化硅MOSFET栅氧可靠性|评价技术,测试方法|碳化硅,SiC,MOSFET,栅氧可靠性
  m: 栅氧寿命预测误差小于{c}%;阈值电压漂移降低{b}%
  s: 新能源汽车电驱 充电桩 功率半导体企业
- 氮化镓(GaN)高电子迁移率晶体管|,器件,制备工艺|氮化镓,GaN,HEMT,射频器件
  m: 输出功率密度达到{c}W/mm;漏极效率提升{e}个百分点
  s: 5G通信基站 快充电源 雷达
- 车规级MCU芯片|,设计技术|MCU,车规级,汽车电子,芯片设计
  m: 通过AEC-Q100 Grade 1认证;主频达到{e}00MHz;工作温度覆盖-40℃~125℃
  s: 汽车电子 车身控制 新能源汽车电控
- 高速高精度ADC|芯片,IP核|ADC,模数转换器,模拟集成电路,数模混合
  m: 采样率达到{c}GSPS;功耗降低{b}%
  s: 5G通信基站 仪器仪表 雷达
- 硅基光电子调制器|,制备工艺|硅光,光电子,调制器,光通信
  m: 调制速率达到{c}0Gbps;插入损耗低于{e}dB
  s: 数据中心 光通信
- MEMS惯性传感器|芯片,制造工艺|MEMS,微机电系统,惯性传感器,陀螺仪
  m: 零偏稳定性达到0.{e}°/h;量产良率达到{a}%
  s: 消费电子 无人机 汽车电子
- 晶圆级芯片封装(WLP)|工艺,技术|晶圆级封装,WLP,先进封装
  m: 封装厚度降低{b}%;封装良率达到{a}%
  s: 消费电子 物联网
- 芯片尺寸封装(CSP)|工艺,技术|CSP,先进封装,封装测试
  m: 封装面积缩小{b}%;封装良率达到{a}%
  s: 消费电子 汽车电子
- 5G射频前端模组|,芯片,设计技术|5G,射频前端,功率放大器,滤波器
  m: 模组面积缩小{b}%;插入损耗降低{b}%
  s: 5G通信基站 智能手机
- IGBT功率模块|,封装技术|IGBT,功率模块,功率半导体
  m: 结壳热阻降低{b}%;功率循环寿命提升{c}倍
  s: 新能源汽车电驱 光伏逆变器 工业控制
- 电源管理芯片(PMIC)|,设计技术|电源管理,PMIC,模拟芯片
  m: 转换效率达到{a}%;待机功耗降低{b}%
  s: 消费电子 汽车电子
- 低功耗物联网SoC芯片|,设计方案|SoC,物联网,低功耗,RISC-V
  m: 休眠电流低于{c}μA;电池续航提升{b}%
  s: 物联网 智能家居 智能表计
- 集成电路版图自动化设计|工具,软件|EDA,版图设计,集成电路设计
  m: 版图设计周期缩短{b}%;DRC违例减少{b}%
  s: 芯片设计企业
- 高速PCB信号完整性|分析技术,设计方法|PCB,印刷电路板,信号完整性
  m: 支持{c}Gbps高速信号传输;串扰降低{b}%
  s: 数据中心 通信设备

[software]
base: 软件 信息技术
adj: 国产化 自主可控 云原生 新一代 高可用
methods: 微服务架构 云原生 区块链 大数据 数字孪生 国产化适配 容器化 知识图谱
pains: 系统国产化替代难 数据孤岛严重 工业软件依赖进口 运维成本高 数据安全合规压力大
metrics: 运维成本降低{b}% 已在{c}家单位部署应用
tests: 软件产品登记测试 网络安全等级保护(等保2.0)测评 软件源代码安全审计 信创适配兼容性测试
- 工业互联网平台|,系统|工业互联网,数字孪生,工业APP
  m: 接入设备超过{d}台;设备综合效率提升{b}%
  s: 离散制造企业 装备制造 摩托车制造
- 国产分布式数据库|,引擎,中间件|数据库,分布式,信创
  m: TPC-C性能达到{d}万tpmC;兼容主流国产操作系统与CPU
  s: 金融机构 政务服务 能源电力
- 三维CAD几何建模内核|,软件|CAD,工业软件,几何内核
  m: 支持{d}余种建模操作;模型重建效率提升{b}%
  s: 装备制造 汽车设计
- 区块链电子存证|平台,系统|区块链,电子存证,可信数据
  m: 存证上链时间小于{c}秒;日处理存证{d}万条
  s: 司法存证 知识产权保护 供应链金融
- 车载操作系统|,中间件|汽车软件,操作系统,AUTOSAR
  m: 冷启动时间小于{c}秒;功能安全满足ASIL-B
  s: 乘用车 智能座舱
- 信创办公云桌面|系统,平台|信创,云桌面,国产化
  m: 单服务器承载{d}个桌面;运维成本降低{b}%
  s: 政务服务 国有企业
- 城市数字孪生|平台,系统|数字孪生,CIM,智慧城市
  m: 三维建模精度达到厘米级;支持{d}平方公里场景实时渲染
  s: 智慧城市 城市规划
- 低代码应用开发|平台|低代码,应用开发,SaaS
  m: 应用开发效率提升{c}倍;已服务{d}家企业
  s: 中小企业 政务服务
- 数据安全与隐私计算|平台,系统|隐私计算,数据安全,多方安全计算
  m: 联合建模性能提升{c}倍;原始数据不出域
  s: 金融机构 医疗信息化 政务数据共享
- 有限元数值仿真|软件,求解器|CAE,有限元,数值计算,仿真
  m: 求解速度提升{c}倍;与国外商业软件计算偏差小于{e}%
  s: 装备制造 航空航天 汽车设计
- 智慧园区综合管理|平台,系统|智慧园区,物联网,BIM
  m: 园区能耗降低{b}%;事件响应时间缩短{b}%
  s: 智慧园区 产业园区
- 网络安全态势感知|平台,系统|网络安全,态势感知,威胁检测
  m: 威胁检出率达到{a}%;误报率降低{b}%
  s: 政务服务 金融机构 能源电力

[quantum]
base: 量子信息 量子科技
adj: 小型化 高性能 集成化 实用化
methods: 量子光学 集成光量子芯片 低温电子学 时间数字转换(TDC) 光纤干涉
pains: 通信距离受限 探测效率低 暗计数高 系统体积大 成本高
metrics: 系统体积缩小{b}% 整机成本降低{b}%
tests: 单光子探测器性能测试 量子密钥分发系统安全性评估 低温电学测试
- 量子密钥分发(QKD)|系统,终端|量子密钥分发,QKD,量子通信,量子保密通信
  m: 50公里安全成码率达到{c}kbps;连续稳定运行{d}小时
  s: 政务专网 电力通信 金融数据安全
- 单光子探测器|,模块|单光子探测,SPAD,量子通信
  m: 探测效率达到{b}%;暗计数低于{d}cps;时间抖动小于{c}0ps
  s: 量子通信 激光雷达
- 量子随机数发生器|,芯片|量子随机数,QRNG,量子安全
  m: 随机数生成速率达到{c}Gbps;通过NIST随机性检测
  s: 金融数据安全 密码设备
- 量子关联成像|系统,技术|量子成像,关联成像,量子传感
  m: 成像分辨率提升{b}%;弱光条件下信噪比提升{c}倍
  s: 生物医学成像 遥感探测
- 金刚石NV色心量子精密测量|系统,传感器|NV色心,量子精密测量,量子传感,弱磁测量
  m: 磁场灵敏度达到{c}pT/√Hz;空间分辨率达到{c}0nm
  s: 精密测量 生物医学成像 芯片缺陷检测
- 超导量子比特读出|技术,系统|超导量子,量子比特,量子计算
  m: 单次读出保真度达到{a}%;读出时间小于{e}00ns
  s: 量子计算
- 冷原子干涉重力仪|,系统|冷原子,重力仪,量子测量
  m: 重力测量灵敏度达到{c}μGal/√Hz;连续运行{d}小时
  s: 资源勘探 精密测量
- 量子材料与器件表征成像|系统,平台|量子材料,表征,成像
  m: 温区覆盖{e}K至300K;空间分辨率达到{c}0nm
  s: 量子材料研究 芯片缺陷检测
- 后量子密码(PQC)|算法,芯片|后量子密码,PQC,密码算法
  m: 签名速度提升{c}倍;可抵御量子计算攻击
  s: 金融数据安全 政务专网

[biotech]
base: 生物技术 生物医药 基因
adj: 高效 低成本 规模化 新一代
methods: 合成生物学 基因工程 高通量筛选 单细胞测序 AI辅助蛋白设计 定向进化
pains: 生产成本高 工艺放大难 质量一致性不足 研发周期长 关键原料依赖进口
metrics: 生产成本降低{b}% 生产周期缩短{b}%
tests: 蛋白质药物质量分析(LC-MS) 基因测序服务(NGS) 细胞毒性检测 内毒素检测 菌种鉴定
- CAR-T细胞治疗|技术,制备工艺|CAR-T,细胞治疗,免疫治疗
  m: 细胞扩增倍数达到{d}倍;制备周期缩短至{c}天
  s: 血液肿瘤治疗 细胞治疗企业
- 新型mRNA疫苗|递送技术,制备工艺|mRNA疫苗,脂质纳米粒,LNP,疫苗
  m: 包封率达到{a}%;2–8℃条件下稳定保存{c}个月
  s: 疫苗生产 传染病防控
- 全人源单克隆抗体|,制备技术|单克隆抗体,抗体药物,生物药
  m: 亲和力达到pM级;细胞株表达量达到{e}g/L
  s: 新药研发 生物制药
- CRISPR基因编辑|技术,工具|CRISPR,基因编辑,Cas9
  m: 编辑效率达到{b}%;脱靶率降低{b}%
  s: 精准医学 遗传育种
- 重组蛋白高效表达|技术,工艺|重组蛋白,蛋白表达,生物制药
  m: 表达量提高{c}倍;纯度达到{a}%
  s: 生物制药 诊断试剂原料
- 山地特色植物新品种|选育技术,繁育技术|新品种,遗传育种,山地农业
  m: 亩产提高{b}%;抗病性显著增强
  s: 山地农业 现代农业
- 工业微生物菌种|选育技术,发酵工艺|菌种,合成生物学,发酵
  m: 发酵产率提升{b}%;生产成本降低{b}%
  s: 食品发酵 生物制造
- 家蚕生物反应器|,技术|家蚕,生物反应器,重组蛋白
  m: 重组蛋白产量提高{c}倍;生产成本降低{b}%
  s: 生物制药 诊断试剂原料
- 高通量基因组测序分析|平台,流程|基因组学,NGS,高通量测序,生物信息
  m: 单样本分析时间缩短{b}%;变异检出准确率达到{a}%
  s: 精准医学 遗传病筛查
- 类器官构建与药物筛选|技术,平台|类器官,药物筛选,干细胞
  m: 类器官构建成功率达到8{e}%;药敏预测符合率达到8{e}%
  s: 新药研发 精准医学
- 人源化小鼠模型|构建技术,平台|动物模型,人源化小鼠,模式动物
  m: 人源免疫细胞重建率达到{b}%;模型构建周期缩短{b}%
  s: 新药研发 药效评价

[clinical]
base: 临床医学 医疗健康
adj: 智能化 精准 新型
methods: 人工智能 真实世界研究 多组学 可穿戴监测 5G远程 医疗大数据
pains: 早期诊断率低 基层诊疗能力不足 随访依从性差 救治时效性不足 并发症发生率高
metrics: 已纳入{d}例临床病例 在{c}家医院开展多中心验证
tests: 临床试验CRO服务 真实世界数据分析 医疗AI产品临床评价
- 战创伤急救止血|技术,材料,装置|战创伤,止血,急救
  m: 止血时间缩短至{c}0秒;出血量减少{b}%
  s: 战创伤救治 院前急救
- 心血管疾病风险预测|模型,系统|心血管,风险预测,临床决策支持
  m: 预测AUC达到0.8{e};覆盖{d}例队列人群
  s: 三甲医院 社区卫生服务
- 肿瘤早期筛查|技术,方案|肿瘤,早筛,液体活检
  m: 早期肿瘤检出灵敏度达到8{e}%;特异性达到{a}%
  s: 体检中心 三甲医院
- 儿童哮喘智能随访管理|系统,平台|儿童医学,哮喘,慢病管理
  m: 随访依从性提升{b}%;急性发作次数减少{b}%
  s: 儿童医院 基层医疗机构
- 脓毒症早期预警|系统,模型|脓毒症,感染,重症医学
  m: 平均提前{c}小时预警;预警灵敏度达到8{e}%
  s: 重症医学科 急诊科
- 烧伤创面修复|技术,敷料|烧伤,创面修复,再生医学
  m: 创面愈合时间缩短{b}%;瘢痕增生减少{b}%
  s: 烧伤科 战创伤救治
- 肝癌微创介入治疗|技术,方案|肝癌,介入治疗,微创
  m: 客观缓解率提升{b}%;平均住院时间缩短{b}%
  s: 三甲医院 肿瘤专科医院
- 远程康复训练|系统,平台|康复,远程医疗,康复训练
  m: 康复评估效率提升{c}倍;已服务{d}例患者
  s: 康复机构 社区卫生服务
- 超声分子影像诊断|技术|超声分子影像,超声造影,影像诊断
  m: 微小病灶检出率提升{b}%;造影剂靶向结合效率提升{c}倍
  s: 三甲医院 肿瘤专科医院
- 抑郁症数字疗法|系统,软件|数字疗法,抑郁症,精神心理
  m: 抑郁量表评分改善{b}%;已纳入{d}例患者
  s: 精神专科医院 社区卫生服务

[medtech]
base: 医疗器械 创新药 高端医疗装备
adj: 国产化 低成本 新一代 新型
methods: 微流控 磁微粒化学发光 量子点荧光 等温扩增 3D打印 纳米酶
pains: 进口产品价格高 国产化率低 临床验证周期长 注册检验周期长 关键原料依赖进口
metrics: 成本较进口产品降低{b}% 已完成{d}例临床样本验证
tests: 医疗器械生物相容性评价 IVD试剂注册检验 医疗器械EMC电磁兼容测试 药物杂质分析
- 体外诊断(IVD)化学发光检测试剂盒|,及配套仪器|体外诊断,IVD,化学发光,试剂盒,免疫诊断
  m: 检测灵敏度达到{c}pg/mL;与进口试剂符合率达到{a}%
  s: 医院检验科 第三方医学检验
- 即时检验(POCT)荧光免疫分析仪|,系统|POCT,即时检验,荧光免疫
  m: 检测时间缩短至{c}分钟;批内变异系数小于{e}%
  s: 基层医疗机构 急诊 胸痛中心
- 呼吸道病原体多重核酸检测试剂盒|,技术|分子诊断,核酸检测,PCR
  m: 单管检测{c}种病原体;检测时间小于{e}0分钟
  s: 医院检验科 疾控中心
- 全自动生化分析仪|,关键技术|生化诊断,生化分析仪
  m: 检测速度达到{d}测试/小时;试剂消耗降低{b}%
  s: 医院检验科 第三方医学检验
- 可降解镁合金骨科内固定器械|,制备技术|骨科耗材,镁合金,可降解
  m: 体内完全降解周期{c}个月;抗弯强度提升{b}%
  s: 骨科临床
- 颅内取栓支架|,设计技术|神经介入,取栓支架,介入耗材
  m: 首次取栓再通率达到8{e}%;手术时间缩短{b}%
  s: 神经介入 卒中中心
- 人工膝关节假体|,设计技术|关节,骨科植入物,3D打印
  m: 假体磨损率降低{b}%;术后关节活动度提升{b}%
  s: 骨科临床
- 抗肿瘤小分子靶向药|候选化合物,制备工艺|抗肿瘤药,靶向药,创新药
  m: 细胞水平IC50达到{c}nM;动物模型抑瘤率达到7{e}%
  s: 创新药企业 肿瘤专科医院
- 新型抗耐药菌抗感染药物|候选化合物,技术|抗感染,耐药菌,抗生素
  m: 对MRSA的MIC值低于{e}μg/mL;感染模型动物存活率提升{b}%
  s: 创新药企业 感染科
- 高场磁共振射频线圈|,设计技术|磁共振,MRI,射频线圈,医学影像设备
  m: 图像信噪比提升{b}%;成像时间缩短{b}%
  s: 医学影像设备企业 三甲医院
- 血液透析器|,膜材料|血液净化,透析,生物医用材料
  m: 尿素清除率达到{a}%;β2微球蛋白清除率提升{b}%
  s: 血液透析中心
- 手术机器人力反馈|系统,技术|手术机器人,力反馈,医疗机器人
  m: 力反馈精度达到0.{e}N;末端定位精度达到0.{e}mm
  s: 三甲医院 医疗器械企业

[materials]
base: 新材料 材料
adj: 高性能 低成本 绿色 规模化
methods: 化学气相沉积(CVD) 溶胶-凝胶法 原子层沉积(ALD) 放电等离子烧结 静电纺丝 高通量计算
pains: 进口依赖度高 批次稳定性差 制备成本高 性能一致性不足 量产工艺不成熟
metrics: 成本降低{b}% 批次一致性提升{b}%
tests: 石墨烯膜导热系数测试 锂电正极材料成分与结构表征(XRD/SEM) 材料力学性能测试
tests: 材料热分析(TGA/DSC) 比表面积及孔径分析(BET)
- 石墨烯导热膜|,制备技术,量产工艺|石墨烯,导热膜,散热材料
  m: 面内导热系数达到1{e}00W/(m·K);膜厚可控在{c}0μm以内
  s: 消费电子散热 5G通信基站
- 锂离子电池高镍正极材料|,制备技术|锂电,锂离子电池,高镍正极,三元材料
  m: 放电比容量达到20{e}mAh/g;循环{d}次容量保持率大于8{e}%
  s: 动力电池 储能电站
- 高性能镁合金|,制备技术|镁合金,轻金属,轻量化
  m: 抗拉强度达到3{e}0MPa;零部件减重{b}%
  s: 轻量化汽车 航空航天 3C电子
- ArF光刻胶|,配方技术|光刻胶,半导体材料,ArF
  m: 分辨率达到{e}0nm;金属杂质含量低于{e}ppb
  s: 半导体制造
- 金属有机骨架材料(MOFs)|,合成技术|MOFs,金属有机骨架,吸附材料
  m: 比表面积达到{d}m²/g;CO2吸附量提升{b}%
  s: 气体分离 储能
- 3D打印钛合金粉末|,制备技术|3D打印,增材制造,钛合金粉末
  m: 粉末球形度达到{a}%;氧含量低于0.1{e}%
  s: 航空航天 医疗器械
- 碳纤维复合材料|构件,成型工艺|碳纤维,复合材料,轻量化
  m: 构件减重{b}%;成型周期缩短{b}%
  s: 轻量化汽车 航空航天
- 血液净化吸附材料|,制备技术|血液净化,生物医用材料,吸附树脂
  m: 胆红素吸附率达到{b}%;血液相容性满足GB/T 16886要求
  s: 血液透析中心 医疗器械
- 生物可降解高分子材料|,制备技术|可降解,生物材料,聚乳酸,PLA
  m: {c}个月内降解率达到{a}%;拉伸强度提升{b}%
  s: 医疗器械 绿色包装
- 高纯溅射靶材|,制备技术|靶材,溅射,半导体材料
  m: 纯度达到99.99{e}%;平均晶粒尺寸小于{c}0μm
  s: 半导体制造 平板显示
- 硫化物固态电解质|,制备技术|固态电池,固态电解质,硫化物
  m: 室温离子电导率达到{c}mS/cm;空气稳定性提升{c}倍
  s: 动力电池 储能电站
- 钙钛矿太阳能电池|,制备工艺|钙钛矿,光伏,太阳能电池
  m: 光电转换效率达到2{f}%;{d}小时老化后效率保持{a}%
  s: 光伏 建筑光伏一体化
- 玄武岩纤维|,生产工艺|玄武岩纤维,复合材料
  m: 拉伸强度提升{b}%;生产能耗降低{b}%
  s: 交通基础设施 复合材料

[nev]
base: 新能源汽车 智能网联汽车 汽车
adj: 高可靠 低成本 高安全 新一代 智能化
methods: 多传感器融合 模型预测控制(MPC) 数字孪生 深度强化学习 域控制器架构 车路云一体化
pains: 复杂环境感知可靠性不足 电池安全风险 冬季续航衰减 电驱系统功率密度低 测试验证周期长
metrics: 已完成{d}公里道路测试 成本降低{b}%
tests: 动力电池热失控测试 整车EMC电磁兼容测试 ADAS场景仿真测试 电机台架性能测试
tests: 电池包振动与挤压测试
- 智能网联汽车高级驾驶辅助系统(ADAS)|,关键技术|ADAS,高级驾驶辅助,智能网联汽车,自动驾驶
  m: 目标检测准确率达到{a}%;AEB误触发率降低{b}%
  s: 乘用车 商用车
- 车路协同(V2X)通信|系统,终端|V2X,车路协同,C-V2X,智能网联
  m: 端到端通信时延小于{c}毫秒;通信距离达到{e}00米
  s: 智能网联示范区 城市道路
- 动力电池热失控预警|技术,系统|热失控,动力电池,电池安全,BMS
  m: 热失控预警提前{c}分钟;误报率低于{e}%
  s: 动力电池企业 储能电站
- 电池管理系统(BMS)|,算法|BMS,电池管理,SOC估计
  m: SOC估计误差小于{e}%;均衡效率提升{b}%
  s: 乘用车 储能电站
- 水冷直驱永磁电机|,设计技术|永磁电机,驱动电机,电驱动
  m: 峰值效率达到9{e}%;功率密度提升{b}%
  s: 乘用车 商用车
- 扁导线定子|制造工艺,技术|扁线电机,定子,电驱动
  m: 槽满率达到7{e}%;铜损降低{b}%
  s: 汽车零部件企业
- 高功率密度电机控制器|,技术|电机控制器,碳化硅,功率密度
  m: 功率密度达到{c}kW/L;最高效率达到9{e}%
  s: 乘用车
- 氢燃料电池电堆|,技术|氢能,燃料电池,电堆
  m: 体积功率密度达到{e}kW/L;寿命超过{d}小时
  s: 商用车 氢能示范
- 高精度地图众包更新|系统,平台|高精度地图,众包,定位
  m: 地图更新时效缩短至{c}小时;车道级定位精度达到{c}厘米
  s: 自动驾驶 智能网联示范区
- 4D毫米波雷达|,算法|毫米波雷达,4D雷达,车载传感器
  m: 探测距离达到{c}0米;水平角分辨率达到{e}°
  s: 乘用车 智能网联示范区
- 车载激光雷达点云感知|算法,系统|激光雷达,LiDAR,点云
  m: 目标检测准确率达到{a}%;点云处理时延小于{c}0毫秒
  s: 自动驾驶测试场 乘用车
- 整车热管理|系统,技术|热管理,热泵,新能源汽车
  m: 冬季续航提升{b}%;空调能耗降低{b}%
  s: 乘用车 商用车
- 自动泊车(APA)|系统|自动泊车,APA,泊车辅助
  m: 泊车成功率达到{a}%;泊车时间缩短{b}%
  s: 乘用车

[manufacturing]
base: 智能制造 机器人
adj: 高精度 智能化 柔性 国产化 低成本
methods: 数字孪生 边缘计算 工业互联网 机器视觉 自适应控制 多机器人协同
pains: 人工成本高 加工精度不足 设备互联程度低 生产柔性差 关键部件依赖进口
metrics: 生产效率提升{b}% 不良率降低{b}%
tests: 机器人功能安全评估 三坐标精密测量 3D打印零件CT无损检测 机械振动与疲劳测试
- 智能医疗机器人|,系统|医疗机器人,手术机器人,机器人
  m: 定位精度达到0.{e}mm;手术时间缩短{b}%
  s: 三甲医院 康复机构
- 协作机器人力控打磨|系统,工艺|协作机器人,打磨,力控
  m: 打磨效率提升{b}%;力控精度达到±{e}N
  s: 摩托车制造 汽车制造 卫浴五金
- 金属增材制造(3D打印)|工艺,装备|增材制造,3D打印,SLM
  m: 成形件致密度达到99.{e}%;成形效率提升{b}%
  s: 航空航天 模具制造 医疗器械
- 5G工业模组|,技术|5G模组,工业互联网,无线通信
  m: 端到端时延小于{c}毫秒;连接可靠性达到99.9{e}%
  s: 工业互联网 智能工厂
- 嵌入式智能传感器|,模块|智能传感器,嵌入式,边缘计算
  m: 测量精度达到0.{e}%FS;功耗降低{b}%
  s: 装备制造 工业互联网
- 数控机床纳米时栅位移测量|技术,传感器|时栅,位移测量,数控机床,精密测量
  m: 测量精度达到±{c}0nm;分辨率达到{e}nm
  s: 数控机床 精密加工
- 离散制造MES|系统,软件|MES,制造执行系统,智能工厂
  m: 生产效率提升{b}%;在制品库存降低{b}%
  s: 汽车制造 电子装配
- AGV集群调度|系统,算法|AGV,移动机器人,智能物流
  m: 支持{d}台AGV协同调度;物流效率提升{b}%
  s: 仓储物流 汽车制造
- 机器视觉引导装配|系统|机器视觉,视觉引导,自动装配
  m: 装配精度达到±0.0{e}mm;生产节拍提升{b}%
  s: 电子装配 汽车制造
- 齿轮传动系统故障诊断|技术,系统|齿轮传动,故障诊断,机械传动
  m: 故障识别准确率达到{a}%;提前{c}天预警
  s: 风电 装备制造 轨道交通
- 激光焊接智能工艺|系统,工艺|激光焊接,焊接工艺,智能制造
  m: 焊缝合格率达到{a}%;焊接效率提升{b}%
  s: 动力电池 汽车制造
- 工业机器人精密减速器|,设计技术|减速器,RV减速器,谐波减速器,工业机器人
  m: 传动精度达到{e}弧分;额定寿命超过{d}小时
  s: 工业机器人 装备制造

[space]
base: 深空探测 航天
adj: 轻量化 高可靠 小型化 低成本
methods: 多体动力学 自主导航 轻量化设计 在轨智能处理 半物理仿真 北斗三号
pains: 载荷质量受限 地面验证手段不足 在轨可靠性要求高 星上算力有限 研制周期长
metrics: 完成{d}小时地面试验 研制成本降低{b}%
tests: 卫星部件热真空试验 振动冲击环境试验 北斗导航终端性能检测 空间辐照试验
- 深空探测器轨道设计|技术,软件|深空探测,轨道设计,探测器
  m: 燃料消耗降低{b}%;轨道设计周期缩短{b}%
  s: 深空探测任务 商业航天
- 小卫星姿态控制|系统,技术|小卫星,姿态控制,卫星
  m: 指向精度达到0.0{e}°;整机质量降低{b}%
  s: 商业航天 卫星互联网
- 星载激光通信终端|,技术|激光通信,星间链路,卫星通信
  m: 通信速率达到{c}Gbps;终端质量小于{c}kg
  s: 卫星互联网 星间链路
- 月壤资源原位利用|技术|深空资源利用,月壤,原位利用
  m: 模拟月壤烧结体强度达到{c}MPa;氧提取率提升{b}%
  s: 深空探测任务
- 飞行器综合设计与验证|平台,技术|飞行器设计,仿真验证,航天器
  m: 设计迭代周期缩短{b}%;仿真置信度提升{b}%
  s: 商业航天 飞行器研制
- 空间机械臂|系统,技术|空间机械臂,在轨服务
  m: 末端定位精度达到{e}mm;负载自重比提升{b}%
  s: 在轨服务 空间站
- 低重力环境模拟|装置,技术|低重力,环境模拟,地面试验
  m: 模拟重力范围覆盖1/6g至1g;单次试验时长达到{c}0分钟
  s: 深空探测任务 地面试验
- 北斗高精度定位|终端,模块|北斗,高精度定位,GNSS,PNT
  m: 定位精度达到{c}厘米;首次定位时间小于{c}秒
  s: 导航定位 智能网联汽车 测绘
- 卫星遥感数据处理|平台,软件|卫星遥感,数据处理,对地观测
  m: 数据处理效率提升{c}倍;地物分类精度达到{a}%
  s: 对地观测 自然资源监测
- 航天器热控|技术,材料|热控,航天器,热管
  m: 控温精度达到±{e}℃;热控组件质量降低{b}%
  s: 商业航天 卫星研制
"""


def _parse_fields(table: str) -> dict[str, _FieldVocab]:
    vocabs: dict[str, _FieldVocab] = {}
    for section in table.strip().split("\n["):
        header, _, body = section.lstrip("[").partition("\n")
        code = header.rstrip("]")
        words: dict[str, list[str]] = {}
        topics: list[_Topic] = []
        for raw in body.splitlines():
            line = raw.strip()
            if line.startswith("- "):
                phrase, outputs, keywords = line[2:].split("|")
                topics.append(_Topic(phrase, tuple(outputs.split(",")), tuple(keywords.split(",")), (), ()))
            elif line.startswith("m: "):
                topics[-1] = replace(topics[-1], metrics=tuple(line[3:].split(";")))
            elif line.startswith("s: "):
                topics[-1] = replace(topics[-1], scenarios=tuple(line[3:].split()))
            elif line:
                key, _, values = line.partition(": ")
                words.setdefault(key, []).extend(values.split())
        vocabs[code] = _FieldVocab(
            code=code,
            base_keywords=tuple(words["base"]),
            adjectives=tuple(words["adj"]),
            topics=tuple(topics),
            methods=tuple(_Method(m, _split_abbrev(m)) for m in words["methods"]),
            pains=tuple(words["pains"]),
            metrics=tuple(words["metrics"]),
            tests=tuple(words["tests"]),
        )
    return vocabs


_VOCABS: Final[dict[str, _FieldVocab]] = _parse_fields(_FIELD_TABLE)

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


# Real instrument models, one block each: category|name|model|manufacturer|value 万元|fee unit and 元|weight,
# then fields, search aliases, key specifications and typical uses. Category codes follow the national
# large-instrument classification as in reference.INSTRUMENT_CATEGORIES (0101 电子光学, 0106 波谱 …).
_INSTRUMENT_TABLE: Final = """
0101|场发射扫描电子显微镜|Sigma 300|卡尔蔡司(ZEISS)|300-450|hour 300-500|4
materials ic nev biotech
SEM 扫描电镜 场发射扫描电镜 FESEM
分辨率0.8 nm@15 kV，1.6 nm@1 kV；配备牛津仪器X射线能谱仪(EDS)
微观形貌观察、断口分析、元素面分布

0101|场发射扫描电子显微镜|GeminiSEM 500|卡尔蔡司(ZEISS)|400-600|hour 400-600|2
materials ic
SEM 扫描电镜 场发射扫描电镜 FESEM
分辨率0.5 nm@15 kV，镜筒内探测器，支持低电压成像
纳米材料形貌表征、半导体器件截面观察

0101|冷场发射扫描电子显微镜|SU8010|日立(Hitachi)|300-500|hour 300-500|3
materials ic biotech
SEM 扫描电镜 冷场电镜
二次电子分辨率1.0 nm@15 kV，加速电压0.1–30 kV
粉体与薄膜形貌、生物样品超微结构观察

0101|场发射扫描电子显微镜|Apreo 2|赛默飞(Thermo Fisher Scientific)|400-600|hour 350-600|2
materials ic nev
SEM 扫描电镜 FESEM
分辨率0.9 nm@1 kV，配备EBSD与EDS
晶粒取向分析、电池材料形貌与成分表征

0101|场发射透射电子显微镜|JEM-2100F|日本电子(JEOL)|800-1200|hour 600-1000|2
materials ic biotech
TEM 透射电镜 HRTEM
点分辨率0.23 nm，加速电压200 kV，配备STEM与EDS
晶格像观察、纳米颗粒结构与成分分析

0101|场发射透射电子显微镜|Talos F200X|赛默飞(Thermo Fisher Scientific)|1200-1800|hour 800-1500|1
materials ic quantum
TEM 透射电镜 球差电镜 STEM
STEM分辨率0.16 nm，Super-X四探头能谱
原子尺度结构与元素分布分析

0101|双束聚焦离子束扫描电子显微镜|Helios 5 UX|赛默飞(Thermo Fisher Scientific)|1500-2500|hour 1000-1800|1
ic materials
FIB-SEM 聚焦离子束 双束电镜 FIB
离子束分辨率2.5 nm，电子束分辨率0.6 nm
芯片失效分析、TEM样品制备、三维重构

0102|三重四极杆液相色谱-质谱联用仪|6470|安捷伦科技(Agilent)|200-350|sample 300-800|2
biotech medtech clinical
LC-MS/MS 液质联用 三重四极杆 质谱
质量范围5–3000 m/z，MRM通道切换≤1 ms
药物代谢动力学、痕量残留定量分析

0102|高分辨液相色谱-质谱联用仪|Q Exactive Plus|赛默飞(Thermo Fisher Scientific)|350-500|sample 500-1200|2
biotech medtech
LC-MS 液质联用 Orbitrap 高分辨质谱
分辨率140,000 FWHM，质量精度<3 ppm
蛋白质组学、代谢组学、未知物鉴定

0102|电感耦合等离子体质谱仪|7900|安捷伦科技(Agilent)|150-250|sample 100-300|2
materials biotech medtech
ICP-MS 等离子体质谱 痕量元素
检出限达ppt级，动态范围11个数量级
痕量与超痕量元素分析、高纯材料杂质检测

0102|气相色谱-质谱联用仪|8890-5977B|安捷伦科技(Agilent)|80-150|sample 200-500|2
biotech materials medtech
GC-MS 气质联用 质谱
质量范围1.6–1050 u，EI/CI离子源
挥发性有机物、香精香料与残留溶剂分析

0103|X射线衍射仪|D8 Advance|布鲁克(Bruker)|150-300|sample 100-300|3
materials nev ic
XRD X射线衍射 粉末衍射
测角仪精度0.0001°，LYNXEYE XE-T阵列探测器
物相定性定量、晶胞参数、残余应力分析

0103|智能型X射线衍射仪|SmartLab|理学(Rigaku)|200-350|sample 150-350|2
materials ic
XRD X射线衍射 薄膜衍射
9 kW转靶光源，支持薄膜掠入射与反射率测试
薄膜结构、织构与小角散射分析

0103|X射线光电子能谱仪|ESCALAB 250Xi|赛默飞(Thermo Fisher Scientific)|400-600|sample 400-800|2
materials ic nev
XPS 光电子能谱 表面分析
单色化Al Kα源，能量分辨率≤0.45 eV，配备Ar离子枪深度剖析
表面元素组成与化学态分析

0103|X射线三维显微镜|Xradia 620 Versa|卡尔蔡司(ZEISS)|600-900|hour 500-900|1
materials nev biotech
XRM X射线显微镜 微纳CT
空间分辨率0.5 μm，大工作距离高分辨成像
电池内部结构、复合材料缺陷三维无损表征

0104|显微共聚焦拉曼光谱仪|LabRAM HR Evolution|堀场(HORIBA)|150-250|hour 150-300|2
materials biotech ic
拉曼 Raman 拉曼光谱
光谱分辨率≤0.35 cm⁻¹，532/633/785 nm激光器
石墨烯层数鉴定、应力分析、分子结构表征

0104|傅里叶变换红外光谱仪|Nicolet iS50|赛默飞(Thermo Fisher Scientific)|60-120|sample 50-150|2
materials biotech medtech
FTIR 红外光谱 傅里叶红外
光谱范围7800–350 cm⁻¹，配备ATR附件
有机官能团鉴定、高分子材料分析

0104|紫外-可见-近红外分光光度计|Lambda 1050+|珀金埃尔默(PerkinElmer)|60-100|sample 50-150|1
materials quantum
UV-Vis-NIR 紫外可见 分光光度计
波长范围175–3300 nm，积分球附件
光学薄膜透反射率与带隙测试

0104|稳态瞬态荧光光谱仪|FLS1000|爱丁堡仪器(Edinburgh Instruments)|120-200|sample 150-300|1
materials quantum biotech
荧光光谱 荧光寿命 PL
时间分辨25 ps，波长范围200–1700 nm
荧光量子产率、荧光寿命测试

0105|气相色谱仪|8890|安捷伦科技(Agilent)|50-80|sample 100-200|2
materials biotech
GC 气相色谱
电子压力控制精度0.001 psi，FID/TCD检测器
气体与挥发性组分定量分析

0105|超高效液相色谱仪|ACQUITY UPLC H-Class|沃特世(Waters)|60-90|sample 100-300|2
biotech medtech
UPLC HPLC 液相色谱
耐压15000 psi，PDA检测器
药物含量与有关物质检测

0105|高温凝胶渗透色谱仪|PL-GPC 220|安捷伦科技(Agilent)|80-150|sample 200-500|1
materials
GPC 凝胶渗透色谱 分子量
柱温最高220 ℃，示差折光与黏度检测器
聚合物分子量及分布测定

0106|核磁共振波谱仪|AVANCE NEO 600|布鲁克(Bruker)|800-1200|sample 150-400|2
biotech medtech materials
NMR 核磁共振 核磁 600M
600 MHz，超低温探头，支持1H/13C/15N多核与二维谱
有机结构解析、蛋白质结构与代谢组学研究

0106|核磁共振波谱仪|AVANCE NEO 400|布鲁克(Bruker)|400-600|sample 80-200|2
biotech medtech materials
NMR 核磁共振 核磁 400M
400 MHz，BBO宽带探头，自动进样器
有机化合物常规结构鉴定

0106|电子顺磁共振波谱仪|EMXplus|布鲁克(Bruker)|300-450|sample 200-500|1
materials quantum biotech
EPR ESR 电子顺磁共振 电子自旋共振
X波段，灵敏度1.2×10⁹ spins/G，变温4–300 K
自由基、缺陷与金属离子价态研究

0107|多通道电化学工作站|VMP-300|比奥罗杰(BioLogic)|50-90|hour 80-150|2
nev materials
电化学工作站 EIS 电池测试
16通道，电流分辨率760 fA，阻抗频率10 μHz–7 MHz
电池材料循环伏安、交流阻抗测试

0108|激光扫描共聚焦显微镜|TCS SP8|徕卡(Leica)|300-500|hour 200-400|3
biotech clinical medtech
共聚焦 Confocal 激光共聚焦
光谱检测范围400–800 nm，HyD高灵敏检测器
细胞与组织荧光成像、活细胞动态观察

0108|激光扫描共聚焦显微镜|LSM 980|卡尔蔡司(ZEISS)|400-700|hour 250-450|2
biotech clinical
共聚焦 Confocal 激光共聚焦 超分辨
Airyscan 2超分辨模块，分辨率120 nm
亚细胞结构超分辨成像

0108|原子力显微镜|Dimension Icon|布鲁克(Bruker)|300-450|hour 300-500|2
materials ic quantum
AFM 原子力 扫描探针
噪声水平<30 pm，PeakForce Tapping成像模式
表面粗糙度、纳米力学与电学性能测试

0108|高内涵成像分析系统|Opera Phenix Plus|珀金埃尔默(Revvity)|400-600|hour 300-600|1
biotech medtech
高内涵 HCS 细胞成像
转盘共聚焦，4路sCMOS相机同步成像
药物筛选、类器官表型分析

0109|热重分析仪|TGA 55|TA仪器(TA Instruments)|50-80|sample 100-200|2
materials nev
TGA 热重 热分析
温度范围室温–1000 ℃，天平灵敏度0.1 μg
材料热稳定性与组分分析

0109|同步热分析仪|STA 449 F3 Jupiter|耐驰(NETZSCH)|60-100|sample 150-300|2
materials nev
TG-DSC 同步热分析 STA 热分析
温度范围-150–1550 ℃，TG与DSC同步测量
相变、比热容与热分解行为分析

0109|差示扫描量热仪|DSC 2500|TA仪器(TA Instruments)|50-80|sample 100-200|1
materials medtech
DSC 差示扫描量热 热分析
温度范围-180–725 ℃，基线漂移<10 μW
玻璃化转变、熔融与结晶分析

0110|流式细胞仪|FACSCanto II|碧迪(BD)|150-250|sample 50-150|3
biotech clinical medtech
流式 FACS 流式细胞
3激光8色，每秒获取10,000个细胞事件
免疫细胞分型、细胞周期与凋亡检测

0110|流式细胞分选仪|FACSAria III|碧迪(BD)|400-600|hour 400-800|1
biotech clinical
流式分选 FACS 细胞分选
4激光，分选纯度>98%，支持单细胞分选
干细胞与免疫细胞分选

0110|高通量基因测序仪|NovaSeq 6000|因美纳(Illumina)|800-1200|sample 1500-3500|1
biotech clinical medtech
NGS 测序仪 二代测序 高通量测序
单次运行最高产出6 Tb，PE150读长
全基因组、转录组与单细胞测序

0110|实时荧光定量PCR仪|QuantStudio 7 Pro|赛默飞(Thermo Fisher Scientific)|50-70|sample 30-80|2
biotech medtech clinical
qPCR 荧光定量PCR PCR
384孔板，6色荧光通道
基因表达定量、病原体核酸检测

0110|超速离心机|Optima XPN-100|贝克曼库尔特(Beckman Coulter)|60-100|hour 100-200|1
biotech
超离 超速离心
最高转速100,000 rpm，最大离心力802,000 ×g
外泌体、病毒与亚细胞组分分离

0112|冷冻超薄切片机|EM UC7/FC7|徕卡(Leica)|80-120|sample 200-400|1
biotech materials
超薄切片 冷冻切片
切片厚度1 nm–15 μm，冷冻温度-185 ℃
透射电镜生物与高分子样品制备

0201|电子万能材料试验机|5985|英斯特朗(Instron)|150-250|sample 100-300|3
materials manufacturing nev space
万能试验机 拉伸试验 力学性能
最大载荷250 kN，载荷精度±0.5%，配高低温箱
拉伸、压缩、弯曲等力学性能测试

0201|电液伺服疲劳试验机|8801|英斯特朗(Instron)|150-250|hour 150-300|1
materials manufacturing nev
疲劳试验 疲劳试验机
动态载荷±100 kN，频率0.01–100 Hz
金属与复合材料疲劳寿命测试

0201|纳米压痕仪|Hysitron TI 980|布鲁克(Bruker)|300-500|sample 300-600|1
materials ic
纳米压痕 纳米力学
载荷分辨率<1 nN，位移分辨率<0.02 nm
薄膜硬度与弹性模量测试

0204|扫描式激光多普勒测振仪|PSV-500|宝利泰(Polytec)|150-250|hour 200-400|1
manufacturing nev space
激光测振 振动测试 模态分析
频率范围0–25 MHz，非接触全场扫描
结构模态与振动特性测试

0205|比表面积及孔径分析仪|ASAP 2460|麦克默瑞提克(Micromeritics)|60-100|sample 150-400|2
materials nev
BET 比表面积 孔径分析 物理吸附
比表面积≥0.0005 m²/g，孔径范围0.35–500 nm
催化剂、电池材料与MOFs孔结构分析

0205|激光粒度分析仪|Mastersizer 3000|马尔文帕纳科(Malvern Panalytical)|50-80|sample 80-200|2
materials nev medtech
粒度 激光粒度 粒径分布
粒径范围0.01–3500 μm，干湿法进样
粉体粒径分布测试

0301|三坐标测量机|CONTURA G2|卡尔蔡司(ZEISS)|80-150|hour 200-400|2
manufacturing nev space
三坐标 CMM 精密测量
示值误差MPE_E=1.8+L/300 μm，VAST XT扫描测头
零部件几何尺寸与形位公差检测

0401|半导体参数分析仪|B1500A|是德科技(Keysight)|150-300|hour 200-400|2
ic materials quantum
半导体参数 I-V C-V 器件测试
电流分辨率0.1 fA，支持I-V、C-V与脉冲I-V
晶体管与功率器件电学特性测试

0402|矢量网络分析仪|N5227B|是德科技(Keysight)|200-400|hour 300-600|2
ic quantum space
VNA 网分 矢网 网络分析仪
频率范围10 MHz–67 GHz，动态范围>110 dB
射频器件S参数与天线性能测试

0402|信号与频谱分析仪|N9040B UXA|是德科技(Keysight)|150-250|hour 200-400|1
ic space nev
频谱仪 信号分析 频谱分析
频率范围2 Hz–50 GHz，分析带宽1 GHz
5G与雷达信号分析、EMI预测试

0405|半导体自动测试系统|V93000|爱德万测试(Advantest)|1000-2000|hour 800-1500|1
ic
ATE 芯片测试 测试机
数字通道速率最高16 Gbps，支持SoC与混合信号测试
芯片量产测试程序开发与验证

0405|半自动探针台|CM300xi|FormFactor|150-250|hour 200-400|1
ic quantum
探针台 晶圆测试 CP测试
支持300 mm晶圆，温控-60–300 ℃
晶圆级器件电学与可靠性测试

0901|全自动电化学发光免疫分析仪|cobas e 801|罗氏诊断(Roche Diagnostics)|200-350|sample 50-150|1
medtech clinical
化学发光 免疫分析 IVD
检测速度300测试/小时，检测项目200余项
肿瘤标志物、激素与传染病指标检测

0901|全自动生化分析仪|AU5800|贝克曼库尔特(Beckman Coulter)|200-300|sample 30-100|1
medtech clinical
生化分析仪 生化检测
恒速2000测试/小时，试剂位54个
临床生化指标检测与试剂性能评价

0902|3.0T磁共振成像系统|MAGNETOM Prisma|西门子医疗(Siemens Healthineers)|1500-2500|hour 1500-3000|1
clinical medtech biotech
MRI 磁共振 3.0T 磁共振成像
梯度场强80 mT/m，切换率200 T/m/s
脑功能成像与科研扫描

0902|小动物活体成像系统|IVIS Spectrum|珀金埃尔默(Revvity)|200-350|hour 200-400|1
biotech medtech clinical
活体成像 IVIS 小动物成像
生物发光与荧光成像，三维断层重建
肿瘤模型与药物分布活体监测

0902|小动物Micro-CT|Quantum GX2|珀金埃尔默(Revvity)|300-450|hour 300-600|1
biotech medtech
Micro-CT 小动物CT 显微CT
最高分辨率4.5 μm，单次扫描最快4秒
骨组织与肺部结构成像

1101|工业CT|METROTOM 1500|卡尔蔡司(ZEISS)|600-1000|hour 800-1500|1
manufacturing nev space materials
工业CT CT检测 无损检测
225 kV射线源，测量误差(4.5+L/100) μm
铸件与3D打印件内部缺陷与尺寸检测

1201|动力电池包充放电测试系统|BNT 250-600|迪卡龙(Digatron)|150-300|hour 200-500|1
nev
电池测试 充放电 电池包测试
电压范围0–600 V，电流±250 A，能量回馈
电池包循环寿命与工况测试

1201|加速量热仪|EV+ ARC|赫尔(THT)|150-250|sample 2000-5000|1
nev materials
ARC 绝热加速量热 热失控
温度范围室温–500 ℃，大腔体可测试整只电芯
电芯热失控与热安全性评价

1203|电子束光刻系统|EBPG 5200|Raith|2000-3500|hour 1500-3000|1
ic quantum
EBL 电子束曝光 电子束光刻
最小线宽<8 nm，加速电压100 kV
纳米器件与光子芯片图形加工

1203|原子层沉积系统|Savannah S200|Veeco(Cambridge NanoTech)|60-100|hour 200-400|1
ic materials
ALD 原子层沉积 薄膜沉积
支持200 mm基片，膜厚均匀性<1%
高k介质与钝化薄膜沉积

1204|金属3D打印机|EOS M 290|EOS|400-700|hour 500-1000|2
manufacturing materials space medtech
SLM 3D打印 增材制造 激光选区熔化
成形尺寸250×250×325 mm，400 W光纤激光器
钛合金、高温合金复杂构件打印

1204|五轴联动加工中心|DMU 65 monoBLOCK|德马吉森精机(DMG MORI)|300-500|hour 300-600|1
manufacturing space nev
五轴 加工中心 数控机床 CNC
X/Y/Z行程735/650/560 mm，主轴转速18000 rpm
复杂曲面零件精密加工

1302|高性能计算集群|TC6600|中科曙光(Sugon)|800-2000|hour 10-30|1
ai software materials space
HPC 高性能计算 超算 算力
双路CPU计算节点120个，峰值性能600 TFLOPS，InfiniBand互联
分子模拟、流体仿真与大规模数值计算

1302|GPU服务器集群|NF5688M7|浪潮信息(Inspur)|150-300|hour 60-150|2
ai software
GPU 算力 AI服务器 深度学习
8卡GPU节点，NVLink高速互联
大模型训练与推理、深度学习实验

1401|飞秒激光器|Astrella|相干(Coherent)|300-500|hour 400-800|1
quantum materials manufacturing
飞秒激光 超快激光 钛宝石
脉宽<35 fs，单脉冲能量>7 mJ，重复频率1 kHz
超快光谱与飞秒激光微纳加工

1001|高纯锗γ能谱仪|GEM-C40|阿美特克(ORTEC)|80-120|sample 200-500|1
materials biotech
高纯锗 伽马能谱 γ能谱 放射性
相对效率40%，能量分辨率1.85 keV@1.33 MeV
样品放射性核素分析
"""


def _parse_instruments(table: str) -> tuple[_InstrumentModel, ...]:
    models: list[_InstrumentModel] = []
    for block in table.strip().split("\n\n"):
        head, fields, aliases, spec, uses = block.strip().splitlines()
        category, name, model, manufacturer, value, fee, weight = head.split("|")
        value_low, value_high = value.split("-")
        unit, fee_range = fee.split()
        fee_low, fee_high = fee_range.split("-")
        brand = manufacturer.split("(")[-1].rstrip(")") if "(" in manufacturer else manufacturer
        models.append(
            _InstrumentModel(
                category=category,
                name=name,
                aliases=tuple(aliases.split()),
                model=model,
                manufacturer=manufacturer,
                brand=brand,
                value_wan=(int(value_low), int(value_high)),
                fee_unit=unit,
                fee_yuan=(int(fee_low), int(fee_high)),
                fields=tuple(fields.split()),
                spec=spec,
                uses=uses,
                weight=float(weight),
            )
        )
    return tuple(models)


_INSTRUMENTS: Final[tuple[_InstrumentModel, ...]] = _parse_instruments(_INSTRUMENT_TABLE)

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
_QUALIFICATIONS: Final[dict[str, tuple[str, ...]]] = {
    "testing": ("CMA", "CNAS", "ISO/IEC 17025", "高新技术企业"),
    "ip": ("专利代理机构执业许可证", "知识产权贯标认证(GB/T 29490)", "国家知识产权服务品牌培育机构"),
    "tech_transfer": ("国家技术转移示范机构", "重庆市技术转移示范机构", "技术经理人(技术经纪人)资质"),
    "consulting": ("ISO 9001质量管理体系认证", "科技成果评价机构备案", "高新技术企业"),
    "finance": ("私募基金管理人登记", "融资担保业务经营许可证"),
    "incubation": ("国家级科技企业孵化器", "国家备案众创空间", "重庆市科技企业孵化器"),
    "legal": ("律师事务所执业许可证", "知识产权法律服务专业团队"),
    "design": ("国家级工业设计中心", "重庆市工业设计中心"),
}
# (name, description, mode, min 元, max 元)
_OFFERINGS: Final[dict[str, tuple[tuple[str, str, str, int, int], ...]]] = {
    "testing": (
        (
            "材料成分与结构分析（送样检测）",
            "XRD、SEM、XPS等大型仪器检测，出具CMA/CNAS报告",
            "range",
            300,
            5000,
        ),
        (
            "芯片与电子元器件失效分析",
            "外观检查、X-ray、开封、FIB切片与SEM分析，定位失效根因",
            "range",
            5000,
            50000,
        ),
        ("医疗器械注册检验", "按国家标准开展电气安全、EMC与性能检验", "range", 20000, 200000),
        ("动力电池安全测试", "针刺、挤压、过充与热失控测试，依据GB 38031", "range", 10000, 100000),
        ("环境可靠性试验", "高低温、湿热、振动与盐雾试验", "range", 2000, 30000),
    ),
    "ip": (
        ("发明专利申请代理", "技术交底、撰写与答复审查意见全流程代理", "fixed", 6000, 9000),
        ("实用新型专利申请代理", "撰写与提交，平均6个月授权", "fixed", 2500, 4000),
        ("专利导航分析报告", "面向产业或技术方向的专利态势与布局分析", "range", 30000, 200000),
        ("高价值专利培育", "围绕核心产品开展专利挖掘与组合布局", "range", 50000, 300000),
        ("专利自由实施(FTO)分析", "产品上市前侵权风险排查", "range", 20000, 150000),
        ("软件著作权登记代理", "材料整理与登记代理", "fixed", 800, 1500),
    ),
    "tech_transfer": (
        (
            "技术经纪服务",
            "需求挖掘、成果匹配、商务谈判与合同签订全程服务，按成交额比例收费",
            "negotiable",
            0,
            0,
        ),
        ("科技成果路演对接", "组织成果路演与企业对接会", "range", 5000, 30000),
        ("技术合同认定登记辅导", "辅导企业完成技术合同认定登记与减免税备案", "fixed", 2000, 5000),
        ("科技成果作价入股方案设计", "评估、权属梳理与入股方案设计", "range", 20000, 100000),
    ),
    "consulting": (
        ("高新技术企业认定咨询", "知识产权、研发费用与申报材料全流程辅导", "range", 10000, 50000),
        ("研发费用加计扣除咨询", "研发项目立项与费用归集辅导", "range", 5000, 30000),
        ("科技成果评价", "组织专家对成果技术水平与成熟度进行评价", "range", 20000, 60000),
        ("智能工厂规划咨询", "现状诊断与数字化转型路线图", "range", 50000, 300000),
    ),
    "finance": (
        ("知识产权质押融资对接", "专利与商标质押贷款方案设计与银行对接", "negotiable", 0, 0),
        ("知识价值信用贷款申报辅导", "协助科技型企业申报知识价值信用贷款", "fixed", 3000, 8000),
        ("天使轮/A轮股权融资服务", "商业计划书打磨与投资机构对接", "negotiable", 0, 0),
        ("科技企业融资担保", "为轻资产科技企业提供融资担保", "negotiable", 0, 0),
    ),
    "incubation": (
        ("孵化工位租赁", "含办公家具、网络与会议室，按工位每月计费", "fixed", 500, 1500),
        ("创业辅导与导师服务", "创业导师一对一辅导与训练营", "range", 2000, 20000),
        ("中试场地与公共实验平台", "共享中试车间与公共实验设备", "range", 10000, 100000),
    ),
    "legal": (
        ("技术合同审查", "技术开发、转让与许可合同条款审查", "fixed", 2000, 6000),
        ("知识产权侵权诉讼代理", "专利、商业秘密侵权诉讼与维权", "negotiable", 0, 0),
        ("科技成果转化法律尽调", "权属、收益分配与合规审查", "range", 20000, 100000),
    ),
    "design": (
        ("工业产品外观与结构设计", "从概念设计到结构设计与样机打样", "range", 50000, 300000),
        ("用户体验与人机交互设计", "智能终端与车载界面交互设计", "range", 30000, 200000),
        ("医疗器械工业设计", "符合人机工程与注册要求的外观设计", "range", 50000, 250000),
    ),
}
_AGENCY_NAME_PARTS: Final[dict[str, tuple[str, ...]]] = {
    "testing": ("检测技术有限公司", "检验认证有限公司", "质量检测中心有限公司"),
    "ip": ("知识产权代理有限公司", "知识产权服务有限公司", "专利代理事务所（普通合伙）"),
    "tech_transfer": ("技术转移服务有限公司", "科技成果转化服务有限公司"),
    "consulting": ("科技咨询有限公司", "企业管理咨询有限公司"),
    "finance": ("科技融资担保有限公司", "创业投资管理有限公司", "科技金融服务有限公司"),
    "incubation": ("孵化器管理有限公司", "众创空间管理有限公司"),
    "legal": ("律师事务所",),
    "design": ("工业设计有限公司", "创意设计有限公司"),
}
_AGENCY_PLACES: Final = (
    ("重庆", "500107"), ("重庆", "500107"), ("重庆", "500106"), ("重庆", "500112"), ("重庆", "500108"),
    ("重庆", "500120"), ("成都", "510107"), ("成都", "510104"), ("四川", "510108"),
)  # fmt: skip
_AGENCY_BRANDS: Final = (
    "科信", "渝创", "蜀智", "金凤", "凤栖", "西永", "华睿", "博远", "恒知", "创联", "智汇", "嘉诚", "鑫泽",
    "天权", "知行", "巴渝", "明德", "汇智", "卓越", "启航", "中正", "同创", "科润", "远见", "锦程", "云帆",
    "大道", "星辰", "正和", "聚贤",
)  # fmt: skip
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
