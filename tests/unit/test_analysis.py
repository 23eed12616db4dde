import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from search.analysis import (
    QUERY_FILLERS_PATH,
    SYNONYM_RULES,
    all_domain_words,
    correct_han,
    correct_latin,
    domain_words,
    inner_words,
    load_domain_words,
    load_synonym_rules,
    normalise,
    pinyin_full,
    pinyin_initials,
    pinyin_syllables,
    pinyin_to_words,
    query_words,
    segment,
    split_pinyin,
    split_pinyin_prefix,
    suggest_inputs,
    words,
)

HAN = re.compile("[\u3400-\u9fff]")


def rule_terms(rule: str) -> list[str]:
    return [term.strip() for side in rule.split("=>") for term in side.split(",")]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("提供扫描电镜测试服务", "扫描电镜"),
        ("集成电路设计与制造", "集成电路"),
        ("碳化硅功率器件", "碳化硅"),
        ("体外诊断试剂盒", "体外诊断"),
    ],
)
def test_segment_keeps_domain_words_whole(text: str, word: str) -> None:
    # given a sentence containing a domain word
    # when it is segmented
    tokens = segment(text).split()

    # then the word is one token and jieba's sub-words of it are not emitted
    assert word in tokens
    assert not any(token != word and token in word for token in tokens)


def test_inner_words_hold_every_run_inside_a_word_that_segment_keeps_whole() -> None:
    # given a body whose domain word segment keeps whole (单光子 is never a token of its own)
    text = "长期从事单光子探测器研究，Ra 0.1μm"
    assert "单光子" not in segment(text).split()

    # when its inner words are taken
    inner = inner_words(words(text)).split()

    # then every run of two or more characters inside each Chinese word is there, the word itself too, and
    # nothing that crosses a word boundary or is not Chinese
    assert {"单光子", "探测器", "单光子探测", "单光子探测器", "长期", "研究"} <= set(inner)
    assert "器研" not in inner
    assert not any(HAN.search(token) is None for token in inner)


def test_segment_of_a_domain_word_is_the_word_itself() -> None:
    assert segment("集成电路") == "集成电路"
    assert segment("重庆大学") == "重庆大学"


def test_segment_keeps_search_mode_sub_words_of_general_words() -> None:
    assert segment("中华人民共和国") == "中华 华人 人民 共和 共和国 中华人民共和国"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SiC MOSFET", "sic mosfet"),
        ("LC-MS 与 ICP-MS", "lc-ms 与 icp-ms"),
        ("C++开发", "c++ 开发"),
        ("PD-1抑制剂", "pd-1 抑制 制剂 抑制剂"),
    ],
)
def test_segment_keeps_latin_words_whole(text: str, expected: str) -> None:
    assert segment(text) == expected


def test_segment_keeps_numbers() -> None:
    assert segment("报价3.5万元，2020-2025年") == "报价 3.5 万元 2020 2025 年"


def test_segment_removes_punctuation() -> None:
    assert segment("扫描电镜、透射电镜（TEM）。“拉曼光谱”!") == "扫描电镜 透射电镜 tem 拉曼光谱"
    assert segment("，。！？、") == ""
    assert segment("") == ""


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("積體電路", "集成电路"),
        ("集成電路", "集成电路"),
        ("掃描電鏡", "扫描电镜"),
        ("碳化矽", "碳化硅"),
        ("軟體開發", "软件开发"),
        # Taiwan-only words typed in characters both scripts share still read as the mainland term
        ("光阻 解析度 奈米", "光刻胶 分辨率 纳米"),
        ("航太 碳纖維", "航天 碳纤维"),
    ],
)
def test_traditional_is_converted_to_simplified(traditional: str, simplified: str) -> None:
    assert normalise(traditional) == simplified
    assert segment(traditional) == segment(simplified)


def test_taiwan_words_with_a_mainland_meaning_change_only_in_traditional_text() -> None:
    # 晶片 is a wafer and 软体 is soft-bodied in mainland text
    assert normalise("晶片切割") == "晶片切割"
    assert normalise("软体机器人") == "软体机器人"
    assert normalise("晶片設計") == "芯片设计"


def test_full_width_latin_and_digits_become_half_width() -> None:
    assert normalise("ＳｉＣ　ＭＯＳＦＥＴ，１２３") == "sic mosfet,123"
    assert segment("ＳｉＣ　ＭＯＳＦＥＴ，１２３") == "sic mosfet 123"


def test_normalise_collapses_whitespace_and_drops_invisible_characters() -> None:
    assert normalise("  集成\u200b电路 \t\n 芯片\ufeff ") == "集成电路 芯片"


@pytest.mark.parametrize(
    ("text", "full", "initials"),
    [
        ("集成电路", "jichengdianlu", "jcdl"),
        ("重庆大学", "chongqingdaxue", "cqdx"),
        ("重组蛋白", "chongzudanbai", "czdb"),
        ("伺服电机", "sifudianji", "sfdj"),
        ("绿色智能", "lvsezhineng", "lszn"),
        ("SiC芯片", "sicxinpian", "sicxp"),
        ("5G 通信", "5gtongxin", "5gtx"),
    ],
)
def test_pinyin_full_and_initials(text: str, full: str, initials: str) -> None:
    assert pinyin_full(text) == full
    assert pinyin_initials(text) == initials


def test_pinyin_of_traditional_text_equals_pinyin_of_simplified() -> None:
    assert pinyin_full("重慶大學") == "chongqingdaxue"


@pytest.mark.parametrize(
    ("slip", "intended"),
    [
        ("基成电路", "集成电路"),
        ("扫苗电镜", "扫描电镜"),
        ("碳化桂", "碳化硅"),
        ("体外诊段", "体外诊断"),
        ("重庆医科大雪", "重庆医科大学"),
    ],
)
def test_homophone_slip_has_the_pinyin_of_the_intended_word(slip: str, intended: str) -> None:
    assert segment(slip) != segment(intended)
    assert pinyin_full(slip) == pinyin_full(intended)
    assert pinyin_initials(slip) == pinyin_initials(intended)


def test_suggest_inputs_cover_prefix_pinyin_and_initials() -> None:
    # given a title
    inputs = suggest_inputs("集成电路设计服务")

    # then typing the characters, the pinyin or the initials reaches it by prefix
    for typed in ("集成", "jicheng", "jcdl", "sheji"):
        assert any(entry.startswith(typed) for entry in inputs), typed
    assert inputs[:3] == ["集成电路设计服务", "jichengdianlushejifuwu", "jcdlsjfw"]


def test_suggest_inputs_include_the_main_words_of_the_title() -> None:
    inputs = suggest_inputs("高性能碳化硅功率器件（SiC MOSFET）")

    assert {"碳化硅", "tanhuagui", "thg", "功率器件", "gonglvqijian", "glqj", "sic", "mosfet"} <= set(inputs)
    assert len(inputs) == len(set(inputs))
    assert all(inputs)


def test_suggest_inputs_of_an_empty_title_is_empty() -> None:
    assert suggest_inputs(" ，") == []


def test_words_cut_in_precise_mode() -> None:
    assert words("基于深度学习的医学影像辅助诊断") == ["基于", "深度学习", "的", "医学影像", "辅助", "诊断"]


def test_analysis_is_deterministic_across_calls_and_threads() -> None:
    text = "西部（重庆）科学城扫描电镜、SiC MOSFET与锂离子电池测试，报价3.5万元"
    expected = (segment(text), pinyin_full(text), pinyin_initials(text), suggest_inputs(text))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(
                lambda _: (segment(text), pinyin_full(text), pinyin_initials(text), suggest_inputs(text)),
                range(64),
            )
        )

    assert all(result == expected for result in results)


def test_every_synonym_term_segments_to_exactly_itself() -> None:
    # hand-kept terms are exactly their tokens; a mined or English↔Chinese list term is at least one whole
    # token (it keeps the sub-words the hand-kept list knows: 场发射扫描电镜 still yields 扫描电镜)
    hand_kept = load_synonym_rules()
    mismatches = {
        term: segment(term)
        for rule in SYNONYM_RULES
        for term in rule_terms(rule)
        if segment(term) != term and (rule in hand_kept or term not in segment(term).split())
    }

    assert mismatches == {}


def test_every_chinese_synonym_token_is_a_domain_word() -> None:
    dictionary = domain_words() | {entry.word for entry in all_domain_words()}

    missing = {
        token
        for rule in SYNONYM_RULES
        for term in rule_terms(rule)
        for token in term.split()
        if HAN.search(token) and token not in dictionary
    }

    assert missing == set()


def test_synonym_rules_are_well_formed() -> None:
    assert len(SYNONYM_RULES) >= 40
    seen: dict[str, str] = {}
    for rule in SYNONYM_RULES:
        assert rule.count("=>") <= 1, rule
        sides = [rule_terms(side) for side in rule.split("=>")]
        assert sum(len(terms) for terms in sides) >= 2, rule
        for terms in sides:
            assert all(terms), rule
            assert len(terms) == len(set(terms)), rule
        # a term on two lines would silently merge the two classes
        for term in sides[0]:
            assert term not in seen, f"{term!r} in {seen.get(term)!r} and {rule!r}"
            seen[term] = rule


@pytest.mark.parametrize(
    "word",
    [
        "扫描电镜",
        "扫描电子显微镜",
        "透射电镜",
        "核磁共振",
        "质谱仪",
        "液相色谱",
        "拉曼光谱",
        "x射线衍射",
        "原子力显微镜",
        "流式细胞仪",
        "碳化硅",
        "氮化镓",
        "石墨烯",
        "锂离子电池",
        "固态电池",
        "体外诊断",
        "化学发光",
        "高级驾驶辅助",
        "毫米波雷达",
        "激光雷达",
        "工业机器人",
        "数字孪生",
        "重庆大学",
        "重庆医科大学",
        "西南大学",
        "中科院重庆绿色智能技术研究院",
        # institutions by their short forms
        "成电",
        "重师",
        "重交",
        "西电重庆院",
        "重庆",
        "九龙坡",
        "沙坪坝",
        "大学城",
        "成渝",
    ],
)
def test_dictionary_contains_required_words(word: str) -> None:
    assert word in domain_words()


def test_every_dictionary_word_is_normalised_unique_and_segments_to_itself() -> None:
    entries = load_domain_words()
    entry_words = [entry.word for entry in entries]

    assert len(entry_words) >= 500
    assert len(entry_words) == len(set(entry_words))
    assert {entry.tag for entry in entries} <= {"n", "nz", "nt", "ns"}
    assert [word for word in entry_words if normalise(word) != word] == []
    assert [word for word in entry_words if segment(word) != word] == []


@pytest.mark.parametrize(
    ("typed", "syllables"),
    [
        ("saomiaodianjing", ["sao", "miao", "dian", "jing"]),
        ("jichengdianlu", ["ji", "cheng", "dian", "lu"]),
        ("JiCheng DianLu", ["ji", "cheng", "dian", "lu"]),
        ("xian", ["xian"]),
        ("lvse", ["lv", "se"]),
    ],
)
def test_split_pinyin_cuts_typed_pinyin_into_syllables(typed: str, syllables: list[str]) -> None:
    assert split_pinyin(typed) == syllables


@pytest.mark.parametrize("typed", ["jcdl", "sem", "mosfet", "raman", "sic300", "", "扫描"])
def test_split_pinyin_of_what_is_not_pinyin_is_none(typed: str) -> None:
    assert split_pinyin(typed) is None


def test_pinyin_syllables_are_one_token_each_with_other_words_kept() -> None:
    assert pinyin_syllables("集成电路（IC）设计") == ["ji", "cheng", "dian", "lu", "ic", "she", "ji"]
    assert pinyin_syllables("集成电路（IC）设计", initials=True) == ["j", "c", "d", "l", "ic", "s", "j"]
    assert pinyin_syllables("重慶大學") == ["chong", "qing", "da", "xue"]


def test_homophone_slip_has_the_syllables_of_the_intended_word() -> None:
    assert pinyin_syllables("扫苗电镜") == pinyin_syllables("扫描电镜")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("需要做碳化硅器件可靠性测试", ["碳化硅", "器件", "可靠性", "测试"]),
        ("有没有机构能代理发明专利申请", ["机构", "代理", "发明专利", "申请"]),
        ("扫描电镜", ["扫描电镜"]),
        ("服务", ["服务"]),
        ("SiC MOSFET 可靠性", ["sic", "mosfet", "可靠性"]),
    ],
)
def test_query_words_drop_filler_of_typed_needs(query: str, expected: list[str]) -> None:
    assert query_words(query) == expected


def test_query_words_correct_latin_typos_and_keep_synonym_phrases_whole() -> None:
    assert query_words("mosfte 测试") == ["mosfet", "测试"]
    assert query_words("scaning electron microscope") == ["scanning electron microscope"]
    # spectrometr is one edit from spectrometer and spectrometry; its neighbour picks the phrase
    assert query_words("raman spectrometr") == ["raman spectrometer"]


@pytest.mark.parametrize(
    ("typed", "corrected"),
    [("mosfte", "mosfet"), ("lidra", "lidar"), ("confocl", "confocal"), ("microscpoe", "microscope")],
)
def test_correct_latin_repairs_one_typo_against_the_synonym_vocabulary(typed: str, corrected: str) -> None:
    assert correct_latin(typed) == corrected


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("扫苗电镜", "扫描电镜"),  # a homophone inside an instrument name
        ("扁导线定子 技术发名奖", "扁导线定子 技术发明奖"),  # in a fact's wording (facts.txt)
        ("环境可靠姓试验 璧山", "环境可靠性试验 璧山"),  # the rest of the query untouched
        ("高低温拉升试验", "高低温拉伸试验"),  # sheng for shen: merged by south-western speakers
        ("5g工业模块 连接可靠姓", "5g工业模块 连接可靠性"),
        ("手术机器人力反溃 专家", "手术机器人力反馈 专家"),
    ],
)
def test_correct_han_puts_a_homophone_slip_of_a_catalogue_term_right(typed: str, meant: str) -> None:
    assert correct_han(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "扫描电镜 沙坪坝",  # right already
        "电竞",  # two characters read like 电镜: too short to tell a slip from another word
        "近三年累计服务企业1500家次",  # 服务企 reads like 服务器, but 企 belongs to 企业
        "重庆大学 虎溪校区 透射电镜",
        "想找做锂电池热失控的专家",
        "金刚石nv色心",
    ],
)
def test_correct_han_leaves_terms_short_words_and_words_it_would_split_alone(text: str) -> None:
    assert correct_han(text) == text


def test_pinyin_reads_the_same_word_in_every_process() -> None:
    # huaxi is both 华西 and 花溪: which one pinyin reads as must not depend on the process's string hashing
    script = "from search.analysis import pinyin_to_words; print(pinyin_to_words('huaxi'))"
    readings = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "6")  # under set order these two read huaxi as 华西 and as 花溪
    }
    assert len(readings) == 1


@pytest.mark.parametrize(
    "word",
    ["mosfet", "sigma", "avance", "sem", "gan", "transfomer", "spectrometr", "jichengdianlu"],
)
def test_correct_latin_leaves_known_short_unknown_and_ambiguous_words(word: str) -> None:
    assert correct_latin(word) is None


def test_query_fillers_never_hide_a_dictionary_or_synonym_word() -> None:
    fillers = {
        word
        for line in QUERY_FILLERS_PATH.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
        for word in line.split()
    }
    # A filler may be a word inside a listed English phrase (length of stay): query_words keeps it there.
    synonym_terms = {token for rule in SYNONYM_RULES for term in rule_terms(rule) for token in term.split()}
    inside_phrases = {
        token
        for rule in SYNONYM_RULES
        for term in rule_terms(rule)
        if term.isascii()
        for token in term.split()[1:-1]
    }

    assert fillers & (domain_words() | (synonym_terms - inside_phrases)) == set()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("length of stay after surgery", "length of stay"),
        ("time to first fix of a gnss module", "time to first fix"),
        ("in vivo imaging of mice", "in vivo imaging"),
    ],
)
def test_an_english_filler_inside_a_listed_phrase_stays_in_it(typed: str, kept: str) -> None:
    words = query_words(typed)

    assert kept in words
    assert not {"of", "to", "in"} & set(words)


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        # the listed name's words in another order, and the glue words left out
        (
            "HPC cluster at Peking University Chongqing Big Data Research Institute",
            "peking university chongqing research institute of big data",
        ),
        # a listed short form inside a longer listed name (cqmu: chongqing medical university)
        (
            "in vivo imaging system at Children's Hospital of CQMU",
            "children s hospital of chongqing medical university",
        ),
        ("microscope scanning electron", "scanning electron microscope"),
    ],
)
def test_a_listed_english_name_typed_in_another_order_is_read_as_listed(typed: str, listed: str) -> None:
    words = query_words(normalise(typed))

    assert listed in words
    # and nothing of it is left over as a word of its own, nor doubled
    assert not {"peking", "big", "data", "children", "s", "hospital", "cqmu", "scanning"} & set(words)
    assert len(words) == len(set(words))


def test_a_listed_phrase_typed_as_listed_is_not_reread() -> None:
    # in vivo imaging system is listed; vivo imaging system (its tail) must not become a second copy
    assert query_words("in vivo imaging system") == ["in vivo imaging system"]
    # words that make no listed name in any order stay as typed
    assert query_words("analysis cluster big") == ["analysis", "cluster", "big"]


def test_a_lab_or_firm_typed_after_a_need_is_filler() -> None:
    assert query_words("chip failure analysis lab") == ["chip", "failure analysis"]


def test_a_word_of_degree_after_a_problem_is_filler() -> None:
    # the problem is the noun: listings write 降低成本 or 成本低 as often as 成本高
    assert query_words("单光子探测器 成本高") == ["单光子探测器", "成本"]
    # typed alone it is still searched for
    assert query_words("高") == ["高"]


def test_english_fillers_are_dropped_and_known_english_words_are_not_corrected() -> None:
    assert query_words("hemodialyzer cheaper than imported products") == [
        "hemodialyzer",
        "cheaper",
        "imported products",
    ]
    # ground is an English word: never "corrected" to the listed round
    assert "ground" in query_words("spacecraft ground vibration")


@pytest.mark.parametrize(
    ("typed", "pieces"),
    [
        ("saomiaodianj", ["sao", "miao", "dian", "j"]),
        ("xueyetou", ["xue", "ye", "tou"]),
        ("jcdl", None),
        ("mosfte", None),
    ],
)
def test_split_pinyin_prefix_allows_an_unfinished_last_syllable(typed: str, pieces: list[str] | None) -> None:
    assert split_pinyin_prefix(typed) == pieces


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("zhuanlidaili", ["专利", "代理"]),
        ("gaoqirending", ["高企", "认定"]),
        ("zhipuyi", ["质谱仪"]),
        ("danguangzi tanceqi", ["单光子探测器"]),
        ("dianjing", ["电镜"]),
        # fangan cuts first as fan-gan (反感); cut fang-an it is the better-known 方案
        ("zuojia rugu fangan yubei", ["作价入股", "方案", "渝北"]),
        # but words still meet where the syllables do: not 空集 暗计数 (kong-ji an-ji-shu, cutting jian)
        ("tianqiong kongjian jishu", ["天穹", "空间", "技术"]),
    ],
)
def test_pinyin_reads_as_the_fewest_known_words_domain_words_first(typed: str, meant: list[str]) -> None:
    assert pinyin_to_words(typed) == meant


# jianyanke and gaotongliang read as words only when cut anywhere (吉安 眼科, 搞通 里昂): better unread
@pytest.mark.parametrize("typed", ["mosfet", "sigma", "xian", "qzqzqz", "jianyanke", "gaotongliang"])
def test_what_is_not_pinyin_of_known_words_reads_as_nothing(typed: str) -> None:
    assert pinyin_to_words(typed) is None


def test_filler_glued_to_a_verb_is_cut_and_single_characters_typed_together_are_one_word() -> None:
    from search.analysis import query_words

    assert query_words(normalise("我想测一下复合材料的拉伸强度")) == ["测", "复合材料", "拉伸强度"]
    assert query_words(normalise("药筛")) == ["药筛"]
    # characters typed apart stay apart
    assert query_words(normalise("电 镜")) == ["电", "镜"]
    assert query_words(normalise("找一位懂功率模块封装的专家"))[:2] == ["功率模块", "封装"]


def test_taiwan_wording_reads_as_mainland_terms_only_where_written_in_traditional_script() -> None:
    assert normalise("遠距復健") == "远程康复"
    assert normalise("標靶藥物") == "靶向药物"
    assert normalise("技術移轉") == "技术转移"
    # 遠距離 is 远距离 on both sides of the strait
    assert normalise("遠距離傳輸") == "远距离传输"
    # mainland text keeps its words: 移转 and 智慧 are left alone when not written in traditional script
    assert normalise("智慧城市数据移转") == "智慧城市数据移转"


def test_general_idf_tells_need_words_from_everyday_words() -> None:
    from search.analysis import general_idf

    assert general_idf("自己") < general_idf("测试") < general_idf("射频")
    # a term jieba's general corpus never saw counts as specific
    assert general_idf("插入损耗") >= general_idf("射频")
    assert general_idf("驻波比") > 10


def test_english_words_read_as_the_chinese_they_are_the_dictionary_gloss_of() -> None:
    from search.analysis import english_phrases, english_to_chinese

    assert "成像" in english_to_chinese("imaging")
    assert "细胞" in english_to_chinese("cells")  # the singular is tried too
    assert english_to_chinese("zqxvbn") == ()
    # single characters are never offered: too ambiguous
    assert all(len(word) >= 2 for word in english_to_chinese("cell"))
    # a run of English words one gloss names is one word; other words stay apart
    assert english_phrases(["gene", "therapy", "expert"])[0] == "gene therapy"
    assert english_phrases(["zq", "cell"]) == ["zq", "cell"]
