"""Index settings and mappings (search/indices.py), without an engine."""

from search.analysis import SYNONYM_RULES
from search.indices import engine_synonym_rules, index_body


def test_multi_word_terms_expand_one_way_so_single_terms_share_one_idf() -> None:
    rules = engine_synonym_rules(
        [
            "sem, 扫描电镜, 扫描电子显微镜, scanning electron microscope",
            "机器学习, machine learning",
            "ic, 集成电路, 芯片",
            "gan => gan, 氮化镓, 生成对抗网络",
        ]
    )

    assert rules == [
        "sem, 扫描电镜, 扫描电子显微镜",
        "scanning electron microscope => sem, 扫描电镜, 扫描电子显微镜, scanning electron microscope",
        "machine learning => 机器学习, machine learning",
        "ic, 集成电路, 芯片",
        "gan => gan, 氮化镓, 生成对抗网络",
    ]


def test_index_uses_the_engine_form_of_every_synonym_rule() -> None:
    body = index_body()

    synonyms = body["settings"]["analysis"]["filter"]["tm_synonyms"]
    assert synonyms["type"] == "synonym_graph"
    assert synonyms["synonyms"] == engine_synonym_rules(SYNONYM_RULES)


def test_pinyin_and_suggestion_fields_ignore_length_and_keywords_ignore_case() -> None:
    properties = index_body()["mappings"]["properties"]

    for name in ("title_pinyin", "title_initials", "suggest", "suggest_alias"):
        assert properties[name]["norms"] is False, name
    assert properties["title_pinyin"]["analyzer"] == "tm_pinyin"
    assert properties["keywords"] == {"type": "keyword", "normalizer": "tm_lower"}
