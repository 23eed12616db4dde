"""What an instrument kind measures: the shipped table, its lookup, and where the terms go in a document."""

from pathlib import Path

import pytest

from search.analysis import segment
from search.documents import build_document
from search.measures import MEASURES_PATH, TOPICS_PATH, USES_PATH, load_measures, measure_words, measures_of
from search.queries import build_match_candidates

VNA = {
    "id": 7,
    "type": "instrument",
    "status": "published",
    "title": "矢量网络分析仪（Keysight N5227B）",
    "name": "矢量网络分析仪",
    "model": "N5227B",
    "summary": "射频器件S参数与天线性能测试",
    "description": "可开展射频器件S参数与天线性能测试等测试分析。",
    "keywords": ["VNA", "网分"],
}


@pytest.mark.parametrize("path", [MEASURES_PATH, USES_PATH, TOPICS_PATH], ids=lambda path: path.name)
def test_the_shipped_tables_parse_and_every_term_is_something_the_analyser_can_match(path: Path) -> None:
    # given a shipped table
    entries = load_measures(path)

    # then it lists dozens of kinds or topics, each with several terms, and no term is lost in analysis
    assert len(entries) >= 40
    for name, terms in entries:
        assert len(terms.split()) >= 5, name
        assert segment(terms).split(), name


def test_the_longest_listed_name_inside_the_instruments_name_wins(tmp_path: Path) -> None:
    # given a table with a general and a more specific kind
    table = tmp_path / "measures.txt"
    table.write_text("# kinds\n显微镜 => 形貌\n透射电子显微镜 => 晶格条纹, 选区电子衍射\n", encoding="utf-8")
    tem = {"type": "instrument", "name": "场发射透射电子显微镜"}

    # then the specific kind's terms are taken, not the general one's
    none = tmp_path / "none.txt"
    assert measures_of(tem, table, uses_path=none) == "晶格条纹 选区电子衍射"
    assert measures_of({"type": "instrument", "name": "体视显微镜"}, table, uses_path=none) == "形貌"
    assert measures_of({"type": "instrument", "name": "万能试验机"}, table, uses_path=none) == ""


def test_an_instrument_takes_the_terms_of_its_kind_from_both_tables(tmp_path: Path) -> None:
    measures, uses = tmp_path / "measures.txt", tmp_path / "uses.txt"
    measures.write_text("气相色谱仪 => 残留溶剂, 醇类含量\n", encoding="utf-8")
    uses.write_text("气相色谱仪 => 白酒, 甲醇, 醇类含量\n", encoding="utf-8")
    gc = {"type": "instrument", "name": "气相色谱仪"}

    assert measures_of(gc, measures, uses_path=uses) == "残留溶剂 醇类含量 白酒 甲醇"


def test_other_listings_take_the_terms_of_every_topic_or_offering_they_name(tmp_path: Path) -> None:
    # given a table of topics and offerings
    topics = tmp_path / "topics.txt"
    topics.write_text(
        "电池管理系统(BMS) => 续航短, 电芯不一致\n专利自由实施(FTO)分析 => 侵权风险, 竞品专利\n"
        "石墨烯导热膜 => 手机散热\n",
        encoding="utf-8",
    )
    expert = {
        "type": "expert",
        "title": "教授",
        "summary": "教授｜电池管理系统(BMS)",
        "keywords": ["石墨烯导热膜"],
    }
    agency = {"type": "agency", "title": "某知识产权中心", "offerings": [{"name": "专利自由实施(FTO)分析"}]}
    other = {"type": "achievement", "title": "高功率密度电机控制器", "keywords": ["电机"]}

    # then each listing takes the terms of what it names, and one naming none takes nothing
    assert measures_of(expert, topics_path=topics) == "续航短 电芯不一致 手机散热"
    assert measures_of(agency, topics_path=topics) == "侵权风险 竞品专利"
    assert measures_of(other, topics_path=topics) == ""


def test_a_table_not_shipped_lists_nothing(tmp_path: Path) -> None:
    absent = tmp_path / "absent.txt"
    assert measures_of({"type": "expert", "summary": "电池管理系统(BMS)"}, topics_path=absent) == ""


@pytest.mark.parametrize(
    ("text", "problem"),
    [("显微镜 形貌\n", "line 1"), ("显微镜 =>\n", "line 1"), ("a => b\n# c\na => d\n", "listed twice")],
)
def test_a_malformed_table_is_refused_naming_the_line(tmp_path: Path, text: str, problem: str) -> None:
    table = tmp_path / "measures.txt"
    table.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        load_measures(table)


def test_an_instruments_measurands_are_indexed_apart_from_its_text_and_not_displayed() -> None:
    # when the document of a vector network analyser is built
    document = build_document(VNA)

    # then what it measures is in its own field, the listing's own text is unchanged, and nothing is shown
    assert "介电常数" in document["measures_seg"].split()
    assert "介电常数" not in document["body"]
    assert "介电常数" not in str(document["display"])


def test_matching_retrieves_over_what_an_instrument_measures() -> None:
    # when a demand's candidates are asked for
    body = build_match_candidates("高频板材介电常数测试", [], ["instrument"], 5)

    # then the measurands field is among the fields its words are matched in
    fields = body["query"]["bool"]["should"][0]["multi_match"]["fields"]
    assert any(field.startswith("measures_seg") for field in fields)


def test_the_words_a_reason_may_name_are_the_indexed_words_of_the_kind() -> None:
    # the analyser's own tokens of the VNA's terms, so a demand word equal to one of them is what the engine matched
    words = measure_words(VNA)
    assert {"介电常数", "损耗", "插入损耗"} <= words
    assert measure_words({**VNA, "type": "expert"}) == frozenset()


@pytest.mark.parametrize("path", [MEASURES_PATH, USES_PATH, TOPICS_PATH], ids=lambda path: path.name)
def test_the_words_of_a_listings_terms_are_the_words_the_engine_indexed(path: Path) -> None:
    # matching cuts each table term once and unions them; the document cuts the whole string: for every row of
    # every shipped table the two must give the same words, or a reason would name a word the engine never had
    for name, _terms in load_measures(path):
        snapshot = (
            {"type": "instrument", "name": name} if path != TOPICS_PATH else {"type": "expert", "title": name}
        )
        indexed = set(build_document({**VNA, **snapshot, "keywords": []})["measures_seg"].split())
        assert measure_words({**VNA, **snapshot, "keywords": []}) == indexed, name
