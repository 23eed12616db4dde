"""What an instrument kind measures: the shipped table, its lookup, and where the terms go in a document."""

from pathlib import Path

import pytest

from search.analysis import segment
from search.documents import build_document
from search.measures import load_measures, measure_words, measures_of
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


def test_the_shipped_table_parses_and_every_term_is_something_the_analyser_can_match() -> None:
    # given the shipped table
    entries = load_measures()

    # then it lists dozens of instrument kinds, each with several terms, and no term is lost in analysis
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
    assert measures_of(tem, table) == "晶格条纹 选区电子衍射"
    assert measures_of({"type": "instrument", "name": "体视显微镜"}, table) == "形貌"
    assert measures_of({"type": "instrument", "name": "万能试验机"}, table) == ""


def test_only_instruments_take_terms(tmp_path: Path) -> None:
    table = tmp_path / "measures.txt"
    table.write_text("显微镜 => 形貌\n", encoding="utf-8")
    assert measures_of({"type": "expert", "name": "显微镜专家", "title": "教授"}, table) == ""


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
