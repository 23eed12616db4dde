"""Reference data of the 科技服务超市: fields, instrument classes, regions, contract rules, labels, targets.

Pure data and lookups. Where a source is uncertain the table says so (see research/domain-rules.md); keep such
facts here as data so a correction is a one-line change, never a code change.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

# --- Technology fields -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NationalField:
    """One 技术领域 of the national technical-market statistics."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class TechField:
    """One of our technology-field codes, with the national 技术领域 it is counted under."""

    code: str
    label: str
    label_en: str
    national_field: str
    key: bool


NATIONAL_FIELDS: Final[tuple[NationalField, ...]] = (
    NationalField("electronic_information", "电子信息技术"),
    NationalField("advanced_manufacturing", "先进制造技术"),
    NationalField("aerospace", "航空航天技术"),
    NationalField("modern_transport", "现代交通"),
    NationalField("agricultural_technology", "农业技术"),
    NationalField("new_energy_efficiency", "新能源与高效节能"),
    NationalField("nuclear_applications", "核应用技术"),
    NationalField("new_materials", "新材料及其应用"),
    NationalField("biomedicine_devices", "生物、医药和医疗器械技术"),
    NationalField("environment_resources", "环境保护与资源综合利用技术"),
    NationalField("urban_social_development", "城市建设与社会发展"),
)

# The eleven key fields are 专栏1 of the zone's 十四五 plan, in its order. The national mapping is our own
# reading (no official crosswalk exists); nev → 现代交通 rather than 先进制造 is the least certain one.
TECH_FIELDS: Final[tuple[TechField, ...]] = (
    TechField("ai", "新一代人工智能", "New-generation AI", "electronic_information", True),
    TechField("ic", "集成电路", "Integrated circuits", "electronic_information", True),
    TechField("software", "软件和信息技术", "Software and IT", "electronic_information", True),
    TechField("quantum", "量子信息", "Quantum information", "electronic_information", True),
    TechField("biotech", "基因与生物技术", "Genomics and biotechnology", "biomedicine_devices", True),
    TechField("clinical", "临床医学与健康", "Clinical medicine and health", "biomedicine_devices", True),
    TechField(
        "medtech",
        "高端医疗装备与创新药",
        "High-end medical equipment and innovative drugs",
        "biomedicine_devices",
        True,
    ),
    TechField("materials", "高端新材料", "Advanced materials", "new_materials", True),
    TechField(
        "nev",
        "新能源汽车与智能网联汽车",
        "New-energy and intelligent connected vehicles",
        "modern_transport",
        True,
    ),
    TechField(
        "manufacturing",
        "智能制造与机器人",
        "Intelligent manufacturing and robotics",
        "advanced_manufacturing",
        True,
    ),
    TechField("space", "深空探测", "Deep-space exploration", "aerospace", True),
    TechField("energy", "新能源与节能", "New energy and energy efficiency", "new_energy_efficiency", False),
    TechField("environment", "生态环保", "Environmental protection", "environment_resources", False),
    TechField("agriculture", "现代农业", "Modern agriculture", "agricultural_technology", False),
)

TECH_FIELD_CODES: Final[frozenset[str]] = frozenset(field.code for field in TECH_FIELDS)
KEY_TECH_FIELD_CODES: Final[tuple[str, ...]] = tuple(field.code for field in TECH_FIELDS if field.key)

_TECH_FIELDS_BY_CODE: Final[Mapping[str, TechField]] = {field.code: field for field in TECH_FIELDS}
_NATIONAL_FIELDS_BY_CODE: Final[Mapping[str, NationalField]] = {
    field.code: field for field in NATIONAL_FIELDS
}


def tech_field(code: str) -> TechField | None:
    """The technology field with this code, or None."""
    return _TECH_FIELDS_BY_CODE.get(code)


def national_field_for(field_code: str) -> NationalField | None:
    """The national 技术领域 that one of our field codes is counted under, or None for an unknown code."""
    field = _TECH_FIELDS_BY_CODE.get(field_code)
    return None if field is None else _NATIONAL_FIELDS_BY_CODE[field.national_field]


# --- Large research instruments --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstrumentSubcategory:
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class InstrumentCategory:
    code: str
    label: str
    subcategories: tuple[InstrumentSubcategory, ...]


# Source: the 2014 national large-instrument survey tables as found in public code, not an official page
# (domain-rules.md §5): re-check against the 国家网络管理平台 field list before launch. Codes are positions
# (category 01–15, sub-category 01–nn in listed order), so inserting an entry renumbers its successors;
# append instead. 其他仪器 has no published sub-list: its single "其他" entry is our assumption.
# fmt: off
_INSTRUMENT_TABLE: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("分析仪器", ("电子光学", "质谱", "X射线", "光谱", "色谱", "波谱", "电化学", "显微镜及图象分析", "热分析",
                  "生化分离分析", "环境与农业分析", "样品前处理及制备", "其他")),
    ("物理性能测试仪器", ("力学性能测试", "大地测量", "光电测量", "声学振动", "颗粒度测量", "探伤", "其他")),
    ("计量仪器", ("长度", "热学", "力学", "电磁学", "时间频率", "声学", "光学", "电离辐射", "电子学",
                  "其他")),
    ("电子测量仪器", ("通用电子测量", "射频和微波", "通讯测量", "网络分析", "大规模集成电路测试", "其他")),
    ("海洋仪器", ("海洋水文", "多要素水文气象", "海洋生物调查", "海水物理量", "海洋遥感/遥测", "海洋采样",
                  "其他")),
    ("地球探测仪器", ("电法", "电磁法", "磁法", "重力", "地震", "地球物理测井", "岩石矿物测试", "其他")),
    ("大气探测仪器", ("气象台站观测", "高空气象探测", "特殊大气探测", "主动/被动大气遥感", "高层大气/电离层",
                      "对地观测", "其他")),
    ("天文仪器", ("天体测量", "地面/空间天文望远镜", "其他")),
    ("医学诊断仪器", ("临床检验分析", "影像诊断", "电子诊察", "其他")),
    ("核仪器", ("核辐射探测", "活化分析", "离子束分析", "核效应分析", "中子散射及衍射", "其他")),
    ("特种检测仪器", ("射线", "超声", "电磁", "声发射", "光电检测", "其他")),
    ("工艺实验设备", ("汽车", "化工/制药", "电子", "加工", "纺织", "食品", "其他")),
    ("计算机及其配套设备", ("计算机", "服务器", "软件", "数据采集及工作站", "其他")),
    ("激光器", ("激光器", "其他")),
    ("其他仪器", ("其他",)),
)
# fmt: on

INSTRUMENT_CATEGORIES: Final[tuple[InstrumentCategory, ...]] = tuple(
    InstrumentCategory(
        code=f"{category_index:02d}",
        label=category_label,
        subcategories=tuple(
            InstrumentSubcategory(code=f"{category_index:02d}{sub_index:02d}", label=sub_label)
            for sub_index, sub_label in enumerate(sub_labels, start=1)
        ),
    )
    for category_index, (category_label, sub_labels) in enumerate(_INSTRUMENT_TABLE, start=1)
)

_INSTRUMENT_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    sub.code: (category.label, sub.label)
    for category in INSTRUMENT_CATEGORIES
    for sub in category.subcategories
}
INSTRUMENT_CATEGORY_CODES: Final[frozenset[str]] = frozenset(_INSTRUMENT_LABELS)


def instrument_category(code: str) -> tuple[str, str] | None:
    """(category label, sub-category label) of a 4-digit instrument code, or None if unknown."""
    return _INSTRUMENT_LABELS.get(code)


# --- Administrative regions (GB/T 2260) ------------------------------------------------------------------

# fmt: off
PROVINCES: Final[Mapping[str, str]] = {
    "110000": "北京市", "120000": "天津市", "130000": "河北省", "140000": "山西省", "150000": "内蒙古自治区",
    "210000": "辽宁省", "220000": "吉林省", "230000": "黑龙江省", "310000": "上海市", "320000": "江苏省",
    "330000": "浙江省", "340000": "安徽省", "350000": "福建省", "360000": "江西省", "370000": "山东省",
    "410000": "河南省", "420000": "湖北省", "430000": "湖南省", "440000": "广东省",
    "450000": "广西壮族自治区", "460000": "海南省", "500000": "重庆市", "510000": "四川省",
    "520000": "贵州省", "530000": "云南省", "540000": "西藏自治区", "610000": "陕西省", "620000": "甘肃省",
    "630000": "青海省", "640000": "宁夏回族自治区", "650000": "新疆维吾尔自治区",
    "710000": "台湾省", "810000": "香港特别行政区", "820000": "澳门特别行政区",
}
# fmt: on

# Every county-level unit of 重庆 and 四川 (the 成渝 area the zone serves), current as of the 2025-11
# 重庆 adjustment; generated from python-stdnum's cn/loc table (Wikipedia's GB/T 2260 list) and reviewed.
# fmt: off
_CHONGQING_SICHUAN: Final[Mapping[str, str]] = {
    "500101": "万州区", "500102": "涪陵区", "500103": "渝中区", "500104": "大渡口区", "500105": "江北区",
    "500106": "沙坪坝区", "500107": "九龙坡区", "500108": "南岸区", "500109": "北碚区", "500110": "綦江区",
    "500111": "大足区", "500112": "渝北区", "500113": "巴南区", "500114": "黔江区", "500115": "长寿区",
    "500116": "江津区", "500117": "合川区", "500118": "永川区", "500119": "南川区", "500120": "璧山区",
    "500151": "铜梁区", "500152": "潼南区", "500153": "荣昌区", "500154": "开州区", "500155": "梁平区",
    "500156": "武隆区", "500157": "两江新区",
    "500229": "城口县", "500230": "丰都县", "500231": "垫江县", "500233": "忠县", "500235": "云阳县",
    "500236": "奉节县", "500237": "巫山县", "500238": "巫溪县", "500240": "石柱土家族自治县",
    "500241": "秀山土家族苗族自治县", "500242": "酉阳土家族苗族自治县", "500243": "彭水苗族土家族自治县",
    "510100": "成都市", "510104": "锦江区", "510105": "青羊区", "510106": "金牛区", "510107": "武侯区",
    "510108": "成华区", "510112": "龙泉驿区", "510113": "青白江区", "510114": "新都区", "510115": "温江区",
    "510116": "双流区", "510117": "郫都区", "510118": "新津区", "510121": "金堂县", "510129": "大邑县",
    "510131": "蒲江县", "510181": "都江堰市", "510182": "彭州市", "510183": "邛崃市", "510184": "崇州市",
    "510185": "简阳市",
    "510300": "自贡市", "510302": "自流井区", "510303": "贡井区", "510304": "大安区", "510311": "沿滩区",
    "510321": "荣县", "510322": "富顺县",
    "510400": "攀枝花市", "510402": "东区", "510403": "西区", "510411": "仁和区", "510421": "米易县",
    "510422": "盐边县",
    "510500": "泸州市", "510502": "江阳区", "510503": "纳溪区", "510504": "龙马潭区", "510521": "泸县",
    "510522": "合江县", "510524": "叙永县", "510525": "古蔺县",
    "510600": "德阳市", "510603": "旌阳区", "510604": "罗江区", "510623": "中江县", "510681": "广汉市",
    "510682": "什邡市", "510683": "绵竹市",
    "510700": "绵阳市", "510703": "涪城区", "510704": "游仙区", "510705": "安州区", "510722": "三台县",
    "510723": "盐亭县", "510725": "梓潼县", "510726": "北川羌族自治县", "510727": "平武县",
    "510781": "江油市",
    "510800": "广元市", "510802": "利州区", "510811": "昭化区", "510812": "朝天区", "510821": "旺苍县",
    "510822": "青川县", "510823": "剑阁县", "510824": "苍溪县",
    "510900": "遂宁市", "510903": "船山区", "510904": "安居区", "510921": "蓬溪县", "510923": "大英县",
    "510981": "射洪市",
    "511000": "内江市", "511002": "市中区", "511011": "东兴区", "511024": "威远县", "511025": "资中县",
    "511083": "隆昌市",
    "511100": "乐山市", "511102": "市中区", "511111": "沙湾区", "511112": "五通桥区", "511113": "金口河区",
    "511123": "犍为县", "511124": "井研县", "511126": "夹江县", "511129": "沐川县",
    "511132": "峨边彝族自治县", "511133": "马边彝族自治县", "511181": "峨眉山市",
    "511300": "南充市", "511302": "顺庆区", "511303": "高坪区", "511304": "嘉陵区", "511321": "南部县",
    "511322": "营山县", "511323": "蓬安县", "511324": "仪陇县", "511325": "西充县", "511381": "阆中市",
    "511400": "眉山市", "511402": "东坡区", "511403": "彭山区", "511421": "仁寿县", "511423": "洪雅县",
    "511424": "丹棱县", "511425": "青神县",
    "511500": "宜宾市", "511502": "翠屏区", "511503": "南溪区", "511504": "叙州区", "511523": "江安县",
    "511524": "长宁县", "511525": "高县", "511526": "珙县", "511527": "筠连县", "511528": "兴文县",
    "511529": "屏山县",
    "511600": "广安市", "511602": "广安区", "511603": "前锋区", "511621": "岳池县", "511622": "武胜县",
    "511623": "邻水县", "511681": "华蓥市",
    "511700": "达州市", "511702": "通川区", "511703": "达川区", "511722": "宣汉县", "511723": "开江县",
    "511724": "大竹县", "511725": "渠县", "511781": "万源市",
    "511800": "雅安市", "511802": "雨城区", "511803": "名山区", "511822": "荥经县", "511823": "汉源县",
    "511824": "石棉县", "511825": "天全县", "511826": "芦山县", "511827": "宝兴县",
    "511900": "巴中市", "511902": "巴州区", "511903": "恩阳区", "511921": "通江县", "511922": "南江县",
    "511923": "平昌县",
    "512000": "资阳市", "512002": "雁江区", "512021": "安岳县", "512022": "乐至县",
    "513200": "阿坝藏族羌族自治州", "513201": "马尔康市", "513221": "汶川县", "513222": "理县",
    "513223": "茂县", "513224": "松潘县", "513225": "九寨沟县", "513226": "金川县", "513227": "小金县",
    "513228": "黑水县", "513230": "壤塘县", "513231": "阿坝县", "513232": "若尔盖县", "513233": "红原县",
    "513300": "甘孜藏族自治州", "513301": "康定市", "513322": "泸定县", "513323": "丹巴县",
    "513324": "九龙县", "513325": "雅江县", "513326": "道孚县", "513327": "炉霍县", "513328": "甘孜县",
    "513329": "新龙县", "513330": "德格县", "513331": "白玉县", "513332": "石渠县", "513333": "色达县",
    "513334": "理塘县", "513335": "巴塘县", "513336": "乡城县", "513337": "稻城县", "513338": "得荣县",
    "513400": "凉山彝族自治州", "513401": "西昌市", "513402": "会理市", "513422": "木里藏族自治县",
    "513423": "盐源县", "513424": "德昌县", "513426": "会东县", "513427": "宁南县", "513428": "普格县",
    "513429": "布拖县", "513430": "金阳县", "513431": "昭觉县", "513432": "喜德县", "513433": "冕宁县",
    "513434": "越西县", "513435": "甘洛县", "513436": "美姑县", "513437": "雷波县",
}
# fmt: on

# Prefecture-level units (地级市, 地区, 自治州, 盟) of the other provinces, so partners elsewhere can give at
# least their city; their districts are deliberately not listed, which keeps this table reviewable.
# fmt: off
_OTHER_PREFECTURES: Final[Mapping[str, str]] = {
    "130100": "石家庄市", "130200": "唐山市", "130300": "秦皇岛市", "130400": "邯郸市", "130500": "邢台市",
    "130600": "保定市", "130700": "张家口市", "130800": "承德市", "130900": "沧州市", "131000": "廊坊市",
    "131100": "衡水市",
    "140100": "太原市", "140200": "大同市", "140300": "阳泉市", "140400": "长治市", "140500": "晋城市",
    "140600": "朔州市", "140700": "晋中市", "140800": "运城市", "140900": "忻州市", "141000": "临汾市",
    "141100": "吕梁市",
    "150100": "呼和浩特市", "150200": "包头市", "150300": "乌海市", "150400": "赤峰市", "150500": "通辽市",
    "150600": "鄂尔多斯市", "150700": "呼伦贝尔市", "150800": "巴彦淖尔市", "150900": "乌兰察布市",
    "152200": "兴安盟", "152500": "锡林郭勒盟", "152900": "阿拉善盟",
    "210100": "沈阳市", "210200": "大连市", "210300": "鞍山市", "210400": "抚顺市", "210500": "本溪市",
    "210600": "丹东市", "210700": "锦州市", "210800": "营口市", "210900": "阜新市", "211000": "辽阳市",
    "211100": "盘锦市", "211200": "铁岭市", "211300": "朝阳市", "211400": "葫芦岛市",
    "220100": "长春市", "220200": "吉林市", "220300": "四平市", "220400": "辽源市", "220500": "通化市",
    "220600": "白山市", "220700": "松原市", "220800": "白城市", "222400": "延边朝鲜族自治州",
    "230100": "哈尔滨市", "230200": "齐齐哈尔市", "230300": "鸡西市", "230400": "鹤岗市",
    "230500": "双鸭山市", "230600": "大庆市", "230700": "伊春市", "230800": "佳木斯市",
    "230900": "七台河市", "231000": "牡丹江市", "231100": "黑河市", "231200": "绥化市",
    "232700": "大兴安岭地区",
    "320100": "南京市", "320200": "无锡市", "320300": "徐州市", "320400": "常州市", "320500": "苏州市",
    "320600": "南通市", "320700": "连云港市", "320800": "淮安市", "320900": "盐城市", "321000": "扬州市",
    "321100": "镇江市", "321200": "泰州市", "321300": "宿迁市",
    "330100": "杭州市", "330200": "宁波市", "330300": "温州市", "330400": "嘉兴市", "330500": "湖州市",
    "330600": "绍兴市", "330700": "金华市", "330800": "衢州市", "330900": "舟山市", "331000": "台州市",
    "331100": "丽水市",
    "340100": "合肥市", "340200": "芜湖市", "340300": "蚌埠市", "340400": "淮南市", "340500": "马鞍山市",
    "340600": "淮北市", "340700": "铜陵市", "340800": "安庆市", "341000": "黄山市", "341100": "滁州市",
    "341200": "阜阳市", "341300": "宿州市", "341500": "六安市", "341600": "亳州市", "341700": "池州市",
    "341800": "宣城市",
    "350100": "福州市", "350200": "厦门市", "350300": "莆田市", "350400": "三明市", "350500": "泉州市",
    "350600": "漳州市", "350700": "南平市", "350800": "龙岩市", "350900": "宁德市",
    "360100": "南昌市", "360200": "景德镇市", "360300": "萍乡市", "360400": "九江市", "360500": "新余市",
    "360600": "鹰潭市", "360700": "赣州市", "360800": "吉安市", "360900": "宜春市", "361000": "抚州市",
    "361100": "上饶市",
    "370100": "济南市", "370200": "青岛市", "370300": "淄博市", "370400": "枣庄市", "370500": "东营市",
    "370600": "烟台市", "370700": "潍坊市", "370800": "济宁市", "370900": "泰安市", "371000": "威海市",
    "371100": "日照市", "371300": "临沂市", "371400": "德州市", "371500": "聊城市", "371600": "滨州市",
    "371700": "菏泽市",
    "410100": "郑州市", "410200": "开封市", "410300": "洛阳市", "410400": "平顶山市", "410500": "安阳市",
    "410600": "鹤壁市", "410700": "新乡市", "410800": "焦作市", "410900": "濮阳市", "411000": "许昌市",
    "411100": "漯河市", "411200": "三门峡市", "411300": "南阳市", "411400": "商丘市", "411500": "信阳市",
    "411600": "周口市", "411700": "驻马店市",
    "420100": "武汉市", "420200": "黄石市", "420300": "十堰市", "420500": "宜昌市", "420600": "襄阳市",
    "420700": "鄂州市", "420800": "荆门市", "420900": "孝感市", "421000": "荆州市", "421100": "黄冈市",
    "421200": "咸宁市", "421300": "随州市", "422800": "恩施土家族苗族自治州",
    "430100": "长沙市", "430200": "株洲市", "430300": "湘潭市", "430400": "衡阳市", "430500": "邵阳市",
    "430600": "岳阳市", "430700": "常德市", "430800": "张家界市", "430900": "益阳市", "431000": "郴州市",
    "431100": "永州市", "431200": "怀化市", "431300": "娄底市", "433100": "湘西土家族苗族自治州",
    "440100": "广州市", "440200": "韶关市", "440300": "深圳市", "440400": "珠海市", "440500": "汕头市",
    "440600": "佛山市", "440700": "江门市", "440800": "湛江市", "440900": "茂名市", "441200": "肇庆市",
    "441300": "惠州市", "441400": "梅州市", "441500": "汕尾市", "441600": "河源市", "441700": "阳江市",
    "441800": "清远市", "441900": "东莞市", "442000": "中山市", "445100": "潮州市", "445200": "揭阳市",
    "445300": "云浮市",
    "450100": "南宁市", "450200": "柳州市", "450300": "桂林市", "450400": "梧州市", "450500": "北海市",
    "450600": "防城港市", "450700": "钦州市", "450800": "贵港市", "450900": "玉林市", "451000": "百色市",
    "451100": "贺州市", "451200": "河池市", "451300": "来宾市", "451400": "崇左市",
    "460100": "海口市", "460200": "三亚市", "460300": "三沙市", "460400": "儋州市",
    "520100": "贵阳市", "520200": "六盘水市", "520300": "遵义市", "520400": "安顺市", "520500": "毕节市",
    "520600": "铜仁市", "522300": "黔西南布依族苗族自治州", "522600": "黔东南苗族侗族自治州",
    "522700": "黔南布依族苗族自治州",
    "530100": "昆明市", "530300": "曲靖市", "530400": "玉溪市", "530500": "保山市", "530600": "昭通市",
    "530700": "丽江市", "530800": "普洱市", "530900": "临沧市", "532300": "楚雄彝族自治州",
    "532500": "红河哈尼族彝族自治州", "532600": "文山壮族苗族自治州", "532800": "西双版纳傣族自治州",
    "532900": "大理白族自治州", "533100": "德宏傣族景颇族自治州", "533300": "怒江傈僳族自治州",
    "533400": "迪庆藏族自治州",
    "540100": "拉萨市", "540200": "日喀则市", "540300": "昌都市", "540400": "林芝市", "540500": "山南市",
    "540600": "那曲市", "542500": "阿里地区",
    "610100": "西安市", "610200": "铜川市", "610300": "宝鸡市", "610400": "咸阳市", "610500": "渭南市",
    "610600": "延安市", "610700": "汉中市", "610800": "榆林市", "610900": "安康市", "611000": "商洛市",
    "620100": "兰州市", "620200": "嘉峪关市", "620300": "金昌市", "620400": "白银市", "620500": "天水市",
    "620600": "武威市", "620700": "张掖市", "620800": "平凉市", "620900": "酒泉市", "621000": "庆阳市",
    "621100": "定西市", "621200": "陇南市", "622900": "临夏回族自治州", "623000": "甘南藏族自治州",
    "630100": "西宁市", "630200": "海东市", "632200": "海北藏族自治州", "632300": "黄南藏族自治州",
    "632500": "海南藏族自治州", "632600": "果洛藏族自治州", "632700": "玉树藏族自治州",
    "632800": "海西蒙古族藏族自治州",
    "640100": "银川市", "640200": "石嘴山市", "640300": "吴忠市", "640400": "固原市", "640500": "中卫市",
    "650100": "乌鲁木齐市", "650200": "克拉玛依市", "650400": "吐鲁番市", "650500": "哈密市",
    "652300": "昌吉回族自治州", "652700": "博尔塔拉蒙古自治州", "652800": "巴音郭楞蒙古自治州",
    "652900": "阿克苏地区", "653000": "克孜勒苏柯尔克孜自治州", "653100": "喀什地区", "653200": "和田地区",
    "654000": "伊犁哈萨克自治州", "654200": "塔城地区", "654300": "阿勒泰地区",
}
# fmt: on

# 重庆 abolished 江北区 and 渝北区 on 2025-11-06 and created 两江新区 (500157: the code is from
# python-stdnum's table, not yet seen in an official gazette). Their codes stay valid: USCCs, contracts
# and spreadsheets issued before then keep carrying them.
FORMER_REGIONS: Final[Mapping[str, str]] = {"500105": "500157", "500112": "500157"}

REGIONS: Final[Mapping[str, str]] = {**PROVINCES, **_CHONGQING_SICHUAN, **_OTHER_PREFECTURES}


def region_name(code: str) -> str | None:
    """Chinese name of a region code in REGIONS, or None."""
    return REGIONS.get(code)


def region_path(code: str) -> tuple[str, ...]:
    """Names from the province down to the code itself (e.g. 四川省, 成都市, 武侯区); empty if unknown."""
    if code not in REGIONS:
        return ()
    ancestors = (code[:2] + "0000", code[:4] + "00", code)
    return tuple(dict.fromkeys(REGIONS[ancestor] for ancestor in ancestors if ancestor in REGIONS))


def region_successor(code: str) -> str | None:
    """The current code that replaced an abolished one, or None when the code is not abolished."""
    return FORMER_REGIONS.get(code)


# --- 统一社会信用代码 (GB 32100-2015) positions 1–2 ---------------------------------------------------

# fmt: off
USCC_DEPARTMENTS: Final[Mapping[str, str]] = {
    "1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政", "6": "旅游", "7": "宗教",
    "8": "工会", "9": "工商", "A": "中央军委改革和编制办公室", "N": "农业", "Y": "其他",
}
# fmt: on

# fmt: off
USCC_CATEGORIES: Final[Mapping[str, str]] = {
    "11": "机关", "12": "事业单位", "13": "中央编办直接管理机构编制的群众团体", "19": "其他",
    "21": "外国常驻新闻机构", "29": "其他",
    "31": "律师执业机构", "32": "公证处", "33": "基层法律服务所", "34": "司法鉴定机构", "35": "仲裁委员会",
    "39": "其他",
    "41": "外国在华文化中心", "49": "其他",
    "51": "社会团体", "52": "民办非企业单位", "53": "基金会", "59": "其他",
    "61": "外国旅游部门常驻代表机构", "62": "港澳台地区旅游部门常驻内地（大陆）代表机构", "69": "其他",
    "71": "宗教活动场所", "72": "宗教院校", "79": "其他",
    "81": "基层工会", "89": "其他",
    "91": "企业", "92": "个体工商户", "93": "农民专业合作社",
    "A1": "军队事业单位", "A9": "其他",
    "N1": "组级集体经济组织", "N2": "村级集体经济组织", "N3": "乡镇级集体经济组织", "N9": "其他",
    "Y1": "其他",
}
# fmt: on

# --- Technology contracts --------------------------------------------------------------------------------

CONTRACT_TYPES: Final[Mapping[str, str]] = {
    "development": "技术开发",
    "transfer": "技术转让",
    "license": "技术许可",
    "consulting": "技术咨询",
    "service": "技术服务",
}

NON_TECHNICAL_COST_CATEGORIES: Final[Mapping[str, str]] = {
    "equipment": "设备",
    "instrument": "仪器",
    "parts": "零部件",
    "raw_material": "原材料",
    "other": "其他",
}


@dataclass(frozen=True, slots=True)
class ContractTypeRule:
    """How one of our contract types is registered under one rule set."""

    code: str
    label: str
    registered_as: str
    subtypes: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ContractRuleSet:
    """One generation of the 技术合同认定登记 rules, applied by the contract's signing date."""

    code: str
    title: str
    effective_from: date | None
    types: Mapping[str, ContractTypeRule]
    non_technical_cost_categories: Mapping[str, str]
    review_days: int
    review_days_are_working_days: bool
    large_contract_review_days: int | None
    large_contract_threshold_fen: int | None


_DEVELOPMENT_SUBTYPES: Final[Mapping[str, str]] = {"commissioned": "委托开发", "cooperative": "合作开发"}
_SERVICE_SUBTYPES: Final[Mapping[str, str]] = {
    "general": "技术服务",
    "training": "技术培训",
    "intermediary": "技术中介",
}

# The 2000 办法 / 2001 规则 knew four types; a licence was a sub-type of 转让, so our `license` records
# signed before 2026-03-01 are registered (and counted) as 技术转让.
_RULE_SET_2000: Final[ContractRuleSet] = ContractRuleSet(
    code="2000",
    title="技术合同认定登记管理办法（2000）及技术合同认定规则（2001）",
    effective_from=None,
    types={
        "development": ContractTypeRule("development", "技术开发", "development", _DEVELOPMENT_SUBTYPES),
        "transfer": ContractTypeRule(
            "transfer",
            "技术转让",
            "transfer",
            {
                "patent": "专利权转让",
                "patent_application": "专利申请权转让",
                "tech_secret": "技术秘密转让",
            },
        ),
        "license": ContractTypeRule(
            "license",
            "技术转让（专利实施许可）",
            "transfer",
            {
                "patent_license": "专利实施许可",
            },
        ),
        "consulting": ContractTypeRule("consulting", "技术咨询", "consulting", {}),
        "service": ContractTypeRule("service", "技术服务", "service", _SERVICE_SUBTYPES),
    },
    non_technical_cost_categories=NON_TECHNICAL_COST_CATEGORIES,
    review_days=30,
    review_days_are_working_days=False,
    large_contract_review_days=None,
    large_contract_threshold_fen=None,
)

# Deadlines and the 500万元 large-contract threshold come from the 2024 consultation draft; the final 2026
# text was not available, so check them before relying on them.
_RULE_SET_2026: Final[ContractRuleSet] = ContractRuleSet(
    code="2026",
    title="技术合同认定登记管理办法（2026）",
    effective_from=date(2026, 3, 1),
    types={
        "development": ContractTypeRule("development", "技术开发", "development", _DEVELOPMENT_SUBTYPES),
        "transfer": ContractTypeRule(
            "transfer",
            "技术转让",
            "transfer",
            {
                "patent": "专利权转让",
                "patent_application": "专利申请权转让",
                "tech_secret": "技术秘密转让",
                "other_ip": "其他知识产权转让",
                "equity": "技术入股",
            },
        ),
        "license": ContractTypeRule(
            "license",
            "技术许可",
            "license",
            {
                "patent_exclusive": "专利独占实施许可",
                "patent_sole": "专利排他实施许可",
                "patent_ordinary": "专利普通实施许可",
                "tech_secret": "技术秘密使用许可",
                "other_ip": "其他知识产权许可",
            },
        ),
        "consulting": ContractTypeRule("consulting", "技术咨询", "consulting", {}),
        "service": ContractTypeRule("service", "技术服务", "service", _SERVICE_SUBTYPES),
    },
    non_technical_cost_categories=NON_TECHNICAL_COST_CATEGORIES,
    review_days=15,
    review_days_are_working_days=True,
    large_contract_review_days=30,
    large_contract_threshold_fen=500_000_000,
)

CONTRACT_RULE_SETS: Final[tuple[ContractRuleSet, ...]] = (_RULE_SET_2000, _RULE_SET_2026)


def contract_rule_set(signed_on: date) -> ContractRuleSet:
    """The rule set that governs a contract signed on this date."""
    governing = CONTRACT_RULE_SETS[0]
    for rule_set in CONTRACT_RULE_SETS:
        if rule_set.effective_from is None or rule_set.effective_from <= signed_on:
            governing = rule_set
    return governing


def registered_contract_type(contract_type: str, signed_on: date) -> str | None:
    """The type a contract is registered under by its rule set (the `legacy_type`), or None if unknown."""
    rule = contract_rule_set(signed_on).types.get(contract_type)
    return None if rule is None else rule.registered_as


# --- Achievements: maturity ------------------------------------------------------------------------------

MATURITY_LEVELS: Final[Mapping[str, str]] = {
    "lab": "实验室",
    "pilot": "小试/中试",
    "trial": "小批量/试生产",
    "industrial": "产业化",
}

# No standard ties the market labels to TRL and sources disagree (实验室 1–4, 小试 4–5, 中试 6–7, 试生产 7–8,
# 产业化 9 in one; 中试/量产 7–9 in another), so the bands are loose and overlap; widen rather than narrow.
MATURITY_TRL_BANDS: Final[Mapping[str, tuple[int, int]]] = {
    "lab": (1, 4),
    "pilot": (4, 7),
    "trial": (6, 8),
    "industrial": (8, 9),
}

TRL_LEVELS: Final[Mapping[int, str]] = {
    1: "基本原理清晰",
    2: "技术概念和应用设想明确",
    3: "关键功能可行性验证",
    4: "部件/功能模块实验室环境验证",
    5: "部件在相关环境验证",
    6: "系统/子系统样机在相关环境演示",
    7: "样机在实际使用环境演示",
    8: "实际系统完成并通过试验验证",
    9: "实际系统通过任务运行考验",
}

# --- Labels of the API's enumerations --------------------------------------------------------------------

LISTING_TYPES: Final[Mapping[str, str]] = {
    "achievement": "科技成果",
    "instrument": "科研仪器",
    "expert": "专家",
    "agency": "科技服务机构",
}

LISTING_STATUSES: Final[Mapping[str, str]] = {
    "draft": "草稿",
    "pending": "待审核",
    "published": "已发布",
    "rejected": "已驳回",
    "archived": "已归档",
}

ORG_KINDS: Final[Mapping[str, str]] = {
    "enterprise": "企业",
    "university": "高等院校",
    "institute": "科研院所",
    "hospital": "医疗机构",
    "agency": "科技服务机构",
    "government": "政府部门",
    "other": "其他",
}

IP_KINDS: Final[Mapping[str, str]] = {
    "invention": "发明专利",
    "utility": "实用新型专利",
    "design": "外观设计专利",
    "software": "软件著作权",
    "secret": "技术秘密",
}

TRANSFER_MODES: Final[Mapping[str, str]] = {
    "transfer": "转让",
    "license": "许可",
    "equity": "作价投资",
    "co_develop": "合作开发",
    "service": "技术服务",
}

PRICE_MODES: Final[Mapping[str, str]] = {
    "fixed": "一口价",
    "range": "价格区间",
    "negotiable": "面议",
}

AGENCY_TYPES: Final[Mapping[str, str]] = {
    "testing": "检验检测",
    "ip": "知识产权",
    "tech_transfer": "技术转移",
    "consulting": "科技咨询",
    "finance": "科技金融",
    "incubation": "创业孵化",
    "legal": "法律服务",
    "design": "研发设计",
}

DEMAND_KINDS: Final[Mapping[str, str]] = {
    "tech_problem": "技术难题",
    "challenge": "揭榜挂帅",
    "instrument": "仪器共享",
    "testing": "检验检测",
    "consulting": "技术咨询",
    "ip": "知识产权",
    "finance": "科技金融",
}

EXPERT_SERVICES: Final[Mapping[str, str]] = {
    "consulting": "技术咨询",
    "review": "评审评价",
    "training": "培训讲座",
    "co_develop": "合作研发",
}

SERVICE_MODES: Final[Mapping[str, str]] = {
    "self": "自主上机",
    "commissioned": "送样检测/委托测试",
}

FEE_UNITS: Final[Mapping[str, str]] = {
    "hour": "元/小时",
    "sample": "元/样",
    "day": "元/天",
}

INSTRUMENT_AVAILABILITY: Final[Mapping[str, str]] = {
    "available": "可预约",
    "maintenance": "维护中",
    "retired": "已停用",
}

# --- The zone's indicator targets ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorTarget:
    """One row of the zone's 十四五 indicator table; money in fen, counts as plain integers."""

    code: str
    label: str
    unit: str
    baseline_year: int | None
    baseline: int | None
    target_year: int
    target: int


# 重庆高新区“十四五”科技创新发展规划: the table gives 技术合同交易额 5 → 20 亿元 (the text reports 5.1
# for 2020; the table's 5 is the official baseline). Agencies and brokers come from 专栏9's text, which
# gives no baseline.
TURNOVER_BASELINE_YEAR: Final = 2020
TURNOVER_BASELINE_FEN: Final = 50_000_000_000
TURNOVER_TARGET_YEAR: Final = 2025
TURNOVER_TARGET_FEN: Final = 200_000_000_000

INDICATOR_TARGETS: Final[tuple[IndicatorTarget, ...]] = (
    IndicatorTarget(
        "tech_contract_turnover",
        "技术合同交易额",
        "fen",
        TURNOVER_BASELINE_YEAR,
        TURNOVER_BASELINE_FEN,
        TURNOVER_TARGET_YEAR,
        TURNOVER_TARGET_FEN,
    ),
    IndicatorTarget("service_agencies", "引培科技服务机构", "家", None, None, 2025, 100),
    IndicatorTarget("tech_brokers", "技术经纪人", "名", None, None, 2025, 100),
)


def turnover_target_fen(year: int) -> int:
    """Tech-contract turnover target for a year, in fen: linear from the 2020 baseline to the 2025 target."""
    if year <= TURNOVER_BASELINE_YEAR:
        return TURNOVER_BASELINE_FEN
    # The plan ends in 2025 and sets nothing later; holding its figure shows progress against a target that
    # was actually set, where extrapolating would invent one. Replace with the 十五五 figures once published.
    if year >= TURNOVER_TARGET_YEAR:
        return TURNOVER_TARGET_FEN
    elapsed, span = year - TURNOVER_BASELINE_YEAR, TURNOVER_TARGET_YEAR - TURNOVER_BASELINE_YEAR
    return TURNOVER_BASELINE_FEN + (TURNOVER_TARGET_FEN - TURNOVER_BASELINE_FEN) * elapsed // span
